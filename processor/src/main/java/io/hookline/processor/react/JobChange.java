package io.hookline.processor.react;

import io.hookline.schema.BackupEvent;
import io.hookline.schema.JobState;

/**
 * One event folded into its job's state: the state before (null for a new job) and after, and the event. What every
 * reactor is handed, in the transaction of the fold.
 */
public record JobChange(String jobKey, JobState before, JobState after, BackupEvent event, long timestamp) {
}
