package io.hookline.gateway.proxmox;

import java.time.Instant;
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
import io.hookline.gateway.hook.FormBody;
import io.hookline.gateway.hook.HookGate;
import io.hookline.gateway.hook.HookIntake;
import io.hookline.gateway.hook.HookRequest;
import io.hookline.gateway.source.Source;
import io.hookline.schema.SourceKind;
import io.vertx.core.http.HttpServerRequest;

/**
 * What the shipped vzdump hook script sends: {@code phase}, {@code mode}, {@code vmid}, the vzdump environment
 * ({@code vmtype}, {@code guest}, {@code target}, {@code logfile}, {@code dumpdir}, {@code storeid}), the
 * {@code node}, the script's {@code run} id and the count of {@code failed} guests so far.
 */
@Path("/hooks/proxmox")
public class ProxmoxResource {

    private final HookGate gate;
    private final HookIntake intake;

    public ProxmoxResource(HookGate gate, HookIntake intake) {
        this.gate = gate;
        this.intake = intake;
    }

    @POST
    @Path(HookGate.OPTIONAL_TOKEN)
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "A vzdump hook-script call: /hooks/proxmox/<token>, or Authorization: Bearer <token>")
    public CompletionStage<Response> call(@PathParam("token") String token, String body, @Context HttpServerRequest http) {
        return gate.handle(SourceKind.PROXMOX, token, http, body, this::handle);
    }

    private CompletionStage<Response> handle(Source source, HookRequest request, Instant receivedAt) {
        ProxmoxHook.Result result = ProxmoxHook.toEvent(source, FormBody.parse(request.body()), receivedAt,
                RawCapture.of(request, gate.captureBytes()), request.idempotencyKey());
        return result.rejection() != null ? gate.refuse(source, result.rejection(), request)
                : intake.accept(source, result.event(), "OK");
    }
}
