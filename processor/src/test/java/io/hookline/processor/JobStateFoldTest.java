package io.hookline.processor;

import static io.hookline.processor.Events.event;
import static io.hookline.processor.Events.failed;
import static io.hookline.processor.Events.succeeded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.hookline.processor.state.JobStateFold;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.EventType;
import io.hookline.schema.JobState;
import io.hookline.schema.RunOutcome;

class JobStateFoldTest {

    static final String JOB = "esxi-prod/esxi01/04";
    static final Instant T0 = Instant.parse("2026-11-21T02:00:00Z");

    static JobState fold(BackupEvent... events) {
        JobState state = null;
        for (BackupEvent event : events) {
            state = JobStateFold.apply(state, event);
        }
        return state;
    }

    /**
     * The fold hands the reactors the state before and after: the state before must come out of every kind of event
     * byte for byte as it went in (the fold copies only what it changes).
     */
    @Test
    void theStateBeforeIsNeverChangedByTheFold() {
        io.hookline.schema.serde.AvroSerde<JobState> states = io.hookline.schema.serde.AvroSerde.of(JobState.class);
        io.hookline.schema.RestorePoint point = io.hookline.schema.RestorePoint.newBuilder().setId("vm101")
                .setCreatedAt(T0).build();
        io.hookline.schema.CommandDetail command = io.hookline.schema.CommandDetail.newBuilder()
                .setCause(io.hookline.schema.ChainCause.newBuilder().setCommandId("cmd-1").setRule("copy")
                        .setDepth(1).setUpstream(List.of()).build())
                .setAgent("agent-1").setAction("copy")
                .build();
        List<BackupEvent> events = List.of(
                event(JOB, EventType.RUN_STARTED, "1", T0).build(),
                event(JOB, EventType.TARGET_FINISHED, "1", T0.plusSeconds(10)).setRestorePoint(point).build(),
                succeeded(JOB, "1", T0.plusSeconds(60), 60_000),
                failed(JOB, "2", T0.plusSeconds(3600), "disk full"),
                event(JOB, EventType.RESTORE_POINT_PINNED, null, T0.plusSeconds(3700))
                        .setRestorePoint(io.hookline.schema.RestorePoint.newBuilder().setId("rp-1").setCreatedAt(T0)
                                .build()).build(),
                event(JOB, EventType.COMMAND_QUEUED, "cmd-1", T0.plusSeconds(3800)).setCommand(command).build(),
                event(JOB, EventType.RUN_STARTED, "cmd-1", T0.plusSeconds(3900)).setCommand(command).build(),
                event(JOB, EventType.RUN_SUCCEEDED, "cmd-1", T0.plusSeconds(4000)).setCommand(command)
                        .setOutcome(RunOutcome.WARNING).setErrors(List.of("one file skipped")).build(),
                event(JOB, EventType.RESTORE_POINT_UNPINNED, null, T0.plusSeconds(4100))
                        .setRestorePoint(io.hookline.schema.RestorePoint.newBuilder().setId("rp-1").setCreatedAt(T0)
                                .build()).build(),
                event(JOB, EventType.RESTORE_POINT_DELETED, null, T0.plusSeconds(4200))
                        .setRestorePoint(io.hookline.schema.RestorePoint.newBuilder().setId("vm101").setCreatedAt(T0)
                                .build()).build());
        JobState state = null;
        for (BackupEvent next : events) {
            // Through the store's bytes, as the topology reads it: lists come back as Avro's own arrays.
            JobState before = state == null ? null : states.decode(states.encode(state));
            byte[] was = before == null ? null : states.encode(before);
            JobState after = JobStateFold.apply(before, next);
            if (before != null) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(was, states.encode(before), next.getType()
                        + " changed the state it was given");
            }
            // The same event again (a retried hook): counted as a duplicate, and the state given still unchanged.
            byte[] after1 = states.encode(after);
            JobStateFold.apply(after, next);
            org.junit.jupiter.api.Assertions.assertArrayEquals(after1, states.encode(after));
            state = after;
        }
        assertEquals(3, state.getRunCount());
        assertEquals(List.of("rp-1"), state.getRestorePoints().stream().map(p -> p.getId()).toList(),
                "vm101 deleted, rp-1 kept");
    }

    /** A new job's state holds the schema's defaults, and only the first event's facts beside them. */
    @Test
    void aNewJobsStateIsTheSchemasDefaultsAndItsFirstEvent() {
        BackupEvent started = event(JOB, EventType.RUN_STARTED, "1", T0).setJobName("Nightly").build();

        JobState state = JobStateFold.apply(null, started);

        JobState expected = JobState.newBuilder()
                .setJobKey(JOB).setSourceKind(io.hookline.schema.SourceKind.XSIBACKUP).setSourceName("esxi-prod")
                .setHost("esxi01").setJob("04").setJobName("Nightly").setFirstSeenAt(T0).setUpdatedAt(T0)
                .setLastEventId(started.getEventId()).setLastEventType(EventType.RUN_STARTED)
                .setEventCount(1).setRecentEventIds(List.of(started.getEventId()))
                .setCurrentRun(io.hookline.schema.RunInProgress.newBuilder().setRunId("1").setStartedAt(T0)
                        .setEventId(started.getEventId()).build())
                .build();
        assertEquals(expected, state);
        // Each new job's state is its own: the next job's first event leaves this one as it was.
        JobStateFold.apply(null, event("esxi-prod/esxi02/05", EventType.RUN_SUCCEEDED, "9", T0).build());
        assertEquals(expected, state);
    }

    @Test
    void aSuccessfulRunIsTheLastRunAndALastSuccessWithItsRestorePoint() {
        JobState state = fold(succeeded(JOB, "100", T0, 347_000));

        assertEquals(RunOutcome.SUCCEEDED, state.getLastRun().getOutcome());
        assertEquals(347_000L, state.getLastRun().getDurationMs());
        assertEquals(T0.minusSeconds(347), state.getLastRun().getStartedAt());
        assertEquals(T0, state.getLastSuccessAt());
        assertEquals(1, state.getRunCount());
        assertEquals(0, state.getConsecutiveFailures());
        assertEquals("rp-100", state.getRestorePoints().get(0).getId());
        assertEquals("esxi01", state.getJobKey().split("/")[1]);
    }

    @Test
    void aTargetsRestorePointTakesItsRunsOutcomeWhenTheRunEnds() {
        BackupEvent vmOk = event(JOB, EventType.TARGET_FINISHED, "200", T0)
                .setRestorePoint(io.hookline.schema.RestorePoint.newBuilder().setId("vm101").setCreatedAt(T0).build())
                .build();
        JobState running = fold(vmOk);
        assertNull(running.getRestorePoints().get(0).getRunOutcome(), "the run has not ended");
        assertEquals("200", running.getRestorePoints().get(0).getRunId());
        assertEquals(T0, running.getRestorePoints().get(0).getReceivedAt());

        JobState failed = JobStateFold.apply(running, failed(JOB, "200", T0.plusSeconds(60), "vm102 failed"));
        assertEquals(RunOutcome.FAILED, failed.getRestorePoints().get(0).getRunOutcome(),
                "a point of a failed run never counts toward retention");
        JobState succeeded = JobStateFold.apply(running, event(JOB, EventType.RUN_SUCCEEDED, "200", T0.plusSeconds(60))
                .setOutcome(RunOutcome.SUCCEEDED).build());
        assertEquals(RunOutcome.SUCCEEDED, succeeded.getRestorePoints().get(0).getRunOutcome());
        assertEquals(RunOutcome.SUCCEEDED, fold(succeeded(JOB, "300", T0, 1000)).getRestorePoints().get(0).getRunOutcome());
    }

    @Test
    void failuresCountUpAndASuccessResetsTheStreak() {
        JobState state = fold(failed(JOB, "1", T0, "disk full"), failed(JOB, "2", T0.plusSeconds(60), "disk full"));
        assertEquals(2, state.getConsecutiveFailures());
        assertEquals(2, state.getFailureCount());
        assertEquals("disk full", state.getLastRun().getErrorMessage());
        assertEquals(List.of(), state.getRestorePoints());

        state = JobStateFold.apply(state, succeeded(JOB, "3", T0.plusSeconds(120), 1000));
        assertEquals(0, state.getConsecutiveFailures());
        assertEquals(3, state.getRunCount());
        assertEquals(List.of("3", "2", "1"), state.getRecentRuns().stream().map(r -> r.getRunId()).toList());
    }

    @Test
    void aStartThenFinishMeasuresTheRunAndClearsTheRunInProgress() {
        JobState running = fold(event(JOB, EventType.RUN_STARTED, "7", T0).build());
        assertNotNull(running.getCurrentRun());

        BackupEvent finish = event(JOB, EventType.RUN_SUCCEEDED, "7", T0.plusSeconds(90)).build();
        JobState done = JobStateFold.apply(running, finish);

        assertNull(done.getCurrentRun());
        assertEquals(90_000L, done.getLastRun().getDurationMs());
        assertEquals(T0, done.getLastRun().getStartedAt());
    }

    @Test
    void aRetriedHookWithTheSameEventIdIsNotCountedTwice() {
        BackupEvent once = failed(JOB, "9", T0, "timeout");
        JobState state = fold(once, once);

        assertEquals(1, state.getRunCount());
        assertEquals(1, state.getConsecutiveFailures());
        assertEquals(1, state.getDuplicateCount());
    }

    @Test
    void errorsWithoutAFailureAreASuccessWithWarnings() {
        BackupEvent warned = event(JOB, EventType.RUN_SUCCEEDED, "5", T0).setErrorCount(2).build();
        JobState state = fold(warned);

        assertEquals(RunOutcome.WARNING, state.getLastRun().getOutcome());
        assertEquals(1, state.getWarningCount());
        assertEquals(T0, state.getLastSuccessAt());
    }

    @Test
    void recentRunsAreCappedNewestFirst() {
        JobState state = null;
        for (int i = 0; i < JobStateFold.RECENT_RUNS + 5; i++) {
            state = JobStateFold.apply(state, succeeded(JOB, Integer.toString(i), T0.plusSeconds(i * 60L), 1000));
        }
        assertEquals(JobStateFold.RECENT_RUNS, state.getRecentRuns().size());
        assertEquals(Integer.toString(JobStateFold.RECENT_RUNS + 4), state.getRecentRuns().get(0).getRunId());
        assertEquals(JobStateFold.RECENT_RUNS + 5, state.getRunCount());
    }
}
