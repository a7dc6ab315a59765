package io.hookline.processor.rest;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.hookline.schema.JobState;
import io.hookline.schema.RunSummary;

/** A job as the read API and the dashboard show it. */
public record JobView(
        String jobKey,
        String source,
        String sourceKind,
        String host,
        String job,
        String name,
        String status,
        RunView lastRun,
        RunningView running,
        Instant lastSuccessAt,
        Instant lastFailureAt,
        int consecutiveFailures,
        long runs,
        long succeeded,
        long warnings,
        long failed,
        long duplicateHooks,
        int restorePoints,
        Instant firstSeenAt,
        Instant updatedAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<RunView> recentRuns,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<CommandLink> commands,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<CommandView> triggered,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<io.hookline.processor.state.RunCalendar.Day> days,
        @JsonInclude(JsonInclude.Include.NON_NULL) ScheduleView schedule,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<PointView> series) {

    /** What the rules expect of the job: the rule's pattern, its schedule in words, when the next run is due. */
    public record ScheduleView(String rule, String schedule, Instant nextExpectedAt, Instant lateAfter,
            String maxDuration, String failures, boolean anomaly) {
    }

    /**
     * A run in the charts, oldest first: its duration and size, and the median of the successful runs before it
     * that the anomaly rule compares a run with (null until there are enough of them).
     */
    public record PointView(String runId, String outcome, Instant at, Long durationMs, Long bytes, Long files,
            Long medianDurationMs, Long medianBytes) {
    }

    public record RunView(String runId, String outcome, Instant startedAt, Instant finishedAt, Long durationMs,
            Long bytes, Long files, Integer errorCount, List<String> errors, String errorMessage,
            @JsonInclude(JsonInclude.Include.NON_NULL) CauseView causedBy) {

        static RunView of(RunSummary run) {
            return run == null ? null : new RunView(run.getRunId(), lower(run.getOutcome().name()), run.getStartedAt(),
                    run.getFinishedAt(), run.getDurationMs(), run.getBytes(), run.getFiles(), run.getErrorCount(),
                    run.getErrors(), run.getErrorMessage(), CauseView.of(run.getCause()));
        }
    }

    /** For a run of a chained command: the rule and the upstream runs that caused it. */
    public record CauseView(String commandId, String rule, int depth, List<CommandView.UpstreamView> upstream) {
        static CauseView of(io.hookline.schema.ChainCause cause) {
            return cause == null ? null : new CauseView(cause.getCommandId(), cause.getRule(), cause.getDepth(),
                    CommandView.UpstreamView.of(cause));
        }
    }

    /** A chained command addressed to this job, and where it stands. */
    public record CommandLink(String commandId, String rule, String agent, String action, String status,
            Instant queuedAt, Instant updatedAt, Instant expiresAt, Integer exitCode,
            List<CommandView.UpstreamView> upstream) {
        static CommandLink of(io.hookline.schema.CommandStatus status) {
            return new CommandLink(status.getCause().getCommandId(), status.getCause().getRule(), status.getAgent(),
                    status.getAction(), lower(status.getStatus().name()), status.getQueuedAt(), status.getUpdatedAt(),
                    status.getExpiresAt(), status.getExitCode(), CommandView.UpstreamView.of(status.getCause()));
        }
    }

    /** The same job, with the commands its runs triggered (newest first). */
    public JobView withTriggered(List<CommandView> commandsTriggered) {
        return new JobView(jobKey, source, sourceKind, host, job, name, status, lastRun, running, lastSuccessAt,
                lastFailureAt, consecutiveFailures, runs, succeeded, warnings, failed, duplicateHooks, restorePoints,
                firstSeenAt, updatedAt, recentRuns, commands, commandsTriggered, days, schedule, series);
    }

    /** The same job, with its run calendar. */
    public JobView withDays(List<io.hookline.processor.state.RunCalendar.Day> calendar) {
        return new JobView(jobKey, source, sourceKind, host, job, name, status, lastRun, running, lastSuccessAt,
                lastFailureAt, consecutiveFailures, runs, succeeded, warnings, failed, duplicateHooks, restorePoints,
                firstSeenAt, updatedAt, recentRuns, commands, triggered, calendar, schedule, series);
    }

    /** The same job, with what its rule expects and its runs as chart points. */
    public JobView withDetail(ScheduleView expected, List<PointView> points) {
        return new JobView(jobKey, source, sourceKind, host, job, name, status, lastRun, running, lastSuccessAt,
                lastFailureAt, consecutiveFailures, runs, succeeded, warnings, failed, duplicateHooks, restorePoints,
                firstSeenAt, updatedAt, recentRuns, commands, triggered, days, expected, points);
    }

    public record RunningView(String runId, Instant startedAt) {
    }

    public static JobView of(JobState state, boolean withHistory) {
        return new JobView(state.getJobKey(), state.getSourceName(), lower(state.getSourceKind().name()),
                state.getHost(), state.getJob(), state.getJobName() == null ? state.getJob() : state.getJobName(),
                status(state), RunView.of(state.getLastRun()),
                state.getCurrentRun() == null ? null
                        : new RunningView(state.getCurrentRun().getRunId(), state.getCurrentRun().getStartedAt()),
                state.getLastSuccessAt(), state.getLastFailureAt(), state.getConsecutiveFailures(),
                state.getRunCount(), state.getSuccessCount(), state.getWarningCount(), state.getFailureCount(),
                state.getDuplicateCount(), state.getRestorePoints().size(), state.getFirstSeenAt(),
                state.getUpdatedAt(),
                withHistory ? state.getRecentRuns().stream().map(RunView::of).toList() : null,
                withHistory && !state.getCommands().isEmpty()
                        ? state.getCommands().stream().map(CommandLink::of).toList() : null,
                null, null, null, null);
    }

    /** running, failing, warning, ok, or new (no finished run yet). */
    static String status(JobState state) {
        return io.hookline.processor.state.JobStatus.of(state);
    }

    private static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
