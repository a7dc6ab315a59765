package io.hookline.processor;

import static io.hookline.processor.Events.event;
import static io.hookline.processor.Events.succeeded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.hookline.processor.state.JobStateFold;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.EventType;
import io.hookline.schema.JobState;
import io.hookline.schema.RestorePoint;
import io.hookline.schema.RunOutcome;
import io.hookline.schema.serde.AvroSerde;

/** Whatever arrives, a job's state stays a record the broker takes, and odd figures never break the fold. */
class BoundedJobStateTest {

    static final String JOB = "esxi-prod/esxi01/04";
    static final Instant T0 = Instant.parse("2024-01-01T02:00:00Z");
    final AvroSerde<JobState> serde = AvroSerde.of(JobState.class);

    /** A nightly failure whose report is 70 kB: one long line per VM disk, as XSIBackup mails it. */
    static BackupEvent failedNight(int night) {
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < 70; i++) {
            errors.add("VM" + i + ": vmkfstools failed on disk " + i + " " + "x".repeat(990));
        }
        return event(JOB, EventType.RUN_FAILED, Integer.toString(night), T0.plusSeconds(86_400L * night))
                .setOutcome(RunOutcome.FAILED).setErrors(errors).setErrorCount(errors.size())
                .setErrorMessage(errors.get(0)).build();
    }

    @Test
    void threeYearsOfNightly70kBErrorReportsStayFarBelowTheBrokersRecordLimit() {
        JobState state = null;
        int largest = 0;
        for (int night = 0; night < 3 * 365; night++) {
            state = JobStateFold.apply(state, night % 2 == 0 ? failedNight(night)
                    : succeeded(JOB, Integer.toString(night), T0.plusSeconds(86_400L * night), 1000));
            largest = Math.max(largest, serde.encode(state).length);
        }
        assertEquals(3 * 365, state.getRunCount());
        assertTrue(largest < 512 * 1024, "the largest state was " + largest + " bytes");
        var lastFailure = state.getRecentRuns().stream().filter(r -> r.getOutcome() == RunOutcome.FAILED).findFirst()
                .orElseThrow();
        assertEquals(70, lastFailure.getErrorCount(), "the count still says how many errors the run had");
        assertEquals(JobStateFold.RUN_ERRORS, lastFailure.getErrors().size());
        assertEquals(70 - JobStateFold.RUN_ERRORS, lastFailure.getErrorsOmitted());
    }

    @Test
    void restorePointsWithHugeIdsAreDroppedOldestFirstAndCounted() {
        JobState state = null;
        for (int i = 0; i < 600; i++) {
            BackupEvent event = event(JOB, EventType.RUN_SUCCEEDED, "r" + i, T0.plusSeconds(3600L * i))
                    .setOutcome(RunOutcome.SUCCEEDED)
                    .setRestorePoint(RestorePoint.newBuilder().setId(i + "-" + "p".repeat(2000))
                            .setCreatedAt(T0.plusSeconds(3600L * i)).build())
                    .build();
            state = JobStateFold.apply(state, event);
        }
        assertTrue(serde.encode(state).length < 512 * 1024);
        assertTrue(state.getRestorePointsDropped() > 0);
        assertTrue(state.getRestorePoints().get(0).getId().startsWith("599-"), "the newest is always kept");
    }

    @Test
    void aDurationOfMinusTwoToTheSixtyThreeIsIgnoredNotAnOverflow() {
        BackupEvent hostile = event(JOB, EventType.RUN_SUCCEEDED, "1", T0).setOutcome(RunOutcome.SUCCEEDED)
                .setDurationMs(-9_223_372_036_854_775_807L).build();
        JobState state = JobStateFold.apply(null, hostile);
        assertNull(state.getLastRun().getDurationMs());
        assertNull(state.getLastRun().getStartedAt());
        serde.encode(state);
    }

    @Test
    void anOccurredAtBeyondYear9999IsReplacedByTheTimeTheHookArrived() {
        BackupEvent hostile = event(JOB, EventType.RUN_STARTED, "1", T0).setOccurredAt(Instant.ofEpochSecond(Long.MAX_VALUE / 1000))
                .build();
        JobState state = JobStateFold.apply(null, hostile);
        assertEquals(T0, state.getCurrentRun().getStartedAt());
        serde.encode(state);
    }
}
