package io.hookline.processor.silences;

import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;


import io.hookline.processor.ProcessorConfig;
import io.hookline.runtime.topics.CompactedTopicView;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.Silence;
import io.hookline.runtime.time.WeeklyWindow;
import io.hookline.schema.topics.Topics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * The silences, kept on the compacted hookline.silences topic (so every instance and every restart sees the same
 * ones) and held in memory here. A silence mutes the firing and repeated steps of matching alerts, never their
 * resolves.
 */
@ApplicationScoped
public class Silences {

    private CompactedTopicView<Silence> active;

    void onStart(@Observes StartupEvent start, ProcessorConfig config,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        active = new CompactedTopicView<>(new Topics(config.topics().prefix()).silences(), Silence.class, kafkaConfig);
    }

    /** The silence that mutes this alert step now, if any. Resolves are never muted. */
    public Optional<Silence> muting(AlertEvent alert, Instant now) {
        if (alert.getStatus() == io.hookline.schema.AlertStatus.RESOLVED) {
            return Optional.empty();
        }
        return active.values().stream().filter(s -> matches(s, alert) && activeAt(s, now))
                .min(Comparator.comparing(Silence::getCreatedAt));
    }

    /** Any silence matching the alert now, resolves included: for the API's view. */
    public Optional<Silence> matching(AlertEvent alert, Instant now) {
        return active.values().stream().filter(s -> matches(s, alert) && activeAt(s, now)).findFirst();
    }

    public List<Silence> all() {
        return active.values().stream().sorted(Comparator.comparing(Silence::getCreatedAt)).toList();
    }

    public Optional<Silence> get(String id) {
        return active.get(id);
    }

    public void put(Silence silence) throws CompactedTopicView.NotConfirmed {
        active.put(silence.getId(), silence);
    }

    public void delete(String id) throws CompactedTopicView.NotConfirmed {
        active.delete(id);
    }

    /** Whether a silence waits for this alert to resolve. */
    public boolean untilResolved(String alertKey) {
        return active.values().stream().anyMatch(silence -> alertKey.equals(silence.getUntilResolved()));
    }

    /**
     * A silence "until resolved" ends with its alert: every one waiting for it is ended, and the first end Kafka did
     * not confirm is thrown once all were tried (the ones ended stay ended; trying again ends the rest).
     */
    public void resolved(AlertEvent alert) throws CompactedTopicView.NotConfirmed {
        CompactedTopicView.NotConfirmed failed = null;
        for (Silence silence : List.copyOf(active.values())) {
            if (alert.getAlertKey().equals(silence.getUntilResolved())) {
                try {
                    delete(silence.getId());
                } catch (CompactedTopicView.NotConfirmed e) {
                    failed = failed == null ? e : failed;
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    static boolean matches(Silence silence, AlertEvent alert) {
        boolean keyMatches = silence.getUntilResolved() == null || silence.getUntilResolved().equals(alert.getAlertKey());
        if (!keyMatches) {
            return false;
        }
        try {
            return io.hookline.processor.match.Matchers.of(silence.getMatchers()).matches(alert);
        } catch (IllegalArgumentException unusable) {
            // A silence written before the limits (or by another writer) that cannot be a matcher mutes nothing.
            return false;
        }
    }

    static boolean activeAt(Silence silence, Instant now) {
        if (now.isBefore(silence.getStartsAt()) || (silence.getEndsAt() != null && !now.isBefore(silence.getEndsAt()))) {
            return false;
        }
        if (silence.getRecurring() == null) {
            return true;
        }
        return WeeklyWindow.parse(silence.getRecurring()).contains(
                now.atZone(ZoneId.of(silence.getTimeZone())).truncatedTo(ChronoUnit.MINUTES));
    }

    void onStop(@Observes ShutdownEvent stop) {
        if (active != null) {
            active.close();
        }
    }
}
