package io.hookline.processor.alerts;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.hookline.processor.rules.JobRule;
import io.hookline.schema.AlertCondition;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.AlertStatus;
import io.hookline.schema.JobState;
import io.hookline.schema.RunOutcome;
import io.hookline.schema.RunSummary;
import io.hookline.schema.Severity;

/**
 * The alert conditions, as pure functions of job state: what changes when an event was folded
 * ({@link #onEvent}) and when time passes ({@link #onClock}). A failed run is critical; a missed or stuck run,
 * or an anomaly, is a warning. Each returns the alert steps (firing, repeated, resolved) to record.
 */
public final class AlertLogic {

    /** Previous successful runs needed before a run can be called unusually short or small. */
    static final int ANOMALY_HISTORY = 5;
    static final int EVENT_IDS = 20;
    /** "/failed", "/missed", ...: each event looks up several alert keys of its job. */
    private static final String[] KEY_SUFFIXES = java.util.Arrays.stream(AlertCondition.values())
            .map(condition -> "/" + condition.name().toLowerCase(java.util.Locale.ROOT)).toArray(String[]::new);

    private AlertLogic() {
    }

    public static String key(String jobKey, AlertCondition condition) {
        return jobKey + KEY_SUFFIXES[condition.ordinal()];
    }

    /** @param current the alert now recorded under a key (firing, repeated or resolved), or null */
    public static List<AlertEvent> onEvent(JobState before, JobState after, String eventId, JobRule rule,
            Function<String, AlertEvent> current, Instant now) {
        List<AlertEvent> steps = new ArrayList<>();
        long runsBefore = before == null ? 0 : before.getRunCount();
        if (after.getRunCount() == runsBefore || after.getLastRun() == null) {
            return steps;
        }
        RunSummary run = after.getLastRun();
        boolean failed = run.getOutcome() == RunOutcome.FAILED || run.getOutcome() == RunOutcome.ABORTED;
        Instant when = run.getFinishedAt();

        if (failed) {
            String error = run.getErrorMessage() == null ? "no error message" : run.getErrorMessage();
            steps.add(fireOrRepeat(after, AlertCondition.FAILED, Severity.CRITICAL,
                    name(after) + " failed at " + when + ": " + error, eventId, current, now));
        } else {
            resolve(after, AlertCondition.FAILED, () -> name(after) + " recovered: the run that finished at " + when
                    + " succeeded", eventId, current, now, steps);
            resolve(after, AlertCondition.MISSED, () -> name(after) + " ran again: a run succeeded at " + when, eventId,
                    current, now, steps);
        }
        resolve(after, AlertCondition.STUCK, () -> name(after) + "'s run finished at " + when, eventId, current, now,
                steps);

        long recentFailures = after.getRecentRuns().stream().limit(rule.outOf())
                .filter(r -> r.getOutcome() == RunOutcome.FAILED || r.getOutcome() == RunOutcome.ABORTED).count();
        if (recentFailures >= rule.failures() && rule.failures() > 1) {
            if (!firing(current.apply(key(after.getJobKey(), AlertCondition.FAILURE_RATE)))) {
                steps.add(fire(after, AlertCondition.FAILURE_RATE, Severity.CRITICAL, name(after) + " failed "
                        + recentFailures + " of its last " + Math.min(rule.outOf(), after.getRecentRuns().size())
                        + " runs", eventId, now));
            }
        } else {
            resolve(after, AlertCondition.FAILURE_RATE, () -> name(after) + " fails less than " + rule.failures()
                    + " of " + rule.outOf() + " runs again", eventId, current, now, steps);
        }

        if (rule.anomaly() && !failed) {
            String anomaly = anomaly(after);
            if (anomaly != null) {
                steps.add(fireOrRepeat(after, AlertCondition.ANOMALY, Severity.WARNING, name(after) + ": " + anomaly,
                        eventId, current, now));
            } else {
                resolve(after, AlertCondition.ANOMALY, () -> name(after) + "'s last run looks usual again", eventId,
                        current, now, steps);
            }
        }
        return steps;
    }

