package io.hookline.processor.rest;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.hookline.processor.dispatch.DeliveryPipeline;
import io.hookline.processor.notify.Notifier;
import io.hookline.processor.notify.Receiver;
import io.hookline.processor.rules.RulesFile;
import io.hookline.schema.AlertCondition;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.AlertStatus;
import io.hookline.schema.Severity;
import io.hookline.schema.SourceKind;
import io.hookline.processor.api.AuditLog;
import io.hookline.processor.notify.PerKeyRate;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;

/** Lets an operator check a receiver with a test message before a real alert depends on it. */
@Path("/api/receivers")
@Produces(MediaType.APPLICATION_JSON)
public class ReceiversResource {

    private final RulesFile rules;
    private final DeliveryPipeline delivery;
    private final AuditLog audit;
    private final CurrentVertxRequest current;
    private final PerKeyRate testMessages;

    public ReceiversResource(RulesFile rules, DeliveryPipeline delivery, AuditLog audit, CurrentVertxRequest current,
            TestMessageLimits limits) {
        this.rules = rules;
        this.delivery = delivery;
        this.audit = audit;
        this.current = current;
        this.testMessages = limits.perReceiver();
    }

    @POST
    @Path("{name}/test")
    @Operation(summary = "Send a test message to a receiver, once, now; answers what happened")
    public Response test(@PathParam("name") String name) {
        Receiver receiver = rules.current().receiver(name).orElse(null);
        if (receiver == null) {
            return Response.status(Response.Status.NOT_FOUND).entity(Map.of("error", "no receiver '" + name
                    + "' in the rules; receivers: " + rules.current().receivers().stream().map(Receiver::name).toList())).build();
        }
        if (!testMessages.tryAcquire(name, System.nanoTime())) {
            long wait = testMessages.secondsUntilNext(name, System.nanoTime());
            audit.record(current.getCurrent(), "receiver.test", name, Map.of("refused", "rate limit"), 429);
            return Response.status(429).header("Retry-After", wait).entity(Map.of("error", "receiver '" + name
                    + "' got its test messages for this minute (hookline.api.test-messages-per-minute); try again in "
                    + wait + " s")).build();
        }
        Instant now = Instant.now();
        AlertEvent sample = AlertEvent.newBuilder().setAlertKey("hookline/test/" + name).setStatus(AlertStatus.FIRING)
                .setCondition(AlertCondition.OTHER).setSeverity(Severity.INFO).setJobKey("hookline/test")
                .setSourceName("hookline").setSourceKind(SourceKind.GENERIC).setJob("test")
                .setSummary("a test message from Hookline to receiver " + name + "; nothing is wrong")
                .setStartsAt(now).setUpdatedAt(now).setEventIds(List.of()).setLabels(Map.of()).build();
        Notifier.Result result = delivery.test(receiver, sample);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("receiver", name);
        answer.put("delivered", result.delivered());
        answer.put("httpStatus", result.httpStatus());
        answer.put("message", result.message());
        int status = result.delivered() ? 200 : 502;
        audit.record(current.getCurrent(), "receiver.test", name, Map.of("delivered", result.delivered(),
                "message", String.valueOf(result.message())), status);
        return Response.status(status).entity(answer).build();
    }
}
