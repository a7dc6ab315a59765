package io.hookline.gateway.proxmox;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.hookline.gateway.envelope.EventEnvelope;
import io.hookline.gateway.envelope.EventIds;
import io.hookline.gateway.hook.FormBody;
import io.hookline.gateway.hook.Rejection;
import io.hookline.gateway.source.Source;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.EventType;
import io.hookline.schema.ProxmoxDetail;
import io.hookline.schema.RawRequest;
import io.hookline.schema.RestorePoint;
import io.hookline.schema.RunOutcome;

/** Turns one vzdump hook-script call (the shim's form) into the normalized event: no HTTP here. */
final class ProxmoxHook {

    private static final java.util.regex.Pattern NOT_SLUG = java.util.regex.Pattern.compile("[^A-Za-z0-9._-]+");
    private static final List<String> PHASES = List.of("job-init", "job-start", "job-end", "job-abort", "backup-start",
            "backup-end", "backup-abort", "log-end", "pre-stop", "pre-restart", "post-restart");

    private ProxmoxHook() {
    }

    /** Either the event or why the call was refused. */
    record Result(BackupEvent event, Rejection rejection) {
    }

    static Result toEvent(Source source, FormBody form, Instant receivedAt, RawRequest raw, String idempotencyKey) {
        String phase = value(form, "phase");
        if (phase == null) {
            return new Result(null, Rejection.badRequest("missing-field",
                    "the form has no phase=<job-start|job-end|backup-end|...>"));
        }
        String node = value(form, "node");
        String storeId = value(form, "storeid");
        String dumpDir = value(form, "dumpdir");
        String job = "vzdump-" + (storeId != null ? storeId : dumpDir != null ? NOT_SLUG.matcher(dumpDir).replaceAll("_") : "local");
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
        String eventId = EventIds.forCall(source.name(), idempotencyKey);
        BackupEvent.Builder event = EventEnvelope.begin(source, eventId, receivedAt, node, job, raw)
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
        return new Result(event.build(), null);
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
