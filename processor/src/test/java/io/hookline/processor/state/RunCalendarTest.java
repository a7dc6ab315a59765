package io.hookline.processor.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import io.hookline.processor.rules.Schedule;
import io.hookline.schema.EventType;
import io.hookline.schema.JobState;
import io.hookline.schema.RunInProgress;
import io.hookline.schema.RunMark;
import io.hookline.schema.RunOutcome;
import io.hookline.schema.SourceKind;

/** The run calendar: marks per quarter hour, days in any zone, missed and unknown days. */
class RunCalendarTest {

    static final Instant NOW = Instant.parse("2026-12-02T09:00:00Z");

    static JobState state(Instant firstSeen, List<RunMark> marks) {
        return JobState.newBuilder().setJobKey("esxi-prod/esxi01/vm").setSourceKind(SourceKind.XSIBACKUP)
                .setSourceName("esxi-prod").setJob("vm").setFirstSeenAt(firstSeen).setUpdatedAt(firstSeen)
                .setLastEventId("e").setLastEventType(EventType.RUN_SUCCEEDED).setRunMarks(marks).build();
    }

    static Schedule cron(String expression, String zone, Duration grace) {
        ExecutionTime time = ExecutionTime.forCron(new CronParser(CronDefinitionBuilder.instanceDefinitionFor(
                CronType.UNIX)).parse(expression));
        return new Schedule(null, time, expression, ZoneId.of(zone), grace);
    }

    @Test
    void runsInTheSameQuarterHourShareAMarkAndTheWorstOutcomeColoursTheDay() {
        List<RunMark> marks = RunCalendar.add(List.of(), Instant.parse("2026-12-01T02:01:00Z"), RunOutcome.FAILED);
        marks = RunCalendar.add(marks, Instant.parse("2026-12-01T02:14:59Z"), RunOutcome.SUCCEEDED);
        marks = RunCalendar.add(marks, Instant.parse("2026-12-01T02:15:00Z"), RunOutcome.WARNING);
        // A run reported late (its start before the newest mark) goes in its place, not at the end.
        marks = RunCalendar.add(marks, Instant.parse("2026-11-30T02:00:00Z"), RunOutcome.SUCCEEDED);
        assertEquals(List.of(Instant.parse("2026-11-30T02:00:00Z"), Instant.parse("2026-12-01T02:00:00Z"),
                Instant.parse("2026-12-01T02:15:00Z")), marks.stream().map(RunMark::getAt).toList());
        assertEquals(1, marks.get(1).getFailed());
        assertEquals(1, marks.get(1).getSucceeded());

        List<RunCalendar.Day> days = RunCalendar.days(state(Instant.parse("2026-11-20T00:00:00Z"), marks), null,
                ZoneId.of("UTC"), 3, NOW);
        assertEquals(List.of("ok", "failed", "none"), days.stream().map(RunCalendar.Day::outcome).toList());
        assertEquals(new RunCalendar.Day(java.time.LocalDate.parse("2026-12-01"), "failed", 3, 1, 1, 1), days.get(1));
    }

    @Test
    void aDayIsTheViewersDay() {
        List<RunMark> marks = RunCalendar.add(List.of(), Instant.parse("2026-11-30T23:30:00Z"), RunOutcome.FAILED);
        JobState job = state(Instant.parse("2026-11-01T00:00:00Z"), marks);
        assertEquals("failed", RunCalendar.days(job, null, ZoneId.of("UTC"), 3, NOW).get(0).outcome());
        // Half past midnight in Berlin: the 1st.
        assertEquals(List.of("none", "failed", "none"), RunCalendar.days(job, null, ZoneId.of("Europe/Berlin"), 3, NOW)
                .stream().map(RunCalendar.Day::outcome).toList());
    }

    @Test
    void aNightTheScheduleExpectedARunAndNoneCameIsMissedButNotTonightsStillToCome() {
        // Due at 02:00 Berlin, an hour of grace; runs on the 29th and today, none on the 30th and the 1st.
        Schedule nightly = cron("0 2 * * *", "Europe/Berlin", Duration.ofHours(1));
        List<RunMark> marks = RunCalendar.add(List.of(), Instant.parse("2026-11-29T01:00:00Z"), RunOutcome.SUCCEEDED);
        marks = RunCalendar.add(marks, Instant.parse("2026-12-02T01:00:00Z"), RunOutcome.SUCCEEDED);
        JobState job = state(Instant.parse("2026-11-28T12:00:00Z"), marks);
        assertEquals(List.of("unknown", "none", "ok", "missed", "missed", "ok"),
                RunCalendar.days(job, nightly, ZoneId.of("Europe/Berlin"), 6, NOW).stream()
                        .map(RunCalendar.Day::outcome).toList());
        // Before 03:00 Berlin today, today's run is not late yet: none, not missed.
        JobState quiet = state(Instant.parse("2026-11-28T12:00:00Z"), List.of());
        assertEquals("none", RunCalendar.days(quiet, nightly, ZoneId.of("Europe/Berlin"), 1,
                Instant.parse("2026-12-02T01:30:00Z")).get(0).outcome());
        assertEquals("missed", RunCalendar.days(quiet, nightly, ZoneId.of("Europe/Berlin"), 1,
                Instant.parse("2026-12-02T02:30:00Z")).get(0).outcome());
        // A run under way today shows as running.
        quiet.setCurrentRun(RunInProgress.newBuilder().setRunId("9").setStartedAt(NOW).setEventId("e9").build());
        assertEquals("running", RunCalendar.days(quiet, nightly, ZoneId.of("UTC"), 1, NOW).get(0).outcome());
    }

    @Test
    void theMarksStayBoundedAndTheDaysBeforeTheOldestKeptAreUnknownNotMissed() {
        List<RunMark> marks = new ArrayList<>();
        Instant start = NOW.minus(Duration.ofDays(30));
        for (int i = 0; i < 30 * 24; i++) {
            marks = RunCalendar.add(marks, start.plus(Duration.ofHours(i)), RunOutcome.SUCCEEDED);
        }
        assertEquals(RunCalendar.MAX_MARKS, marks.size());
        Schedule hourly = new Schedule(Duration.ofHours(1), null, null, ZoneId.of("UTC"), Duration.ofMinutes(30));
        List<RunCalendar.Day> days = RunCalendar.days(state(start, marks), hourly, ZoneId.of("UTC"), 30, NOW);
        assertEquals("unknown", days.get(0).outcome(), days.toString());
        assertEquals("ok", days.get(29).outcome());
        assertEquals(0, days.stream().filter(d -> d.outcome().equals("missed")).count(), days.toString());
        // Marks older than the keep window go too, however few.
        List<RunMark> old = RunCalendar.add(List.of(), NOW.minus(Duration.ofDays(90)), RunOutcome.SUCCEEDED);
        assertEquals(List.of(NOW), RunCalendar.add(old, NOW, RunOutcome.SUCCEEDED).stream().map(RunMark::getAt).toList());
    }
}
