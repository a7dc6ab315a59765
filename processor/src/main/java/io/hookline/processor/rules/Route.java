package io.hookline.processor.rules;

import java.util.Map;
import java.util.regex.Pattern;

import io.hookline.schema.AlertEvent;

/**
 * Sends the alerts that match to a receiver. Matchers compare globs with the alert's {@code source}, {@code kind},
 * {@code host}, {@code job} (the job key), {@code condition} and {@code severity}; all must match. The first
 * matching route wins unless it says {@code continue: true}. Its {@link Grouping} batches what it sends.
 */
public record Route(Map<String, Pattern> match, String receiver, boolean continueMatching, Grouping grouping, int line) {

    public static final java.util.Set<String> KEYS = java.util.Set.of("source", "kind", "host", "job", "condition", "severity");

    public boolean matches(AlertEvent alert) {
        for (var matcher : match.entrySet()) {
            if (!matcher.getValue().matcher(value(alert, matcher.getKey())).matches()) {
                return false;
            }
        }
        return true;
    }

    /** An alert's value for one of {@link #KEYS}; an alert without a host has the empty host. */
    static String value(AlertEvent alert, String key) {
        return switch (key) {
            case "source" -> alert.getSourceName();
            case "kind" -> alert.getSourceKind().name().toLowerCase(java.util.Locale.ROOT);
            case "host" -> alert.getHost() == null ? "" : alert.getHost();
            case "job" -> alert.getJobKey();
            case "condition" -> alert.getCondition().name().toLowerCase(java.util.Locale.ROOT);
            default -> alert.getSeverity().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
