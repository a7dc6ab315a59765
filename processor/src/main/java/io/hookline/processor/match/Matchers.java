package io.hookline.processor.match;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import io.hookline.runtime.text.Excerpt;
import io.hookline.schema.AlertEvent;

/**
 * The one matcher of alerts, used by routes, silences and inhibitions alike: a glob per field, all must match.
 * The fields are {@code source}, {@code kind}, {@code host}, {@code job} (the job key), {@code condition} and
 * {@code severity}; an alert without a host has the empty host everywhere.
 */
public record Matchers(Map<String, Glob> globs) {

    public static final Set<String> KEYS = Set.of("source", "kind", "host", "job", "condition", "severity");
    public static final Matchers ALL = new Matchers(Map.of());
    /** Fields one matcher set may name at most: there are only six. */
    public static final int MAX_MATCHERS = KEYS.size();

    public Matchers {
        globs = Map.copyOf(globs);
    }

    /**
     * Compiles {@code field -> glob}; the exception's message is the sentence to show (an unknown field, a glob
     * too long).
     */
    public static Matchers of(Map<String, String> patterns) {
        Map<String, Glob> globs = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : patterns.entrySet()) {
            if (!KEYS.contains(entry.getKey())) {
                throw new IllegalArgumentException("matcher '" + Excerpt.quoted(entry.getKey()) + "' is not one of "
                        + KEYS.stream().sorted().toList());
            }
            try {
                globs.put(entry.getKey(), Glob.of(entry.getValue()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("matcher " + entry.getKey() + ": " + e.getMessage());
            }
        }
        return new Matchers(globs);
    }

    public boolean matches(AlertEvent alert) {
        for (Map.Entry<String, Glob> glob : globs.entrySet()) {
            if (!glob.getValue().matches(value(alert, glob.getKey()))) {
                return false;
            }
        }
        return true;
    }

    public boolean isEmpty() {
        return globs.isEmpty();
    }

    /** An alert's value for one of {@link #KEYS}. */
    public static String value(AlertEvent alert, String key) {
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
