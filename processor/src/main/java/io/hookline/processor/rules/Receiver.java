package io.hookline.processor.rules;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Where notifications go, and how: a channel type and its options. URLs, keys, passwords and secrets are
 * credentials: never printed.
 */
public record Receiver(String name, String type, Map<String, String> options, Duration timeout, int maxAttempts,
        int line) {

    /** The options each channel requires and allows (headers.* for the SMS gateway's headers). */
    public static final Map<String, Set<String>> REQUIRED = Map.of(
            "console", Set.of(),
            "webhook", Set.of("url"),
            "slack", Set.of("url"),
            "teams", Set.of("url"),
            "ntfy", Set.of("url"),
            "pagerduty", Set.of("routing-key"),
            "sms", Set.of("url", "to", "body"),
            "email", Set.of("host", "from", "to"));

    public static final Map<String, Set<String>> ALLOWED = Map.of(
            "console", Set.of(),
            "webhook", Set.of("url", "secret"),
            "slack", Set.of("url"),
            "teams", Set.of("url"),
            "ntfy", Set.of("url", "token", "priority"),
            "pagerduty", Set.of("routing-key", "url"),
            "sms", Set.of("url", "to", "body", "method", "max-length"),
            "email", Set.of("host", "port", "from", "to", "username", "password", "starttls"));

    public String option(String key) {
        return options.get(key);
    }

    public String option(String key, String fallback) {
        return options.getOrDefault(key, fallback);
    }

    public URI url() {
        String url = options.get("url");
        return url == null ? null : URI.create(url);
    }

    public String secret() {
        return options.get("secret");
    }

    /** The SMS gateway's extra headers ({@code headers: {Authorization: ...}} in the rules). */
    public Map<String, String> headers() {
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        options.forEach((key, value) -> {
            if (key.startsWith("headers.")) {
                headers.put(key.substring("headers.".length()), value);
            }
        });
        return headers;
    }

    @Override
    public String toString() {
        return "receiver " + name + " (" + type + ")";
    }
}
