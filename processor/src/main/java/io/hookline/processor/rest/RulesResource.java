package io.hookline.processor.rest;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.hookline.processor.api.AuditLog;
import io.hookline.processor.dispatch.DeliveryPipeline;
import io.hookline.processor.notify.Receiver;
import io.hookline.processor.rules.Rules;
import io.hookline.processor.rules.RulesFile;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;

/** The rules in force, and a reload of the rules file without a restart. */
@Path("/api/rules")
@Produces(MediaType.APPLICATION_JSON)
public class RulesResource {

    private final RulesFile rules;
    private final DeliveryPipeline delivery;
    private final AuditLog audit;
    private final CurrentVertxRequest current;

    public RulesResource(RulesFile rules, DeliveryPipeline delivery, AuditLog audit, CurrentVertxRequest current) {
        this.rules = rules;
        this.delivery = delivery;
        this.audit = audit;
        this.current = current;
    }

    @GET
    @Operation(summary = "The rules in force: where from, since when, what they hold, and how the last reload went")
    public Map<String, Object> inForce() {
        Rules inForce = rules.current();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("file", rules.file().map(Object::toString).orElse(null));
        answer.put("loadedAt", rules.loadedAt().toString());
        answer.put("jobRules", inForce.jobs().size());
        answer.put("receivers", inForce.receivers().stream().map(r -> Map.of("name", r.name(), "type", r.type())).toList());
        answer.put("routes", inForce.routes().size());
        answer.put("inhibitions", inForce.inhibitions().size());
        answer.put("lastReload", rules.lastReload().map(RulesResource::view).orElse(null));
        return answer;
    }

    @POST
    @Path("reload")
    @Operation(summary = "Read the rules file again; with a mistake in it, 422 names the lines and the rules in force stay")
    public Response reload() {
        RulesFile.Reload reload = rules.reload();
        if (reload.applied()) {
            delivery.rulesChanged();
        }
        int status = reload.applied() ? 200 : 422;
        audit.record(current.getCurrent(), "rules.reload", rules.file().map(Object::toString).orElse("-"),
                Map.of("applied", reload.applied(), "problems", reload.problems().size()), status);
        Map<String, Object> answer = view(reload);
        answer.put("receivers", rules.current().receivers().stream().map(Receiver::name).toList());
        return Response.status(status).entity(answer).build();
    }

    private static Map<String, Object> view(RulesFile.Reload reload) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("at", reload.at().toString());
        view.put("applied", reload.applied());
        view.put("problems", reload.problems());
        return view;
    }
}
