package io.hookline.processor.state;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import io.hookline.processor.rules.Schedule;
import io.hookline.schema.JobState;
import io.hookline.schema.RunMark;
import io.hookline.schema.RunOutcome;

/**
 * The run calendar: how a job's runs ended, day by day, in the viewer's time zone. The fold keeps a mark per quarter
 * hour in which runs started ({@link #add}: a few hundred small records however often the job runs, so that the
 * calendar can be drawn in any zone); {@link #days} turns them into days and says which days a run was expected and
 * none came (missed).
 */
public final class RunCalendar {

    /** Marks kept per job: 60 days of a daily job, about a fortnight of an hourly one. */
    public static final int MAX_MARKS = 400;
    /** Marks older than this (before the newest) go. */
    static final Duration KEEP = Duration.ofDays(62);
    static final long SLOT_MS = Duration.ofMinutes(15).toMillis();

    private RunCalendar() {
    }

    /** The marks with one more run that started (or, its start unknown, ended) at {@code at}. */
    public static List<RunMark> add(List<RunMark> marks, Instant at, RunOutcome outcome) {
        long slot = Math.floorDiv(at.toEpochMilli(), SLOT_MS) * SLOT_MS;
        List<RunMark> result = new ArrayList<>(marks.size() + 1);
        int index = marks.size();
        while (index > 0 && marks.get(index - 1).getAt().toEpochMilli() > slot) {
            index--;
        }
        RunMark same = index > 0 && marks.get(index - 1).getAt().toEpochMilli() == slot ? marks.get(index - 1) : null;
        // The marks not changed are shared with the state before (the fold never changes a record in place): a copy
        // of each of up to 400 marks on every run was most of the fold's time for a job that runs hourly.
        for (int i = 0; i < marks.size(); i++) {
            if (marks.get(i) != same) {
                result.add(marks.get(i));
            }
        }
        RunMark mark = same == null ? RunMark.newBuilder().setAt(Instant.ofEpochMilli(slot)).build()
                : io.hookline.schema.serde.Records.shallowCopy(same);
        switch (outcome) {
            case SUCCEEDED -> mark.setSucceeded(mark.getSucceeded() + 1);
            case WARNING -> mark.setWarnings(mark.getWarnings() + 1);
            default -> mark.setFailed(mark.getFailed() + 1);
        }
        result.add(same == null ? index : index - 1, mark);
        Instant newest = result.get(result.size() - 1).getAt();
        int drop = 0;
        while (drop < result.size() - 1 && (result.size() - drop > MAX_MARKS
                || result.get(drop).getAt().isBefore(newest.minus(KEEP)))) {
            drop++;
        }
        return drop == 0 ? result : new ArrayList<>(result.subList(drop, result.size()));
    }

    /**
     * One day of the calendar. {@code outcome}: failed, warning, ok, running (today, a run under way and nothing
     * else yet), missed (a run was due and none started), none (nothing due, nothing ran), unknown (before the
     * job was first seen, or older than the marks kept).
     */
    public record Day(LocalDate date, String outcome, int runs, int succeeded, int warnings, int failed) {
    }

    /** The {@code count} days up to today in {@code zone}, oldest first. */
    public static List<Day> days(JobState state, Schedule schedule, ZoneId zone, int count, Instant now) {
        LocalDate today = now.atZone(zone).toLocalDate();
        LocalDate first = today.minusDays(count - 1L);
        List<RunMark> marks = state.getRunMarks();
        // Marks were let go before the oldest one kept: the days before it are not known, not missed.
        Instant knownFrom = marks.size() >= MAX_MARKS ? marks.get(0).getAt() : state.getFirstSeenAt();
        int[][] tally = new int[count][3];
        for (RunMark mark : marks) {
            LocalDate date = mark.getAt().atZone(zone).toLocalDate();
            int i = (int) (date.toEpochDay() - first.toEpochDay());
            if (i >= 0 && i < count) {
                tally[i][0] += mark.getSucceeded();
                tally[i][1] += mark.getWarnings();
                tally[i][2] += mark.getFailed();
            }
        }
        List<Day> days = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            LocalDate date = first.plusDays(i);
            Instant start = date.atStartOfDay(zone).toInstant();
            Instant end = date.plusDays(1).atStartOfDay(zone).toInstant();
            int ok = tally[i][0];
            int warn = tally[i][1];
            int bad = tally[i][2];
            String outcome;
            if (bad > 0) {
                outcome = "failed";
            } else if (warn > 0) {
                outcome = "warning";
            } else if (ok > 0) {
                outcome = "ok";
            } else if (!end.isAfter(knownFrom)) {
                outcome = "unknown";
            } else if (date.equals(today) && state.getCurrentRun() != null) {
                outcome = "running";
            } else if (schedule != null && due(schedule, start.isBefore(knownFrom) ? knownFrom : start, end, now)) {
                outcome = "missed";
            } else {
                outcome = "none";
            }
            days.add(new Day(date, outcome, ok + warn + bad, ok, warn, bad));
        }
        return days;
    }

    /** A run was due in [from, to) and its grace is over by now. */
    static boolean due(Schedule schedule, Instant from, Instant to, Instant now) {
        if (!from.isBefore(to)) {
            return false;
        }
        if (schedule.every() != null) {
            // An interval schedule: a day with no run is missed when the interval fits in it.
            return schedule.every().compareTo(Duration.ofDays(1)) <= 0 && !to.plus(schedule.grace()).isAfter(now);
        }
        java.util.Optional<java.time.ZonedDateTime> next = schedule.cron()
                .nextExecution(from.minusMillis(1).atZone(schedule.zone()));
        return next.isPresent() && next.get().toInstant().isBefore(to)
                && !next.get().toInstant().plus(schedule.grace()).isAfter(now);
    }

    /** When the next run is expected: the schedule's next time after the last success (or the first sight). */
    public static Instant nextExpected(JobState state, Schedule schedule) {
        if (schedule == null) {
            return null;
        }
        Instant since = state.getLastSuccessAt() != null ? state.getLastSuccessAt() : state.getFirstSeenAt();
        return schedule.deadlineAfter(since).minus(schedule.grace());
    }
}
