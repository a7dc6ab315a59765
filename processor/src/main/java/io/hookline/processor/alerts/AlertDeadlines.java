package io.hookline.processor.alerts;

import java.time.Duration;
import java.time.Instant;

import io.hookline.processor.rules.JobRule;
import io.hookline.schema.JobState;

/**
 * When time alone can next raise an alert for a job, the instant {@link AlertReactor} indexes the job at (a
 * {@link io.hookline.processor.react.DueIndex}), so that a check reads only the jobs whose deadline has come.
 */
final class AlertDeadlines {

    private AlertDeadlines() {
    }

    /**
     * The first instant at which time alone can raise an alert for the job: its schedule's deadline after the last
     * success, its current run's maximum, an agent's offline time; null when nothing can. With {@code after}, only a
     * deadline later than it counts: one that has passed was checked already, and fires at most once.
     */
    static Instant next(JobState state, JobRule rule, Duration agentOfflineAfter, Instant after) {
        if (AlertLogic.isAgentJob(state)) {
            return later(state.getUpdatedAt().plus(agentOfflineAfter), after);
        }
        Instant next = null;
        if (rule.schedule() != null) {
            Instant reference = state.getLastSuccessAt() != null ? state.getLastSuccessAt() : state.getFirstSeenAt();
            next = earliest(next, later(rule.schedule().deadlineAfter(reference), after));
        }
        if (rule.maxDuration() != null && state.getCurrentRun() != null) {
            next = earliest(next, later(state.getCurrentRun().getStartedAt().plus(rule.maxDuration()), after));
        }
        return next;
    }

    private static Instant later(Instant at, Instant after) {
        return after == null || at.isAfter(after) ? at : null;
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
    }
}
