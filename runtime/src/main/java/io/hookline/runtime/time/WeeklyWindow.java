package io.hookline.runtime.time;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * A recurring weekly window in local time: {@code Sat 22:00-Sun 06:00}, {@code Sun 01:00-03:00} or
 * {@code daily 01:00-02:00}. Used for maintenance windows (the gateway's interventions, the processor's silences).
 */
public record WeeklyWindow(DayOfWeek fromDay, LocalTime from, DayOfWeek toDay, LocalTime to, boolean daily) {

    /** Longer text is not a window: it is refused before any splitting, so no input costs more than this. */
    public static final int MAX_LENGTH = 64;

    public boolean contains(ZonedDateTime at) {
        if (daily) {
            LocalTime time = at.toLocalTime();
            return from.isBefore(to) ? !time.isBefore(from) && time.isBefore(to) : !time.isBefore(from) || time.isBefore(to);
        }
        long minute = minuteOfWeek(at.getDayOfWeek(), at.toLocalTime());
        long start = minuteOfWeek(fromDay, from);
        long end = minuteOfWeek(toDay, to);
        return start <= end ? minute >= start && minute < end : minute >= start || minute < end;
    }

    /** Parses a window; the message of the exception is the sentence to show. */
    public static WeeklyWindow parse(String spec) {
        if (spec == null || spec.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("a maintenance window is at most " + MAX_LENGTH
                    + " characters, like 'Sat 22:00-Sun 06:00'");
        }
        String[] halves = spec.strip().split("\\s*-\\s*");
        try {
            if (halves.length == 2) {
                String[] start = halves[0].strip().split("\\s+");
                String[] end = halves[1].strip().split("\\s+");
                if (start.length == 2 && start[0].equalsIgnoreCase("daily") && end.length == 1) {
                    return new WeeklyWindow(null, LocalTime.parse(start[1]), null, LocalTime.parse(end[0]), true);
                }
                if (start.length == 2 && end.length == 2) {
                    return new WeeklyWindow(day(start[0]), LocalTime.parse(start[1]), day(end[0]), LocalTime.parse(end[1]), false);
                }
                if (start.length == 2 && end.length == 1) {
                    return new WeeklyWindow(day(start[0]), LocalTime.parse(start[1]), day(start[0]), LocalTime.parse(end[0]), false);
                }
            }
        } catch (DateTimeParseException | IllegalArgumentException e) {
            // the message below says what is expected
        }
        throw new IllegalArgumentException("maintenance window '" + spec
                + "' is not 'Sat 22:00-Sun 06:00', 'Sun 01:00-03:00' or 'daily 01:00-02:00'");
    }

    private static long minuteOfWeek(DayOfWeek day, LocalTime time) {
        return (day.getValue() - 1) * 1440L + time.getHour() * 60L + time.getMinute();
    }

    private static DayOfWeek day(String text) {
        String prefix = text.strip().toUpperCase(Locale.ROOT);
        for (DayOfWeek day : DayOfWeek.values()) {
            if (prefix.length() >= 3 && day.name().startsWith(prefix)) {
                return day;
            }
        }
        throw new IllegalArgumentException(text);
    }
}
