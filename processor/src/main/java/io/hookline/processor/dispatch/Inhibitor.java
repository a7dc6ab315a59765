package io.hookline.processor.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.hookline.processor.rules.Inhibition;
import io.hookline.processor.rules.Rules;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.AlertStatus;
import io.hookline.schema.DeliveryOutcome;

/**
 * Mutes an alert while another alert that inhibits it fires (a host that is down mutes its jobs' alerts). What
 * fires is the latest step of every alert, from two sources that may each lag the other: hookline.alerts read from
 * its beginning (followed once the rules have inhibitions) and the steps this dispatcher handles. A step never
 * overrides a newer one of the same alert (see {@link AlertSteps#newer}), and a resolve is remembered for
 * {@link #KEEP_RESOLVED} so that the lagging source cannot bring the alert back.
 *
 * <p>The firing alerts that can inhibit are indexed per inhibition by the values of its {@code equal} fields, so a
 * check costs what the alert's own bucket holds, not a walk over every firing alert: in a storm of new alerts each
 * one is checked, and each step is taken note of, in constant time.
 */
final class Inhibitor implements Muter {

    /** How long a resolve keeps a late firing step of the same alert (from the other source) from counting. */
    static final Duration KEEP_RESOLVED = Duration.ofMinutes(10);

    private record Expiry(Instant at, String alertKey, AlertEvent step) {
    }

    private final Supplier<Rules> rules;
    private final Consumer<BiConsumer<String, AlertEvent>> follow;
    /** The latest step of every alert that fires, or resolved within {@link #KEEP_RESOLVED}. */
    private final Map<String, AlertEvent> latest = new HashMap<>();
    private final PriorityQueue<Expiry> resolves = new PriorityQueue<>(Comparator.comparing(Expiry::at));
    /** Per inhibition of {@link #indexedFor}: its equal fields' values -> the firing alerts that match its source. */
    private final Map<Inhibition, Map<List<String>, Set<String>>> sources = new IdentityHashMap<>();
    private List<Inhibition> indexedFor = List.of();
    private boolean following;

    /**
     * {@code follow} starts reading hookline.alerts into the given callback (the key, and the step or null for a
     * deletion); it is called once, when the rules in force first have inhibitions.
     */
    Inhibitor(Supplier<Rules> rules, Consumer<BiConsumer<String, AlertEvent>> follow) {
        this.rules = rules;
        this.follow = follow;
        if (!rules.get().inhibitions().isEmpty()) {
            // Read from now on, so that the first alert after a start already sees what fires.
            startFollowing();
        }
    }

    /**
     * Takes note of an alert step on its way to the receivers. While the rules have never had inhibitions nothing is
     * held: what fires then would grow with the jobs for nothing, and a reload that adds inhibitions reads
     * hookline.alerts from its start anyway.
     */
    synchronized void saw(AlertEvent alert, Instant now) {
        if (following) {
            update(alert.getAlertKey(), alert, now);
        }
    }

    /** A record of hookline.alerts (null: the key was deleted). */
    void onTopic(String alertKey, AlertEvent alert) {
        update(alertKey, alert, Instant.now());
    }

    private synchronized void update(String alertKey, AlertEvent step, Instant now) {
        forgetResolved(now);
        AlertEvent known = latest.get(alertKey);
        if (step == null) {
            unindex(known);
            latest.remove(alertKey);
            return;
        }
        if (known != null && !AlertSteps.newer(step, known)) {
            return;
        }
        unindex(known);
        if (step.getStatus() != AlertStatus.RESOLVED) {
            latest.put(alertKey, step);
            index(step);
            return;
        }
        Instant forgetAt = step.getUpdatedAt().plus(KEEP_RESOLVED);
        if (forgetAt.isAfter(now)) {
            latest.put(alertKey, step);
            resolves.add(new Expiry(forgetAt, alertKey, step));
        } else {
            latest.remove(alertKey);
        }
    }

    private void forgetResolved(Instant now) {
        while (!resolves.isEmpty() && !resolves.peek().at().isAfter(now)) {
            Expiry due = resolves.poll();
            AlertEvent known = latest.get(due.alertKey());
            // That very resolve: a later firing's resolve (numbered from 0 again) has an expiry of its own.
            if (known == due.step()) {
                latest.remove(due.alertKey());
            }
        }
    }

    @Override
    public synchronized Optional<Muted> muted(AlertEvent alert, Instant now) {
        List<Inhibition> inhibitions = rules.get().inhibitions();
        if (inhibitions.isEmpty() || alert.getStatus() == AlertStatus.RESOLVED) {
            return Optional.empty();
        }
        startFollowing();
        forgetResolved(now);
        if (inhibitions != indexedFor) {
            reindex(inhibitions);
        }
        for (Inhibition inhibition : inhibitions) {
            if (!inhibition.target().matches(alert)) {
                continue;
            }
            Set<String> firing = sources.get(inhibition).getOrDefault(inhibition.equalValues(alert), Set.of());
            for (String key : firing) {
                if (!key.equals(alert.getAlertKey())) {
                    AlertEvent other = latest.get(key);
                    return Optional.of(new Muted(DeliveryOutcome.INHIBITED,
                            "inhibited while " + key + " fires: " + other.getSummary()));
                }
            }
        }
        return Optional.empty();
    }

    private void startFollowing() {
        if (!following) {
            following = true;
            follow.accept(this::onTopic);
        }
    }

    /** The rules' inhibitions changed: the index is built again from what fires. */
    private void reindex(List<Inhibition> inhibitions) {
        sources.clear();
        indexedFor = inhibitions;
        inhibitions.forEach(inhibition -> sources.put(inhibition, new HashMap<>()));
        new ArrayList<>(latest.values()).forEach(this::index);
    }

    private void index(AlertEvent alert) {
        if (alert.getStatus() == AlertStatus.RESOLVED) {
            return;
        }
        for (Inhibition inhibition : indexedFor) {
            if (inhibition.source().matches(alert)) {
                sources.get(inhibition).computeIfAbsent(inhibition.equalValues(alert), v -> new LinkedHashSet<>())
                        .add(alert.getAlertKey());
            }
        }
    }

    private void unindex(AlertEvent alert) {
        if (alert == null || alert.getStatus() == AlertStatus.RESOLVED) {
            return;
        }
        for (Inhibition inhibition : indexedFor) {
            Map<List<String>, Set<String>> buckets = sources.get(inhibition);
            List<String> values = inhibition.equalValues(alert);
            Set<String> bucket = buckets.get(values);
            if (bucket != null && bucket.remove(alert.getAlertKey()) && bucket.isEmpty()) {
                buckets.remove(values);
            }
        }
    }

    /** How many alerts it holds (firing, or resolved within {@link #KEEP_RESOLVED}): for tests. */
    synchronized int size() {
        return latest.size();
    }
}
