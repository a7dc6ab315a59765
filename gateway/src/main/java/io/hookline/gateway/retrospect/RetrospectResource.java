package io.hookline.gateway.retrospect;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import io.hookline.gateway.hook.RawCapture;
import io.hookline.gateway.hook.FormBody;
import io.hookline.gateway.hook.HookGate;
import io.hookline.gateway.hook.HookIntake;
import io.hookline.gateway.hook.HookRequest;
import io.hookline.gateway.hook.Rejection;
import io.hookline.gateway.source.Source;
import io.hookline.schema.SourceKind;
import io.vertx.core.http.HttpServerRequest;

/**
 * What the shipped RetroEventHandler shims send: a form with {@code event=<name>}, one {@code arg=} per
 * positional argument in order, and {@code host=}. The answer's first line is {@code continue}, or
 * {@code intervene <n>} followed by the text the shim writes into argument n (the interventionFile), which
 * makes Retrospect cancel the event.
 */
@Path("/hooks/retrospect")
public class RetrospectResource {

    private final HookGate gate;
    private final HookIntake intake;

    public RetrospectResource(HookGate gate, HookIntake intake) {
        this.gate = gate;
        this.intake = intake;
    }

    @POST
    @Path(HookGate.OPTIONAL_TOKEN)
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "A RetroEventHandler call: /hooks/retrospect/<token>, or Authorization: Bearer <token>")
    @APIResponse(responseCode = "200", description = "continue, or intervene <argument> and the text: the event is on the broker")
    @APIResponse(responseCode = "400", description = "No event name; the reason is in the body")
    public CompletionStage<Response> call(@PathParam("token") String token, String body, @Context HttpServerRequest http) {
        return gate.handle(SourceKind.RETROSPECT, token, http, body, this::handle);
    }

    private CompletionStage<Response> handle(Source source, HookRequest request, Instant receivedAt) {
        FormBody form = FormBody.parse(request.body());
        String eventName = form.first("event");
        if (eventName == null || eventName.isBlank()) {
            return gate.refuse(source, Rejection.badRequest("missing-field",
                    "the form has no event=<name> (StartScript, EndScript, ...); the shim sends event, arg... and host"),
                    request);
        }
        List<String> arguments = form.all("arg");
        String host = Optional.ofNullable(form.first("host")).filter(h -> !h.isBlank()).orElse(null);
        Optional<RetrospectEvent> known = RetrospectEvent.named(eventName);
        String script = known.map(e -> e.name(arguments).get("scriptName")).orElse(null);
        Optional<String> intervention = known.flatMap(e -> Interventions.decide(e, script == null ? "" : script,
                source, receivedAt));

        var event = RetrospectHook.toEvent(source, eventName.strip(), arguments, host, receivedAt,
                RawCapture.of(request, gate.captureBytes()), intervention.orElse(null),
                request.idempotencyKey());
        String answer = intervention.map(text -> "intervene "
                + known.flatMap(e -> e.interventionFilePosition(arguments)).orElse(0) + "\n" + text + "\n")
                .orElse("continue\n");
        return intake.accept(source, event, answer);
    }
}