    /** Deadlines: no success within the schedule (missed), a run not finished within its maximum (stuck). */
    public static List<AlertEvent> onClock(JobState state, JobRule rule, Function<String, AlertEvent> current, Instant now) {
        List<AlertEvent> steps = new ArrayList<>();
        if (rule.schedule() != null) {
            Instant reference = state.getLastSuccessAt() != null ? state.getLastSuccessAt() : state.getFirstSeenAt();
            Instant deadline = rule.schedule().deadlineAfter(reference);
            if (!now.isBefore(deadline) && !firing(current.apply(key(state.getJobKey(), AlertCondition.MISSED)))) {
                String since = state.getLastSuccessAt() != null ? "no successful run since " + reference
                        : "no successful run since it was first seen at " + reference;
                steps.add(fire(state, AlertCondition.MISSED, Severity.WARNING, name(state) + " missed its schedule ("
                        + rule.schedule().describe() + "): " + since + "; it was due by " + deadline, null, now));
            }
        }
        if (rule.maxDuration() != null && state.getCurrentRun() != null) {
            Instant started = state.getCurrentRun().getStartedAt();
            if (!now.isBefore(started.plus(rule.maxDuration()))
                    && !firing(current.apply(key(state.getJobKey(), AlertCondition.STUCK)))) {
                steps.add(fire(state, AlertCondition.STUCK, Severity.WARNING, name(state) + " has been running since "
                        + started + ", longer than its maximum of " + rule.maxDuration().toMinutes() + " minutes",
                        state.getCurrentRun().getEventId(), now));
            }
        }
        return steps;
    }

    /**
     * A restore point dated in the future or far from when it was reported: retention keeps it and leaves it out,
     * and says so (a warning), until a point dated plausibly comes again.
     */
    public static List<AlertEvent> onRestorePoint(JobState before, JobState after, String eventId,
            Function<String, AlertEvent> current, Instant now) {
        List<AlertEvent> steps = new ArrayList<>();
        if (after.getRestorePoints().isEmpty()) {
            return steps;
        }
        io.hookline.schema.RestorePoint added = after.getRestorePoints().get(0);
        boolean isNew = before == null || before.getRestorePoints().isEmpty()
                || !before.getRestorePoints().get(0).getId().equals(added.getId())
                || !before.getRestorePoints().get(0).getCreatedAt().equals(added.getCreatedAt());
        if (!isNew) {
            return steps;
        }
        String flag = io.hookline.processor.retention.Retention.flag(added,
                added.getReceivedAt() != null ? added.getReceivedAt() : now);
        if (flag != null) {
            steps.add(fireOrRepeat(after, AlertCondition.RESTORE_POINT_CLOCK, Severity.WARNING, name(after)
                    + ": restore point " + added.getId() + " is " + flag + "; retention keeps it and does not count it "
                    + "(check the backup host's clock)", eventId, current, now));
        } else {
            resolve(after, AlertCondition.RESTORE_POINT_CLOCK, () -> name(after) + "'s restore points are dated "
                    + "plausibly again (" + added.getId() + ")", eventId, current, now, steps);
        }
        return steps;
    }

    /** An agent's own job ({@code <agent>/agent}), that its polls are folded into. */
    public static boolean isAgentJob(JobState state) {
        return state.getSourceKind() == io.hookline.schema.SourceKind.AGENT && "agent".equals(state.getJob());
    }

    /** An agent that stopped polling: no AGENT_SEEN for {@code offlineAfter} (a missed heartbeat). */
    public static List<AlertEvent> agentOnClock(JobState state, Duration offlineAfter,
            Function<String, AlertEvent> current, Instant now) {
        List<AlertEvent> steps = new ArrayList<>();
        Instant due = state.getUpdatedAt().plus(offlineAfter);
        if (!now.isBefore(due) && !firing(current.apply(key(state.getJobKey(), AlertCondition.MISSED)))) {
            steps.add(fire(state, AlertCondition.MISSED, Severity.WARNING, "agent " + state.getSourceName()
                    + " stopped polling: last seen at " + state.getUpdatedAt() + ", offline after "
                    + offlineAfter.toMinutes() + " minutes; the commands of chains for it wait, then expire", null, now));
        }
        return steps;
    }

    /** An agent that polls again ends its missed-heartbeat alert. */
    public static List<AlertEvent> agentSeen(JobState state, String eventId, Function<String, AlertEvent> current,
            Instant now) {
        List<AlertEvent> steps = new ArrayList<>();
        resolve(state, AlertCondition.MISSED, () -> "agent " + state.getSourceName() + " polls again (" + now + ")",
                eventId, current, now, steps);
        return steps;
    }

    /** The runs that count as history for the anomaly rule: those that succeeded, with or without warnings. */
    public static List<RunSummary> successful(List<RunSummary> runs) {
        List<RunSummary> successful = new ArrayList<>(runs.size());
        for (RunSummary run : runs) {
            if (run.getOutcome() == RunOutcome.SUCCEEDED || run.getOutcome() == RunOutcome.WARNING) {
                successful.add(run);
            }
        }
        return successful;
    }

