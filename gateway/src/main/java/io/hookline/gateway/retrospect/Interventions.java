package io.hookline.gateway.retrospect;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

import io.hookline.gateway.source.Source;
import io.hookline.runtime.time.WeeklyWindow;

/**
 * Whether Hookline answers a Retrospect start with an intervention (which cancels it): the job is paused, or the
 * moment falls inside a maintenance window. Only starts are held; everything else continues.
 */
final class Interventions {

    private Interventions() {
    }

    static Optional<String> decide(RetrospectEvent event, String job, Source source, Instant now) {
        if (event != RetrospectEvent.START_SCRIPT && event != RetrospectEvent.START_SOURCE) {
            return Optional.empty();
        }
        Source.Holds holds = source.holds();
        List<String> paused = holds.pausedJobs();
        if (paused.contains("*") || paused.stream().anyMatch(p -> p.equalsIgnoreCase(job))) {
            return Optional.of(holds.pauseMessage());
        }
        ZonedDateTime local = now.atZone(source.zone()).truncatedTo(ChronoUnit.MINUTES);
        for (WeeklyWindow window : holds.maintenanceWindows()) {
            if (window.contains(local)) {
                return Optional.of(holds.maintenanceMessage());
            }
        }
        return Optional.empty();
    }
}
