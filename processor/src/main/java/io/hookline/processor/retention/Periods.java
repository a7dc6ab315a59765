package io.hookline.processor.retention;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.IsoFields;

/**
 * The calendar periods a restore point falls in, as numbers that differ between periods (restic's buckets):
 * {@code YYYYMMDDHH}, {@code YYYYMMDD}, ISO {@code YYYYWW}, {@code YYYYMM}, {@code YYYY}, on the point's own clock or
 * in the policy's zone. Computed once per point: deciding over a million points stays one pass.
 */
record Periods(long hour, long day, long week, long month, long year) {

    static Periods of(Point point, ZoneId zone) {
        LocalDateTime local = zone == null
                ? LocalDateTime.ofEpochSecond(point.time().getEpochSecond(), point.time().getNano(), point.offset())
                : LocalDateTime.ofInstant(point.time(), zone);
        long year = local.getYear();
        long month = year * 100 + local.getMonthValue();
        long day = month * 100 + local.getDayOfMonth();
        long hour = day * 100 + local.getHour();
        long week = (long) local.get(IsoFields.WEEK_BASED_YEAR) * 100 + local.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
        return new Periods(hour, day, week, month, year);
    }

    /** 0 hourly, 1 daily, 2 weekly, 3 monthly, 4 yearly. */
    long get(int period) {
        return switch (period) {
            case 0 -> hour;
            case 1 -> day;
            case 2 -> week;
            case 3 -> month;
            default -> year;
        };
    }
}
