package io.hookline.processor.state;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.hookline.schema.BackupEvent;
import io.hookline.schema.EventType;
import io.hookline.schema.JobState;
import io.hookline.schema.RestorePoint;
import io.hookline.schema.RunInProgress;
import io.hookline.schema.RunOutcome;
import io.hookline.schema.RunSummary;
import io.hookline.schema.serde.Records;

/**
 * The fold of a job's events into its state: a pure function, so that replaying the log gives the same state and
 * the topology stays a thin shell around it.
 */
public final class JobStateFold {

    /** Runs kept for N-of-M and anomaly rules. */
    public static final int RECENT_RUNS = 20;
    /** Event ids remembered to recognise a retried hook. */
    public static final int RECENT_EVENT_IDS = 64;
    /** Restore points kept per job; retention prunes long before this. */
    public static final int MAX_RESTORE_POINTS = 1000;

    private JobStateFold() {
    }

    public static JobState apply(JobState current, BackupEvent event) {
        // Copies, never the generated newBuilder(other): see Records.
        JobState state = current == null ? fresh(event) : Records.deepCopy(current);
        if (current != null && current.getRecentEventIds().contains(event.getEventId())) {
            state.setDuplicateCount(current.getDuplicateCount() + 1);
            return state;
        }
        Instant at = event.getOccurredAt() != null ? event.getOccurredAt() : event.getReceivedAt();
        if (event.getHost() != null) {
            state.setHost(event.getHost());
        }
        if (event.getJobName() != null) {
            state.setJobName(event.getJobName());
        }
        state.setUpdatedAt(event.getReceivedAt());
        state.setLastEventId(event.getEventId());
        state.setLastEventType(event.getType());
        state.setEventCount(state.getEventCount() + 1);
        state.setRecentEventIds(prepend(state.getRecentEventIds(), event.getEventId(), RECENT_EVENT_IDS));

        EventType type = event.getType();
        if (type == EventType.RUN_STARTED) {
            state.setCurrentRun(RunInProgress.newBuilder().setRunId(event.getRunId()).setStartedAt(at)
                    .setEventId(event.getEventId()).build());
        } else if (type == EventType.RUN_SUCCEEDED || type == EventType.RUN_FAILED) {
            finishRun(state, event, at);
        } else if (type == EventType.TARGET_FINISHED && event.getRestorePoint() != null) {
            addRestorePoint(state, event.getRestorePoint());
        } else if (type == EventType.RESTORE_POINT_DELETED && event.getRestorePoint() != null) {
            String id = event.getRestorePoint().getId();
            List<RestorePoint> kept = new ArrayList<>(state.getRestorePoints());
            kept.removeIf(point -> point.getId().equals(id));
            state.setRestorePoints(kept);
        }
        return state;
    }

    private static void finishRun(JobState state, BackupEvent event, Instant finishedAt) {
        RunOutcome outcome = outcomeOf(event);
        RunInProgress started = state.getCurrentRun();
        boolean sameRun = started != null
                && (event.getRunId() == null || started.getRunId() == null || event.getRunId().equals(started.getRunId()));
        Instant startedAt = sameRun ? started.getStartedAt()
                : event.getDurationMs() != null ? finishedAt.minusMillis(event.getDurationMs()) : null;
        Long duration = event.getDurationMs() != null ? event.getDurationMs()
                : startedAt != null ? Duration.between(startedAt, finishedAt).toMillis() : null;

        RunSummary run = RunSummary.newBuilder()
                .setRunId(event.getRunId())
                .setOutcome(outcome)
                .setStartedAt(startedAt)
                .setFinishedAt(finishedAt)
                .setDurationMs(duration)
                .setBytes(event.getBytes())
                .setFiles(event.getFiles())
                .setErrors(event.getErrors())
                .setErrorCount(event.getErrorCount())
                .setErrorCode(event.getErrorCode())
                .setErrorMessage(event.getErrorMessage())
                .setEventId(event.getEventId())
                .build();
        state.setLastRun(run);
        state.setRecentRuns(prepend(state.getRecentRuns(), run, RECENT_RUNS));
        state.setRunCount(state.getRunCount() + 1);
        if (sameRun) {
            state.setCurrentRun(null);
        }
        switch (outcome) {
            case FAILED, ABORTED -> {
                state.setFailureCount(state.getFailureCount() + 1);
                state.setConsecutiveFailures(state.getConsecutiveFailures() + 1);
                state.setLastFailureAt(finishedAt);
            }
            case WARNING -> {
                state.setWarningCount(state.getWarningCount() + 1);
                state.setConsecutiveFailures(0);
                state.setLastSuccessAt(finishedAt);
            }
            default -> {
                state.setSuccessCount(state.getSuccessCount() + 1);
                state.setConsecutiveFailures(0);
                state.setLastSuccessAt(finishedAt);
            }
        }
        if (event.getRestorePoint() != null && outcome != RunOutcome.FAILED && outcome != RunOutcome.ABORTED) {
            addRestorePoint(state, event.getRestorePoint());
        }
    }

    static RunOutcome outcomeOf(BackupEvent event) {
        if (event.getOutcome() != null && event.getOutcome() != RunOutcome.UNKNOWN) {
            return event.getOutcome();
        }
        if (event.getType() == EventType.RUN_FAILED) {
            return RunOutcome.FAILED;
        }
        boolean errors = event.getErrorCount() != null ? event.getErrorCount() > 0 : !event.getErrors().isEmpty();
        return errors ? RunOutcome.WARNING : RunOutcome.SUCCEEDED;
    }

    private static void addRestorePoint(JobState state, RestorePoint point) {
        List<RestorePoint> points = new ArrayList<>(state.getRestorePoints());
        points.removeIf(existing -> existing.getId().equals(point.getId()));
        state.setRestorePoints(prepend(points, point, MAX_RESTORE_POINTS));
    }

    private static JobState fresh(BackupEvent event) {
        return JobState.newBuilder()
                .setJobKey(event.getJobKey())
                .setSourceKind(event.getSourceKind())
                .setSourceName(event.getSourceName())
                .setHost(event.getHost())
                .setJob(event.getJob())
                .setJobName(event.getJobName())
                .setFirstSeenAt(event.getReceivedAt())
                .setUpdatedAt(event.getReceivedAt())
                .setLastEventId(event.getEventId())
                .setLastEventType(event.getType())
                .setRecentRuns(List.of())
                .setRestorePoints(List.of())
                .setRecentEventIds(List.of())
                .build();
    }

    private static <T> List<T> prepend(List<T> list, T item, int cap) {
        List<T> result = new ArrayList<>(Math.min(cap, list.size() + 1));
        result.add(item);
        for (int i = 0; i < list.size() && result.size() < cap; i++) {
            result.add(list.get(i));
        }
        return result;
    }
}
