package io.hookline.processor.rules;

import io.hookline.processor.match.Matchers;

/**
 * Sends the alerts that match to a receiver. Matchers compare globs with the alert's {@code source}, {@code kind},
 * {@code host}, {@code job} (the job key), {@code condition} and {@code severity}; all must match. The first
 * matching route wins unless it says {@code continue: true}. Its {@link Grouping} batches what it sends.
 */
public record Route(Matchers match, String receiver, boolean continueMatching, Grouping grouping, int line) {
}
