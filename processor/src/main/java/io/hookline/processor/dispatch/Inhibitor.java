package io.hookline.processor.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.hookline.processor.rules.Inhibition;
import io.hookline.processor.rules.Rules;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.AlertStatus;
import io.hookline.schema.DeliveryOutcome;

/**
 * Mutes an alert while another alert that inhibits it fires (a host that is down mutes its jobs' alerts). What
 * fires is the latest step of every alert on hookline.alerts ({@code current}), overridden by the steps this
 * dispatcher has seen itself, since the view may lag behind them.
 */
final class Inhibitor implements Muter {

    /** How long a resolve this dispatcher saw keeps overriding the view, which may not have it yet. */
    static final Duration KEEP_RESOLVED = Duration.ofMinutes(10);

    private final Supplier<Rules> rules;
    private final Supplier<Collection<AlertEvent>> current;
    private final Map<String, AlertEvent> seen = new ConcurrentHashMap<>();

    /** {@code current} is only asked while the rules in force have inhibitions. */
    Inhibitor(Supplier<Rules> rules, Supplier<Collection<AlertEvent>> current) {
        this.rules = rules;
        this.current = current;
    }

    /** Takes note of an alert step on its way to the receivers. */
    void saw(AlertEvent alert, Instant now) {
        seen.put(alert.getAlertKey(), alert);
        Instant forgetBefore = now.minus(KEEP_RESOLVED);
        seen.values().removeIf(a -> a.getStatus() == AlertStatus.RESOLVED && a.getUpdatedAt().isBefore(forgetBefore));
    }

    /** Takes note of a step that fired before a restart, unless a newer one is known. */
    void sawBefore(AlertEvent alert) {
        seen.putIfAbsent(alert.getAlertKey(), alert);
    }

    @Override
    public Optional<Muted> muted(AlertEvent alert, Instant now) {
        List<Inhibition> inhibitions = rules.get().inhibitions();
        if (inhibitions.isEmpty() || alert.getStatus() == AlertStatus.RESOLVED) {
            return Optional.empty();
        }
        Map<String, AlertEvent> firing = new HashMap<>();
        current.get().forEach(a -> firing.put(a.getAlertKey(), a));
        firing.putAll(seen);
        for (AlertEvent other : firing.values()) {
            if (other.getStatus() == AlertStatus.RESOLVED) {
                continue;
            }
            for (Inhibition inhibition : inhibitions) {
                if (inhibition.inhibits(other, alert)) {
                    return Optional.of(new Muted(DeliveryOutcome.INHIBITED,
                            "inhibited while " + other.getAlertKey() + " fires: " + other.getSummary()));
                }
            }
        }
        return Optional.empty();
    }
}
