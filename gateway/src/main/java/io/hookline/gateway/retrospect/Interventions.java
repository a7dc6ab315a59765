package io.hookline.gateway.retrospect;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.hookline.gateway.GatewayConfig;
import io.hookline.gateway.source.Source;

/**
 * Whether Hookline answers a Retrospect start with an intervention (which cancels it): the job is paused, or the
 * moment falls inside a maintenance window. Only starts are held; everything else continues.
 */
public final class Interventions {

    /** A weekly window: from a day and time to a day and time, in the source's zone. */
    public record Window(DayOfWeek fromDay, LocalTime from, DayOfWeek toDay, LocalTime to, boolean daily) {

        boolean contains(ZonedDateTime at) {
            if (daily) {
                LocalTime time = at.toLocalTime();
                return from.isBefore(to) ? !time.isBefore(from) && time.isBefore(to)
                        : !time.isBefore(from) || time.isBefore(to);
            }
            long minute = minuteOfWeek(at.getDayOfWeek(), at.toLocalTime());
            long start = minuteOfWeek(fromDay, from);
            long end = minuteOfWeek(toDay, to);
            return start <= end ? minute >= start && minute < end : minute >= start || minute < end;
        }

        private static long minuteOfWeek(DayOfWeek day, LocalTime time) {
            return (day.getValue() - 1) * 1440L + time.getHour() * 60L + time.getMinute();
        }
    }

    private Interventions() {
    }

    static Optional<String> decide(RetrospectEvent event, String job, Source source, GatewayConfig.SourceConfig settings,
            Instant now) {
        if (event != RetrospectEvent.START_SCRIPT && event != RetrospectEvent.START_SOURCE) {
            return Optional.empty();
        }
        List<String> paused = settings.pausedJobs().orElse(List.of());
        if (paused.contains("*") || paused.stream().anyMatch(p -> p.equalsIgnoreCase(job))) {
            return Optional.of(settings.pauseMessage());
        }
        ZonedDateTime local = now.atZone(source.zone()).truncatedTo(ChronoUnit.MINUTES);
        for (Window window : windows(settings.maintenanceWindows().orElse(List.of()))) {
            if (window.contains(local)) {
                return Optional.of(settings.maintenanceMessage());
            }
        }
        return Optional.empty();
    }

    /** {@code Sat 22:00-Sun 06:00} or {@code daily 01:00-02:00}; invalid entries are refused at start-up. */
    static List<Window> windows(List<String> specs) {
        List<Window> windows = new ArrayList<>();
        for (String spec : specs) {
            windows.add(parse(spec));
        }
        return windows;
    }

    public static Window parse(String spec) {
        String[] halves = spec.strip().split("\\s*-\\s*");
        try {
            if (halves.length == 2) {
                String[] start = halves[0].strip().split("\\s+");
                String[] end = halves[1].strip().split("\\s+");
                if (start.length == 2 && start[0].equalsIgnoreCase("daily") && end.length == 1) {
                    return new Window(null, LocalTime.parse(start[1]), null, LocalTime.parse(end[0]), true);
                }
                if (start.length == 2 && end.length == 2) {
                    return new Window(day(start[0]), LocalTime.parse(start[1]), day(end[0]), LocalTime.parse(end[1]), false);
                }
                if (start.length == 2 && end.length == 1) {
                    return new Window(day(start[0]), LocalTime.parse(start[1]), day(start[0]), LocalTime.parse(end[0]), false);
                }
            }
        } catch (DateTimeParseException | IllegalArgumentException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("maintenance window '" + spec
                + "' is not 'Sat 22:00-Sun 06:00', 'Sun 01:00-03:00' or 'daily 01:00-02:00'");
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
