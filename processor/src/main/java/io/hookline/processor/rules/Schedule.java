package io.hookline.processor.rules;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

import com.cronutils.model.time.ExecutionTime;

/**
 * When a job must have succeeded again: {@code every} + {@code grace} after its last success, or the next cron
 * time after it (in the schedule's time zone) + {@code grace}, as Healthchecks checks do.
 */
public record Schedule(Duration every, ExecutionTime cron, String cronText, ZoneId zone, Duration grace) {

    public Instant deadlineAfter(Instant lastSuccess) {
        if (every != null) {
            return lastSuccess.plus(every).plus(grace);
        }
        ZonedDateTime next = cron.nextExecution(lastSuccess.atZone(zone)).orElse(lastSuccess.atZone(zone).plusYears(100));
        return next.toInstant().plus(grace);
    }

    public String describe() {
        return (every != null ? "every " + Values.format(every) : "cron '" + cronText + "' (" + zone + ")")
                + " + " + Values.format(grace) + " grace";
    }
}
