package io.hookline.processor.state;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.hookline.runtime.text.Excerpt;
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
    /** Error entries a run keeps, and the characters of each: years of 70 kB reports must fit a record. */
    public static final int RUN_ERRORS = 20;
    public static final int ERROR_CHARS = 1_000;
    public static final int MESSAGE_CHARS = 2_000;
    /**
     * Characters of text a job's state may hold in all (well under the broker's 1 MiB record limit even if every
     * character took three bytes); past it, older runs lose their error lists, then the oldest restore points go.
     */
    public static final int STATE_BUDGET_CHARS = 256 * 1024;
    /** Times outside these are not a clock's: the event's receivedAt is used instead. */
    static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");
    static final long MAX_DURATION_MS = 100L * 365 * 24 * 3600 * 1000;

    private JobStateFold() {
    }

    public static JobState apply(JobState current, BackupEvent event) {
        // The state before is handed to the reactors as it was: every change below sets a field to a new value (a
        // nested record or list it changes is copied first), so a shallow copy keeps it intact, at a fraction of a
        // deep copy's cost on every event. Never the generated newBuilder(other): see Records.
        JobState state = current == null ? fresh(event) : Records.shallowCopy(current);
        if (current != null && current.getRecentEventIds().contains(event.getEventId())) {
            state.setDuplicateCount(current.getDuplicateCount() + 1);
            return state;
        }
        Instant at = plausible(event.getOccurredAt()) ? event.getOccurredAt() : event.getReceivedAt();
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
        if (event.getCommand() != null && CommandFold.applies(type)) {
            // A chained command's life: queued and delivered change only its status; refused and expired end
            // the run that never started, as failed; a run of it is folded below like any run.
            if (!CommandFold.apply(state, event, at)) {
                keepWithinBudget(state);
                return state;
            }
        }
        if (type == EventType.AGENT_SEEN && event.getAgent() != null) {
            state.setAgent(Records.deepCopy(event.getAgent()));
        } else if (type == EventType.RUN_STARTED) {
            state.setCurrentRun(RunInProgress.newBuilder().setRunId(event.getRunId()).setStartedAt(at)
                    .setEventId(event.getEventId()).build());
        } else if (type == EventType.RUN_SUCCEEDED || type == EventType.RUN_FAILED
                || type == EventType.COMMAND_REFUSED || type == EventType.COMMAND_EXPIRED) {
            finishRun(state, event, at);
        } else if (type == EventType.TARGET_FINISHED && event.getRestorePoint() != null) {
            // Its run has not ended yet: until it does, retention does not count the point.
            RunOutcome target = event.getOutcome() == RunOutcome.FAILED || event.getOutcome() == RunOutcome.ABORTED
                    ? event.getOutcome() : null;
            addRestorePoint(state, stamped(event, target));
        } else if ((type == EventType.RESTORE_POINT_PINNED || type == EventType.RESTORE_POINT_UNPINNED)
                && event.getRestorePoint() != null) {
            pin(state, event.getRestorePoint().getId(), type == EventType.RESTORE_POINT_PINNED);
        } else if (type == EventType.RESTORE_POINT_DELETED && event.getRestorePoint() != null) {
            String id = event.getRestorePoint().getId();
            List<RestorePoint> kept = new ArrayList<>(state.getRestorePoints());
            kept.removeIf(point -> point.getId().equals(id));
            state.setRestorePoints(kept);
        }
        keepWithinBudget(state);
        return state;
    }

    private static boolean plausible(Instant time) {
        return time != null && !time.isBefore(EARLIEST) && !time.isAfter(LATEST);
    }

    /**
     * Holds the state to {@link #STATE_BUDGET_CHARS}: first the error lists of older runs go (their counts stay),
     * then the oldest restore points (counted in restorePointsDropped).
     */
    static void keepWithinBudget(JobState state) {
        long size = textSize(state);
        if (size <= STATE_BUDGET_CHARS) {
            return;
        }
        List<RunSummary> runs = new ArrayList<>(state.getRecentRuns());
        for (int i = runs.size() - 1; i > 0 && size > STATE_BUDGET_CHARS; i--) {
            RunSummary run = runs.get(i);
            if (!run.getErrors().isEmpty()) {
                size -= textSize(run);
                RunSummary slim = Records.shallowCopy(run);
                slim.setErrorsOmitted(run.getErrorsOmitted() + run.getErrors().size());
                slim.setErrors(List.of());
                slim.setErrorMessage(Excerpt.of(run.getErrorMessage(), 200));
                size += textSize(slim);
                runs.set(i, slim);
            }
        }
        state.setRecentRuns(runs);
        List<RestorePoint> points = new ArrayList<>(state.getRestorePoints());
        long dropped = 0;
        while (size > STATE_BUDGET_CHARS && points.size() > 1) {
            size -= textSize(points.remove(points.size() - 1));
            dropped++;
        }
        if (dropped > 0) {
            state.setRestorePoints(points);
            state.setRestorePointsDropped(state.getRestorePointsDropped() + dropped);
        }
    }

    /** An estimate of the text a state holds: what grows with what hooks send. */
    static long textSize(JobState state) {
        long size = 0;
        for (RunSummary run : state.getRecentRuns()) {
            size += textSize(run);
        }
        if (state.getLastRun() != null) {
            size += textSize(state.getLastRun());
        }
        for (RestorePoint point : state.getRestorePoints()) {
            size += textSize(point);
        }
        return size + state.getRecentEventIds().size() * 40L;
    }

    private static long textSize(RunSummary run) {
        long size = 64 + length(run.getErrorMessage()) + length(run.getRunId()) + length(run.getErrorCode());
        for (String error : run.getErrors()) {
            size += error.length();
        }
        return size;
    }

    private static long textSize(RestorePoint point) {
        long size = 64 + length(point.getId()) + length(point.getLocation()) + length(point.getHost());
        for (String tag : point.getTags()) {
            size += tag.length();
        }
        return size;
    }

    private static int length(CharSequence text) {
        return text == null ? 0 : text.length();
    }

    /** What a run keeps of an error list: the first entries, each cut, and how many were left out. */
    private static List<String> keptErrors(List<String> errors) {
        List<String> kept = new ArrayList<>(Math.min(errors.size(), RUN_ERRORS));
        for (int i = 0; i < errors.size() && i < RUN_ERRORS; i++) {
            kept.add(Excerpt.of(errors.get(i), ERROR_CHARS));
        }
        return kept;
    }

    private static void finishRun(JobState state, BackupEvent event, Instant finishedAt) {
        RunOutcome outcome = outcomeOf(event);
        RunInProgress started = state.getCurrentRun();
        boolean sameRun = started != null
                && (event.getRunId() == null || started.getRunId() == null || event.getRunId().equals(started.getRunId()));
        // The gateway refuses impossible figures; a record written by anything else must still not break the fold.
        Long reported = event.getDurationMs() != null && event.getDurationMs() >= 0
                && event.getDurationMs() <= MAX_DURATION_MS ? event.getDurationMs() : null;
        Instant startedAt = sameRun ? started.getStartedAt()
                : reported != null && plausible(finishedAt.minusMillis(reported)) ? finishedAt.minusMillis(reported) : null;
        Long duration = reported != null ? reported
                : startedAt != null ? Duration.between(startedAt, finishedAt).toMillis() : null;
        List<String> errors = keptErrors(event.getErrors());

        RunSummary run = RunSummary.newBuilder()
                .setRunId(event.getRunId())
                .setOutcome(outcome)
                .setStartedAt(startedAt)
                .setFinishedAt(finishedAt)
                .setDurationMs(duration)
                .setBytes(event.getBytes())
                .setFiles(event.getFiles())
                .setErrors(errors)
                .setErrorsOmitted(event.getErrors().size() - errors.size())
                .setErrorCount(event.getErrorCount() != null ? event.getErrorCount()
                        : errors.size() < event.getErrors().size() ? Integer.valueOf(event.getErrors().size()) : null)
                .setErrorCode(Excerpt.of(event.getErrorCode(), 200))
                .setErrorMessage(Excerpt.of(event.getErrorMessage(), MESSAGE_CHARS))
                .setEventId(event.getEventId())
                .setCause(event.getCommand() == null ? null : Records.deepCopy(event.getCommand().getCause()))
                .build();
        state.setLastRun(run);
        state.setRecentRuns(prepend(state.getRecentRuns(), run, RECENT_RUNS));
        state.setRunMarks(RunCalendar.add(state.getRunMarks(), startedAt != null ? startedAt : finishedAt, outcome));
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
        settleRunsPoints(state, event.getRunId(), outcome);
        if (event.getRestorePoint() != null && outcome != RunOutcome.FAILED && outcome != RunOutcome.ABORTED) {
            addRestorePoint(state, stamped(event, outcome));
        }
    }

    /** An operator pinned (or unpinned) a restore point: retention keeps it forever. */
    private static void pin(JobState state, String id, boolean pinned) {
        List<RestorePoint> points = new ArrayList<>(state.getRestorePoints());
        for (int i = 0; i < points.size(); i++) {
            if (points.get(i).getId().equals(id)) {
                RestorePoint copy = Records.shallowCopy(points.get(i));
                copy.setPinned(pinned);
                points.set(i, copy);
            }
        }
        state.setRestorePoints(points);
    }

    /** The event's restore point, with when it was heard of and its run, as retention needs them. */
    private static RestorePoint stamped(BackupEvent event, RunOutcome outcome) {
        RestorePoint point = Records.shallowCopy(event.getRestorePoint());
        point.setReceivedAt(event.getReceivedAt());
        point.setRunId(event.getRunId());
        point.setRunOutcome(outcome);
        return point;
    }

    /** The points a run's targets made before it ended take the run's outcome. */
    private static void settleRunsPoints(JobState state, String runId, RunOutcome outcome) {
        if (runId == null) {
            return;
        }
        List<RestorePoint> points = state.getRestorePoints();
        for (int i = 0; i < points.size(); i++) {
            RestorePoint point = points.get(i);
            if (runId.equals(point.getRunId()) && point.getRunOutcome() == null) {
                List<RestorePoint> settled = new ArrayList<>(points);
                RestorePoint copy = Records.shallowCopy(point);
                copy.setRunOutcome(outcome);
                settled.set(i, copy);
                points = settled;
            }
        }
        state.setRestorePoints(points);
    }

    static RunOutcome outcomeOf(BackupEvent event) {
        if (event.getOutcome() != null && event.getOutcome() != RunOutcome.UNKNOWN) {
            return event.getOutcome();
        }
        if (event.getType() == EventType.RUN_FAILED || event.getType() == EventType.COMMAND_REFUSED
                || event.getType() == EventType.COMMAND_EXPIRED) {
            return RunOutcome.FAILED;
        }
        boolean errors = event.getErrorCount() != null ? event.getErrorCount() > 0 : !event.getErrors().isEmpty();
        return errors ? RunOutcome.WARNING : RunOutcome.SUCCEEDED;
    }

    private static void addRestorePoint(JobState state, RestorePoint point) {
        List<RestorePoint> points = new ArrayList<>(state.getRestorePoints());
        // A point reported again keeps its pin.
        if (points.stream().anyMatch(existing -> existing.getId().equals(point.getId()) && existing.getPinned())) {
            point.setPinned(true);
        }
        points.removeIf(existing -> existing.getId().equals(point.getId()));
        state.setRestorePoints(prepend(points, point, MAX_RESTORE_POINTS));
    }

    /**
     * A state with every field at its schema's default, built once: the generated builder deep-copies each default on
     * every build. Its empty lists are immutable, so that a change made in place would fail instead of reaching every
     * new job's state.
     */
    private static final JobState DEFAULTS = immutableEmpties(JobState.newBuilder()
            .setJobKey("").setSourceKind(io.hookline.schema.SourceKind.PING).setSourceName("").setJob("")
            .setFirstSeenAt(Instant.EPOCH).setUpdatedAt(Instant.EPOCH).setLastEventId("")
            .setLastEventType(EventType.RUN_STARTED).build());

    private static JobState immutableEmpties(JobState state) {
        for (int i = 0; i < state.getSchema().getFields().size(); i++) {
            if (state.get(i) instanceof List<?> list && list.isEmpty()) {
                state.put(i, List.of());
            } else if (state.get(i) instanceof java.util.Map<?, ?> map && map.isEmpty()) {
                state.put(i, java.util.Map.of());
            }
        }
        return state;
    }

    static JobState fresh(BackupEvent event) {
        JobState state = Records.shallowCopy(DEFAULTS);
        state.setJobKey(event.getJobKey());
        state.setSourceKind(event.getSourceKind());
        state.setSourceName(event.getSourceName());
        state.setHost(event.getHost());
        state.setJob(event.getJob());
        state.setJobName(event.getJobName());
        state.setFirstSeenAt(event.getReceivedAt());
        state.setUpdatedAt(event.getReceivedAt());
        state.setLastEventId(event.getEventId());
        state.setLastEventType(event.getType());
        return state;
    }

    static <T> List<T> prepend(List<T> list, T item, int cap) {
        List<T> result = new ArrayList<>(Math.min(cap, list.size() + 1));
        result.add(item);
        for (int i = 0; i < list.size() && result.size() < cap; i++) {
            result.add(list.get(i));
        }
        return result;
    }
}
