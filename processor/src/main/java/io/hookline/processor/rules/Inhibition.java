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

    public boolean inhibits(AlertEvent firing, AlertEvent alert) {
        if (firing.getAlertKey().equals(alert.getAlertKey()) || !source.matches(firing) || !target.matches(alert)) {
            return false;
        }
        for (String field : equal) {
            // The same values the matchers see: an alert without a host has the empty host here too.
            if (!Matchers.value(firing, field).equals(Matchers.value(alert, field))) {
                return false;
            }
        }
        return true;
    }
}
