package io.hookline.gateway.retrospect;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.hookline.gateway.GatewayConfig;
import io.hookline.gateway.source.Source;
import io.hookline.runtime.time.WeeklyWindow;

/**
 * Whether Hookline answers a Retrospect start with an intervention (which cancels it): the job is paused, or the
 * moment falls inside a maintenance window. Only starts are held; everything else continues.
 */
final class Interventions {

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
        for (WeeklyWindow window : windows(settings.maintenanceWindows().orElse(List.of()))) {
            if (window.contains(local)) {
                return Optional.of(settings.maintenanceMessage());
            }
        }
        return Optional.empty();
    }

    /** {@code Sat 22:00-Sun 06:00} or {@code daily 01:00-02:00}; invalid entries are refused at start-up. */
    static List<WeeklyWindow> windows(List<String> specs) {
        List<WeeklyWindow> windows = new ArrayList<>();
        for (String spec : specs) {
            windows.add(WeeklyWindow.parse(spec));
        }
        return windows;
    }
}
