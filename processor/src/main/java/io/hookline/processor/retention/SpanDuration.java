package io.hookline.processor.retention;

import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A span of calendar time as restic writes it for {@code --keep-within}: years, months, days and hours
 * ({@code 2y5m7d3h}; {@code m} is months). Subtracted the way restic (Go's {@code AddDate}) does: the calendar
 * fields first, overflowing days carried into the next month (31 March minus a month is 3 March, not 28
 * February), then the hours as elapsed time.
 */
public record SpanDuration(int years, int months, int days, int hours) {

    private static final Pattern PART = Pattern.compile("(\\d+)([ymdh])");

    public static SpanDuration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("an empty duration");
        }
        String rest = text.strip();
        int[] parts = new int[4];
        Matcher matcher = PART.matcher(rest);
        int at = 0;
        while (at < rest.length()) {
            if (!matcher.find(at) || matcher.start() != at) {
                throw new IllegalArgumentException("'" + text + "' is not a duration like 2y5m7d3h (years, months, "
                        + "days, hours)");
            }
            int value;
            try {
                value = Integer.parseInt(matcher.group(1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' holds a number too large");
            }
            parts["ymdh".indexOf(matcher.group(2))] += value;
            at = matcher.end();
        }
        if (parts[0] > 10_000 || parts[1] > 120_000 || parts[2] > 3_650_000 || parts[3] > 87_600_000) {
            throw new IllegalArgumentException("'" + text + "' is longer than ten thousand years");
        }
        return new SpanDuration(parts[0], parts[1], parts[2], parts[3]);
    }

    public boolean isZero() {
        return years == 0 && months == 0 && days == 0 && hours == 0;
    }

    /** {@code time} minus this span, as restic computes the start of a within-window. */
    public ZonedDateTime before(ZonedDateTime time) {
        long month0 = (long) time.getYear() * 12 + (time.getMonthValue() - 1) - (long) years * 12 - months;
        int year = (int) Math.floorDiv(month0, 12);
        int month = (int) Math.floorMod(month0, 12) + 1;
        // Go normalises day overflow (and underflow) by counting days from the first of the month.
        LocalDate date = LocalDate.of(year, month, 1).plusDays(time.getDayOfMonth() - 1L - days);
        ZonedDateTime shifted = ZonedDateTime.of(date, time.toLocalTime(), time.getZone());
        return shifted.minusHours(hours);
    }

    /** As restic prints it: {@code 2d}, {@code 1y6m}; the zero parts left out. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        if (years != 0) {
            text.append(years).append('y');
        }
        if (months != 0) {
            text.append(months).append('m');
        }
        if (days != 0) {
            text.append(days).append('d');
        }
        if (hours != 0) {
            text.append(hours).append('h');
        }
        return text.toString();
    }
}
