package io.hookline.processor.state;

import io.hookline.schema.JobState;
import io.hookline.schema.RunOutcome;
import io.hookline.schema.RunSummary;

/** A job's status as the API and the dashboard show and count it: running, new, failing, warning or ok. */
public final class JobStatus {

    private JobStatus() {
    }

    public static String of(JobState state) {
        if (state.getCurrentRun() != null) {
            return "running";
        }
        RunSummary last = state.getLastRun();
        if (last == null) {
            return "new";
        }
        RunOutcome outcome = last.getOutcome();
        return switch (outcome) {
            case FAILED, ABORTED -> "failing";
            case WARNING -> "warning";
            default -> "ok";
        };
    }
}
