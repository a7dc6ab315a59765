package io.hookline.processor.rules;

import java.util.List;

import io.hookline.processor.match.Matchers;
import io.hookline.schema.AlertEvent;

/**
 * While an alert matching {@code source} fires, alerts matching {@code target} that share the {@code equal} fields
 * (host, source, job) are not sent: a host that is down mutes its jobs' alerts. Never a resolve.
 */
public record Inhibition(Matchers source, Matchers target, List<String> equal, int line) {

    public static final java.util.Set<String> EQUAL_KEYS = java.util.Set.of("host", "source", "job");

    /**
     * The values of the {@code equal} fields, as the matchers see them (an alert without a host has the empty host):
     * a firing source alert inhibits the target alerts with the same values.
     */
    public List<String> equalValues(AlertEvent alert) {
        List<String> values = new java.util.ArrayList<>(equal.size());
        for (String field : equal) {
            values.add(Matchers.value(alert, field));
        }
        return values;
    }
}
