package io.hookline.processor.alerts;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;

import io.hookline.processor.rules.JobRule;
import io.hookline.schema.JobState;

/**
 * The jobs of one task by the time of their next deadline (a missed schedule, a stuck run, an agent gone quiet), so
 * that a check costs what is due, not the number of jobs. It holds a job's key and one instant, never its state;
 * it is rebuilt from the job store when a task starts and when the rules change, and kept by every change after.
 */
final class DeadlineIndex {

    private record Due(long at, String jobKey) implements Comparable<Due> {
        @Override
        public int compareTo(Due other) {
            int byTime = Long.compare(at, other.at);
            return byTime != 0 ? byTime : jobKey.compareTo(other.jobKey);
        }
    }

    private final NavigableSet<Due> byTime = new TreeSet<>();
    private final Map<String, Long> byJob = new HashMap<>();

    /** Indexes the job at {@code at}, or takes it out when it has no deadline ({@code at} null). */
    void put(String jobKey, Instant at) {
        Long previous = at == null ? byJob.remove(jobKey) : byJob.put(jobKey, at.toEpochMilli());
        if (previous != null) {
            byTime.remove(new Due(previous, jobKey));
        }
        if (at != null) {
            byTime.add(new Due(at.toEpochMilli(), jobKey));
        }
    }

    /** Takes out and returns the jobs whose deadline is at or before {@code now}, earliest first. */
    List<String> takeDue(Instant now) {
        List<String> due = new ArrayList<>();
        long until = now.toEpochMilli();
        while (!byTime.isEmpty() && byTime.first().at() <= until) {
            Due first = byTime.pollFirst();
            byJob.remove(first.jobKey());
            due.add(first.jobKey());
        }
        return due;
    }

    void clear() {
        byTime.clear();
        byJob.clear();
    }

    int size() {
        return byJob.size();
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
