package io.hookline.gateway.envelope;

import java.time.Instant;
import java.util.Optional;

import io.hookline.schema.BackupEvent;
import io.hookline.schema.RestorePoint;

/**
 * The ranges every figure and time of an event must lie in before it is written. A value outside them is a
 * mistake or an attack (-2^63 seconds overflows a timestamp downstream), so the hook is refused with the field's
 * name instead of reaching the processor.
 */
public final class Figures {

    /** A hundred years: longer than any backup, far below where milliseconds overflow. */
    public static final long MAX_DURATION_SECONDS = 100L * 365 * 24 * 3600;
    public static final long MAX_DURATION_MS = MAX_DURATION_SECONDS * 1000;
    /** An exabyte. */
    public static final long MAX_BYTES = 1L << 60;
    public static final long MAX_COUNT = 1_000_000_000_000L;
    public static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private Figures() {
    }

    /** {@code value * factor}, saturated instead of wrapping around, so that the range check sees the overflow. */
    public static Long scaled(Long value, long factor) {
        if (value == null) {
            return null;
        }
        try {
            return Math.multiplyExact(value, factor);
        } catch (ArithmeticException overflow) {
            return (value < 0) == (factor < 0) ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
    }

    /** The first figure or time of the event outside its range: the sentence that names it. */
    public static Optional<String> check(BackupEvent event) {
        String problem = length("job", event.getJob());
        problem = problem != null ? problem : length("host", event.getHost());
        problem = problem != null ? problem : length("run", event.getRunId());
        problem = problem != null ? problem : length("jobName", event.getJobName());
        problem = problem != null ? problem : length("target", event.getTarget());
        problem = problem != null ? problem : range("durationMs", event.getDurationMs(), 0, MAX_DURATION_MS);
        problem = problem != null ? problem : range("bytes", event.getBytes(), 0, MAX_BYTES);
        problem = problem != null ? problem : range("files", event.getFiles(), 0, MAX_COUNT);
        problem = problem != null ? problem
                : range("errorCount", event.getErrorCount() == null ? null : event.getErrorCount().longValue(), 0,
                        Integer.MAX_VALUE);
        problem = problem != null ? problem : time("occurredAt", event.getOccurredAt());
        RestorePoint point = event.getRestorePoint();
        if (problem == null && point != null) {
            problem = time("restorePoint.createdAt", point.getCreatedAt());
            problem = problem != null ? problem : range("restorePoint.sizeBytes", point.getSizeBytes(), 0, MAX_BYTES);
        }
        return Optional.ofNullable(problem);
    }

    /** Names are keys of state and of alerts: long ones are a mistake or an attack, not something to cut. */
    public static final int MAX_NAME_CHARS = 512;

    private static String length(String field, String value) {
        return value == null || value.length() <= MAX_NAME_CHARS ? null
                : field + " is " + value.length() + " characters long; at most " + MAX_NAME_CHARS;
    }

    private static String range(String field, Long value, long min, long max) {
        if (value == null || (value >= min && value <= max)) {
            return null;
        }
        return field + " is " + value + "; it must be from " + min + " to " + max;
    }

    private static String time(String field, Instant value) {
        if (value == null || (!value.isBefore(EARLIEST) && !value.isAfter(LATEST))) {
            return null;
        }
        return field + " is " + value + "; it must lie between " + EARLIEST + " and " + LATEST;
    }
}
