package io.hookline.gateway.proxmox;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.hookline.gateway.envelope.EventEnvelope;
import io.hookline.gateway.envelope.EventIds;
import io.hookline.gateway.envelope.RawCapture;
import io.hookline.gateway.hook.FormBody;
import io.hookline.gateway.hook.HookGate;
import io.hookline.gateway.hook.HookIntake;
import io.hookline.gateway.hook.HookRequest;
import io.hookline.gateway.hook.Rejection;
import io.hookline.gateway.source.Source;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.EventType;
import io.hookline.schema.ProxmoxDetail;
import io.hookline.schema.RestorePoint;
import io.hookline.schema.RunOutcome;
import io.hookline.schema.SourceKind;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/**
 * What the shipped vzdump hook script sends: {@code phase}, {@code mode}, {@code vmid}, the vzdump environment
 * ({@code vmtype}, {@code guest}, {@code target}, {@code logfile}, {@code dumpdir}, {@code storeid}), the
 * {@code node}, the script's {@code run} id and the count of {@code failed} guests so far.
 */
@Path("/hooks/proxmox")
public class ProxmoxResource {

    private static final List<String> PHASES = List.of("job-init", "job-start", "job-end", "job-abort", "backup-start",
            "backup-end", "backup-abort", "log-end", "pre-stop", "pre-restart", "post-restart");

    private final HookGate gate;
    private final HookIntake intake;

    public ProxmoxResource(HookGate gate, HookIntake intake) {
        this.gate = gate;
        this.intake = intake;
    }

    @POST
    @Path("{token}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "A vzdump hook-script call (the token in the path)")
    public Uni<Response> withPathToken(@PathParam("token") String token, String body, @Context HttpServerRequest http) {
        return handle(token, body, http);
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "A vzdump hook-script call (Authorization: Bearer <token>)")
    public Uni<Response> withBearer(String body, @Context HttpServerRequest http) {
        return handle(null, body, http);
    }

    private Uni<Response> handle(String token, String body, HttpServerRequest http) {
        return gate.handle(SourceKind.PROXMOX, token, http, body, this::handle);
    }

    private Uni<Response> handle(Source source, HookRequest request, Instant receivedAt) {
        FormBody form = FormBody.parse(request.body());
        String phase = value(form, "phase");
        if (phase == null) {
            return gate.refuse(source, Rejection.badRequest("missing-field",
                    "the form has no phase=<job-start|job-end|backup-end|...>"), request);
        }
        String node = value(form, "node");
        String storeId = value(form, "storeid");
        String dumpDir = value(form, "dumpdir");
        String job = "vzdump-" + (storeId != null ? storeId : dumpDir != null ? dumpDir.replaceAll("[^A-Za-z0-9._-]+", "_") : "local");
        String vmid = value(form, "vmid");
        String run = value(form, "run");
        int failedGuests = parseInt(value(form, "failed"));

        EventType type = switch (phase) {
            case "job-start" -> EventType.RUN_STARTED;
            case "job-end" -> failedGuests > 0 ? EventType.RUN_FAILED : EventType.RUN_SUCCEEDED;
            case "job-abort" -> EventType.RUN_FAILED;
            case "backup-start" -> EventType.TARGET_STARTED;
            case "backup-end", "backup-abort" -> EventType.TARGET_FINISHED;
            case "log-end" -> EventType.RUN_LOG;
            default -> EventType.OTHER;
        };
        // The shim's key, not (node, run, phase, vmid): a run id made of a reused PID is not unique.
        String eventId = EventIds.forCall(source.name(), request.idempotencyKey());
        BackupEvent.Builder event = EventEnvelope.begin(source, eventId, receivedAt, node, job,
                RawCapture.of(request, gate.captureBytes()))
                .setJobName("vzdump to " + (storeId != null ? storeId : dumpDir != null ? dumpDir : "local storage"))
                .setRunId(run)
                .setType(type)
                .setTarget(vmid == null ? null : "vm " + vmid + (value(form, "guest") == null ? "" : " (" + value(form, "guest") + ")"))
                .setLabels(Map.of("phase", phase));
        switch (phase) {
            case "job-end" -> {
                event.setOutcome(failedGuests > 0 ? RunOutcome.FAILED : RunOutcome.SUCCEEDED);
                if (failedGuests > 0) {
                    event.setErrorCount(failedGuests);
                    event.setErrorMessage(failedGuests + " guest backup(s) failed");
                    event.setErrors(List.of(failedGuests + " guest backup(s) failed"));
                }
            }
            case "job-abort" -> {
                event.setOutcome(RunOutcome.ABORTED);
                event.setErrorMessage("vzdump job aborted");
                event.setErrors(List.of("vzdump job aborted"));
            }
            case "backup-abort" -> {
                event.setOutcome(RunOutcome.FAILED);
                event.setErrorMessage("backup of vm " + vmid + " aborted");
                event.setErrors(List.of("backup of vm " + vmid + " aborted"));
            }
            case "backup-end" -> {
                event.setOutcome(RunOutcome.SUCCEEDED);
                String archive = value(form, "target");
                if (archive != null) {
                    event.setRestorePoint(RestorePoint.newBuilder()
                            .setId(archive)
                            .setCreatedAt(receivedAt)
                            .setUtcOffsetSeconds(source.zone().getRules().getOffset(receivedAt).getTotalSeconds())
                            .setHost(node)
                            .setLocation(storeId != null ? storeId : dumpDir)
                            .setTags(vmid == null ? List.of() : List.of("vmid:" + vmid))
                            .build());
                }
            }
            default -> { }
        }
        event.setDetail(ProxmoxDetail.newBuilder()
                .setPhase(phase)
                .setMode(value(form, "mode"))
                .setVmid(vmid)
                .setVmType(value(form, "vmtype"))
                .setGuestHostname(value(form, "guest"))
                .setTarget(value(form, "target"))
                .setLogFile(value(form, "logfile"))
                .setDumpDir(dumpDir)
                .setStoreId(storeId)
                .build());
        if (!PHASES.contains(phase)) {
            event.setLabels(Map.of("phase", phase, "note", "phase not documented by Proxmox; kept as OTHER"));
        }
        return intake.accept(event.build(), "OK");
    }

    private static String value(FormBody form, String key) {
        String value = form.first(key);
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static int parseInt(String value) {
        try {
            return value == null ? 0 : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
