package io.hookline.processor.silences;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

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
 * resolves. Ending one writes it again with its end now, so that it stays listed as expired (and a create sent again
 * with its Idempotency-Key finds it) for {@code hookline.silences.keep-ended}; then it is removed from the topic.
 */
@ApplicationScoped
public class Silences {

    private static final Logger LOG = Logger.getLogger(Silences.class);
    /** How often silences ended longer ago than they are kept are looked for. */
    static final Duration SWEEP_EVERY = Duration.ofMinutes(10);

    private CompactedTopicView<Silence> active;
    private Duration keepEnded;
    private final ScheduledExecutorService sweeping = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "hookline-silences-sweep");
        thread.setDaemon(true);
        return thread;
    });

    void onStart(@Observes StartupEvent start, ProcessorConfig config,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        keepEnded = keepEnded(config.silences().keepEnded());
        active = new CompactedTopicView<>(new Topics(config.topics().prefix()).silences(), Silence.class, kafkaConfig);
        sweeping.scheduleWithFixedDelay(() -> {
            try {
                sweep(Instant.now());
            } catch (CompactedTopicView.NotConfirmed e) {
                LOG.warnf("could not remove an ended silence (%s); trying again in %d minutes", e.getMessage(),
                        SWEEP_EVERY.toMinutes());
            } catch (RuntimeException e) {
                LOG.errorf(e, "could not look for ended silences to remove; trying again in %d minutes",
                        SWEEP_EVERY.toMinutes());
            }
        }, 1, SWEEP_EVERY.toMinutes(), TimeUnit.MINUTES);
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

    /**
     * Ends a silence now: written again with its end now, listed as expired until it is removed. False, and nothing
     * written, when it has ended already (or there is no such silence).
     */
    public boolean end(String id, Instant now) throws CompactedTopicView.NotConfirmed {
        Optional<Silence> silence = active.get(id);
        if (silence.isEmpty() || ended(silence.get(), now)) {
            return false;
        }
        active.put(id, Silence.newBuilder(silence.get()).setEndsAt(now).build());
        return true;
    }

    /** Whether a silence's end has come (ended, or expired on its own). */
    public static boolean ended(Silence silence, Instant now) {
        return silence.getEndsAt() != null && !now.isBefore(silence.getEndsAt());
    }

    /** hookline.silences.keep-ended as given, or refused when negative: a silence would be removed before it ends. */
    static Duration keepEnded(Duration given) {
        if (given.isNegative()) {
            throw new IllegalArgumentException("hookline.silences.keep-ended must be a duration of zero or more (5d, "
                    + "12h), not " + given);
        }
        return given;
    }

    /**
     * Whether a silence ended {@code keepEnded} or longer before {@code now}. Compared as the time since its end: an
     * end plus a keep-ended of centuries would be past the last Instant.
     */
    static boolean removable(Silence silence, Instant now, Duration keepEnded) {
        return silence.getEndsAt() != null && Duration.between(silence.getEndsAt(), now).compareTo(keepEnded) >= 0;
    }

    /**
     * Removes from hookline.silences the silences that ended more than {@code hookline.silences.keep-ended} before
     * {@code now}; the first removal Kafka did not confirm is thrown once all were tried. Any instance may do it, and
     * two doing it write the same tombstone.
     */
    void sweep(Instant now) throws CompactedTopicView.NotConfirmed {
        CompactedTopicView.NotConfirmed failed = null;
        for (Silence silence : List.copyOf(active.values())) {
            if (removable(silence, now, keepEnded)) {
                try {
                    active.delete(silence.getId());
                    LOG.infof("removed silence %s, ended at %s (kept %s: hookline.silences.keep-ended)",
                            silence.getId(), silence.getEndsAt(), keepEnded);
                } catch (CompactedTopicView.NotConfirmed e) {
                    failed = failed == null ? e : failed;
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    /** Whether a silence that has not ended waits for this alert to resolve. */
    public boolean untilResolved(String alertKey) {
        Instant now = Instant.now();
        return active.values().stream()
                .anyMatch(silence -> alertKey.equals(silence.getUntilResolved()) && !ended(silence, now));
    }

    /**
     * A silence "until resolved" ends with its alert: every one waiting for it is ended, and the first end Kafka did
     * not confirm is thrown once all were tried (the ones ended stay ended; trying again ends the rest).
     */
    public void resolved(AlertEvent alert) throws CompactedTopicView.NotConfirmed {
        CompactedTopicView.NotConfirmed failed = null;
        Instant now = Instant.now();
        for (Silence silence : List.copyOf(active.values())) {
            if (alert.getAlertKey().equals(silence.getUntilResolved()) && !ended(silence, now)) {
                try {
                    end(silence.getId(), now);
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
        if (now.isBefore(silence.getStartsAt()) || ended(silence, now)) {
            return false;
        }
        if (silence.getRecurring() == null) {
            return true;
        }
        return WeeklyWindow.parse(silence.getRecurring()).contains(
                now.atZone(ZoneId.of(silence.getTimeZone())).truncatedTo(ChronoUnit.MINUTES));
    }

    void onStop(@Observes ShutdownEvent stop) {
        sweeping.shutdownNow();
        if (active != null) {
            active.close();
        }
    }
}