    /** Much shorter or much smaller than the median of the previous successful runs. */
    static String anomaly(JobState state) {
        List<RunSummary> runs = state.getRecentRuns();
        if (runs.isEmpty()) {
            return null;
        }
        RunSummary last = runs.get(0);
        List<RunSummary> history = successful(runs.subList(1, runs.size()));
        if (history.size() < ANOMALY_HISTORY) {
            return null;
        }
        Long duration = median(history, RunSummary::getDurationMs);
        if (duration != null && last.getDurationMs() != null && duration > 60_000 && last.getDurationMs() < duration / 5) {
            return "the last run took " + Duration.ofMillis(last.getDurationMs()).toSeconds() + " s, the usual is "
                    + Duration.ofMillis(duration).toSeconds() + " s";
        }
        Long bytes = median(history, RunSummary::getBytes);
        if (bytes != null && last.getBytes() != null && last.getBytes() < bytes / 2) {
            return "the last run saved " + last.getBytes() + " bytes, the usual is " + bytes;
        }
        Long files = median(history, RunSummary::getFiles);
        if (files != null && last.getFiles() != null && last.getFiles() < files / 2) {
            return "the last run saved " + last.getFiles() + " files, the usual is " + files;
        }
        return null;
    }

    /**
     * The usual value the anomaly rule compares a run with: the median of the values present, or null with fewer
     * than {@value #ANOMALY_HISTORY} of them. The dashboard's charts draw the same line.
     */
    public static Long median(List<Long> values) {
        return median(values, value -> value);
    }

    /** The same over one figure of each item; on every successful run, so without streams or boxing a list. */
    static <T> Long median(List<T> items, Function<T, Long> figure) {
        long[] present = new long[items.size()];
        int count = 0;
        for (T item : items) {
            Long value = figure.apply(item);
            if (value != null) {
                present[count++] = value;
            }
        }
        if (count < ANOMALY_HISTORY) {
            return null;
        }
        java.util.Arrays.sort(present, 0, count);
        return present[count / 2];
    }

    static boolean firing(AlertEvent alert) {
        return alert != null && alert.getStatus() != AlertStatus.RESOLVED;
    }

    private static AlertEvent fireOrRepeat(JobState state, AlertCondition condition, Severity severity, String summary,
            String eventId, Function<String, AlertEvent> current, Instant now) {
        AlertEvent open = current.apply(key(state.getJobKey(), condition));
        if (!firing(open)) {
            return fire(state, condition, severity, summary, eventId, now);
        }
        return step(open, AlertStatus.REPEATED, summary, eventId, null, now);
    }

    /** The summary is written only when there is an alert to resolve: on most events there is none. */
    private static void resolve(JobState state, AlertCondition condition, java.util.function.Supplier<String> summary,
            String eventId, Function<String, AlertEvent> current, Instant now, List<AlertEvent> steps) {
        AlertEvent open = current.apply(key(state.getJobKey(), condition));
        if (firing(open)) {
            steps.add(step(open, AlertStatus.RESOLVED, summary.get(), eventId, now, now));
        }
    }

    private static AlertEvent fire(JobState state, AlertCondition condition, Severity severity, String summary,
            String eventId, Instant now) {
        return AlertEvent.newBuilder()
                .setAlertKey(key(state.getJobKey(), condition))
                .setStatus(AlertStatus.FIRING)
                .setCondition(condition)
                .setSeverity(severity)
                .setJobKey(state.getJobKey())
                .setSourceName(state.getSourceName())
                .setSourceKind(state.getSourceKind())
                .setHost(state.getHost())
                .setJob(state.getJob())
                .setJobName(state.getJobName())
                .setSummary(summary)
                .setStartsAt(now)
                .setEndsAt(null)
                .setUpdatedAt(now)
                .setSequence(0)
                .setEventIds(eventId == null ? List.of() : List.of(eventId))
                .setLabels(Map.of())
                .build();
    }

    private static AlertEvent step(AlertEvent open, AlertStatus status, String summary, String eventId, Instant endsAt,
            Instant now) {
        List<String> ids = new ArrayList<>();
        if (eventId != null) {
            ids.add(eventId);
        }
        open.getEventIds().stream().filter(id -> !id.equals(eventId)).limit(EVENT_IDS - 1).forEach(ids::add);
        return AlertEvent.newBuilder()
                .setAlertKey(open.getAlertKey())
                .setStatus(status)
                .setCondition(open.getCondition())
                .setSeverity(open.getSeverity())
                .setJobKey(open.getJobKey())
                .setSourceName(open.getSourceName())
                .setSourceKind(open.getSourceKind())
                .setHost(open.getHost())
                .setJob(open.getJob())
                .setJobName(open.getJobName())
                .setSummary(summary)
                .setStartsAt(open.getStartsAt())
                .setEndsAt(endsAt)
                .setUpdatedAt(now)
                .setSequence(open.getSequence() + 1)
                .setEventIds(ids)
                .setLabels(open.getLabels())
                .build();
    }

    private static String name(JobState state) {
        return state.getJobName() != null && !state.getJobName().equals(state.getJob())
                ? state.getJobKey() + " (" + state.getJobName() + ")" : state.getJobKey();
    }
}
