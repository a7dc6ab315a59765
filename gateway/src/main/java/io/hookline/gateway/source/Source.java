package io.hookline.gateway.source;

import java.time.ZoneId;
import java.util.List;

import io.hookline.runtime.time.WeeklyWindow;
import io.hookline.schema.SourceKind;

/**
 * A configured source that hooks authenticate as, with every setting of it, checked at start: nothing looks a
 * source's settings up by name. Its token is not kept here, and its signing secret is never printed.
 */
public record Source(String name, SourceKind kind, String ack, ZoneId zone, Limits limits, Holds holds,
        String signingSecret) {

    /** How much a source may send: hooks per second and at once, and how many jobs it may create. */
    public record Limits(double ratePerSecond, int burst, int maxJobs) {
        public static final Limits DEFAULT = new Limits(20, 200, 1000);
    }

    /**
     * The jobs whose start is refused by an intervention ({@code *}: all), and the weekly maintenance windows in
     * the source's time zone, with the text each answers.
     */
    public record Holds(List<String> pausedJobs, String pauseMessage, List<WeeklyWindow> maintenanceWindows,
            String maintenanceMessage) {
        public static final Holds NONE = new Holds(List.of(), "Paused in Hookline by the operator", List.of(),
                "Maintenance window (Hookline): the backup will run at its next schedule");

        public Holds {
            pausedJobs = List.copyOf(pausedJobs);
            maintenanceWindows = List.copyOf(maintenanceWindows);
        }
    }

    /** A source with the default limits, no holds and no signing secret (tests and tools). */
    public Source(String name, SourceKind kind, String ack, ZoneId zone) {
        this(name, kind, ack, zone, Limits.DEFAULT, Holds.NONE, null);
    }

    @Override
    public String toString() {
        return "source " + name + " (" + kind.name().toLowerCase(java.util.Locale.ROOT) + ")";
    }
}
