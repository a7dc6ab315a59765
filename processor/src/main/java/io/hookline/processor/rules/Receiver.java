package io.hookline.processor.rules;

import java.net.URI;
import java.time.Duration;

/**
 * Where notifications go: {@code console} (the processor's log), {@code webhook} (signed per Standard Webhooks
 * when it has a secret) or {@code slack} (an incoming-webhook URL). URLs and secrets are credentials: never printed.
 */
public record Receiver(String name, String type, URI url, String secret, Duration timeout, int maxAttempts, int line) {

    public static final java.util.Set<String> TYPES = java.util.Set.of("console", "webhook", "slack");

    @Override
    public String toString() {
        return "receiver " + name + " (" + type + ")";
    }
}
