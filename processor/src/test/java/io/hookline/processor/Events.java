package io.hookline.processor;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.hookline.schema.BackupEvent;
import io.hookline.schema.EventType;
import io.hookline.schema.RestorePoint;
import io.hookline.schema.RunOutcome;
import io.hookline.schema.SourceKind;

/** Events as the gateway writes them, for the processor's tests. */
public final class Events {

    private Events() {
    }

    public static BackupEvent.Builder event(String jobKey, EventType type, String runId, Instant at) {
        String[] parts = jobKey.split("/");
        return BackupEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setReceivedAt(at)
                .setSourceKind(SourceKind.XSIBACKUP)
                .setSourceName(parts[0])
                .setJob(parts[parts.length - 1])
                .setJobKey(jobKey)
                .setHost(parts.length == 3 ? parts[1] : null)
                .setRunId(runId)
                .setType(type);
    }

    public static BackupEvent succeeded(String jobKey, String runId, Instant at, long durationMs) {
        return event(jobKey, EventType.RUN_SUCCEEDED, runId, at).setOutcome(RunOutcome.SUCCEEDED)
                .setDurationMs(durationMs)
                .setRestorePoint(RestorePoint.newBuilder().setId("rp-" + runId).setCreatedAt(at).build())
                .build();
    }

    public static BackupEvent failed(String jobKey, String runId, Instant at, String error) {
        return event(jobKey, EventType.RUN_FAILED, runId, at).setOutcome(RunOutcome.FAILED)
                .setErrors(List.of(error)).setErrorCount(1).setErrorMessage(error).build();
    }
}
