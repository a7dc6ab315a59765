package io.hookline.gateway.cloudevents;

import java.time.Instant;
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

import io.hookline.gateway.hook.RawCapture;
import io.hookline.gateway.hook.HookGate;
import io.hookline.gateway.hook.HookIntake;
import io.hookline.gateway.hook.HookRequest;
import io.hookline.gateway.hook.Rejection;
import io.hookline.gateway.source.Source;
import io.hookline.schema.SourceKind;
import io.vertx.core.http.HttpServerRequest;

/**
 * {@code POST /events}: a CloudEvent over HTTP (binary mode: {@code ce-*} headers and the data as body;
 * structured mode: {@code application/cloudevents+json}) or the generic JSON body documented in the README.
 * Authenticated by {@code Authorization: Bearer <token>} or {@code /events/<token>}; signed with Standard
 * Webhooks when the source has a signing secret.
 */
@Path("/events")
public class EventsResource {

    private final HookGate gate;
    private final HookIntake intake;

    public EventsResource(HookGate gate, HookIntake intake) {
        this.gate = gate;
        this.intake = intake;
    }

    @POST
    @Path(HookGate.OPTIONAL_TOKEN)
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "A CloudEvent (binary or structured) or a generic JSON event: /events/<token>, or"
            + " Authorization: Bearer <token>")
    public CompletionStage<Response> call(@PathParam("token") String token, String body, @Context HttpServerRequest http) {
        return gate.handle(SourceKind.CLOUDEVENTS, token, http, body, this::handle);
    }

    private CompletionStage<Response> handle(Source source, HookRequest request, Instant receivedAt) {
        if (source.signingSecret() != null) {
            Optional<String> problem = WebhookSignature.problem(source.signingSecret(), request, request.body(),
                    receivedAt.getEpochSecond());
            if (problem.isPresent()) {
                return gate.refuse(source, new Rejection(401, "bad-signature", problem.get()), request);
            }
        }
        CloudEventHook.Result result = CloudEventHook.toEvent(source, request, receivedAt,
                RawCapture.of(request, gate.captureBytes()));
        return result.rejection() != null ? gate.refuse(source, result.rejection(), request)
                : intake.accept(source, result.event(), "OK");
    }
}
