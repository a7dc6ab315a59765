package io.hookline.gateway.xsibackup;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import io.hookline.gateway.hook.RawCapture;
import io.hookline.gateway.hook.HookGate;
import io.hookline.gateway.hook.HookIntake;
import io.hookline.gateway.hook.HookRequest;
import io.hookline.gateway.hook.Rejection;
import io.hookline.gateway.source.Source;
import io.hookline.schema.SourceKind;
import io.vertx.core.http.HttpServerRequest;

/**
 * {@code --on-success="http://HOST:8080/hooks/xsibackup/TOKEN/success|OK"} and the same for {@code --on-error}.
 * XSIBackup compares the body with the text after the pipe: anything else means "not processed".
 */
@Path("/hooks/xsibackup/{token}/{hook}")
public class XsiBackupResource {

    private final HookGate gate;
    private final HookIntake intake;

    public XsiBackupResource(HookGate gate, HookIntake intake) {
        this.gate = gate;
        this.intake = intake;
    }

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "An XSIBackup-Pro --on-success / --on-error call",
            description = "The query string is the base64 of PID=..|t=..|cmd=<base64>|err=<base64>. Answers the "
                    + "source's acknowledgement text (default OK) once the event is on the broker.")
    @APIResponse(responseCode = "200", description = "The acknowledgement text: the event is safe in Kafka")
    @APIResponse(responseCode = "400", description = "The query could not be decoded; the reason is in the body")
    @APIResponse(responseCode = "404", description = "No XSIBackup source has this token")
    @APIResponse(responseCode = "413", description = "The hook is larger than hookline.gateway.max-hook-bytes")
    @APIResponse(responseCode = "503", description = "The broker did not confirm the record in time: not processed")
    public CompletionStage<Response> hook(@PathParam("token") String token,
            @Parameter(description = "success or error") @PathParam("hook") String hook,
            @Context HttpServerRequest http) {
        return gate.handle(SourceKind.XSIBACKUP, token, http, null,
                (source, request, receivedAt) -> hook(source, hook, request, receivedAt));
    }

    private CompletionStage<Response> hook(Source source, String hook, HookRequest request, Instant receivedAt) {
        int captureBytes = gate.captureBytes();
        if (!hook.equals("success") && !hook.equals("error")) {
            return gate.refuse(source, Rejection.badRequest("unknown-hook",
                    "the URL must end in /success or /error, not /" + hook), request);
        }
        XsiBackupQuery.Result decoded = XsiBackupQuery.decode(request.rawQuery());
        if (decoded.rejection() != null) {
            return gate.refuse(source, decoded.rejection(), request);
        }
        Optional<String> safe = XsiBackupHook.safeQuery(decoded.decoded());
        var raw = RawCapture.inspected(request, safe.orElse(request.rawQuery()), safe.isPresent(), captureBytes);
        XsiBackupHook.Result result = XsiBackupHook.toEvent(source, hook, decoded.decoded(), receivedAt, raw,
                request.idempotencyKey());
        if (result.rejection() != null) {
            return intake.refuse(SourceKind.XSIBACKUP, source, result.rejection(), raw);
        }
        return intake.accept(source, result.event(), source.ack());
    }
}
