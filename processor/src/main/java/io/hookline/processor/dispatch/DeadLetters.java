package io.hookline.processor.dispatch;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.jboss.logging.Logger;

import io.hookline.processor.notify.Notification;
import io.hookline.processor.notify.Notifier;
import io.hookline.schema.DeadLetter;
import io.hookline.schema.serde.Records;
import io.hookline.runtime.topics.CompactedTopicView;

/** The notifications given up on, kept on the compacted hookline.dead-letters until delivered by a replay. */
public final class DeadLetters implements RetryStage.Ending, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DeadLetters.class);

    private final CompactedTopicView<DeadLetter> view;

    DeadLetters(CompactedTopicView<DeadLetter> view) {
        this.view = view;
    }

    /**
     * The dead letters on {@code topic}, at most {@code max} and {@code maxBytes} of records: past either the oldest
     * is dropped, from the topic too, counted in hookline_dead_letters_dropped_total and logged (at most once a
     * minute, with how many).
     */
    static DeadLetters open(String topic, java.util.Map<String, Object> kafkaConfig, int max, long maxBytes,
            io.micrometer.core.instrument.MeterRegistry metrics) {
        Drops drops = new Drops(max, maxBytes, io.micrometer.core.instrument.Counter.builder("hookline.dead.letters.dropped")
                .description("dead letters dropped, the oldest first, past hookline.delivery.dead-letters.max or"
                        + " .max-bytes")
                .register(metrics));
        return new DeadLetters(CompactedTopicView.newest(topic, DeadLetter.class, kafkaConfig,
                new CompactedTopicView.Bound<>(max, maxBytes, DeadLetter::getDeadAt, true, drops::dropped)));
    }

    /** Counts each dropped dead letter and logs them, at most once a minute with how many. */
    private record Drops(int max, long maxBytes, io.micrometer.core.instrument.Counter counted,
            java.util.concurrent.atomic.AtomicLong unlogged, java.util.concurrent.atomic.AtomicLong loggedAt) {

        Drops(int max, long maxBytes, io.micrometer.core.instrument.Counter counted) {
            this(max, maxBytes, counted, new java.util.concurrent.atomic.AtomicLong(),
                    new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - MINUTE));
        }

        private static final long MINUTE = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);

        void dropped(String id, DeadLetter dead) {
            counted.increment();
            long dropped = unlogged.incrementAndGet();
            long last = loggedAt.get();
            long now = System.nanoTime();
            if (now - last < MINUTE || !loggedAt.compareAndSet(last, now)) {
                return;
            }
            unlogged.addAndGet(-dropped);
            LOG.warnf("dropped %d dead letter(s), the oldest first (the last %s, to %s, given up on at %s): more than %d"
                    + " dead letters or %d bytes of them (hookline.delivery.dead-letters.max, .max-bytes)", dropped, id,
                    dead.getReceiver(), dead.getDeadAt(), max, maxBytes);
        }
    }

    /** The dead letters on their way again: a second replay of one (a double click, two replays of all) waits. */
    private final java.util.Set<String> replaying = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Marks a dead letter as on its way again: false when it already is. */
    boolean claim(String notificationId) {
        return replaying.add(notificationId);
    }

    /** Its replay did not go after all: it may be replayed again. */
    void release(String notificationId) {
        replaying.remove(notificationId);
    }

    /** Oldest first; those given up on in the same millisecond by id, so that a page's cursor has one place. */
    public List<DeadLetter> all() {
        return view.values().stream().sorted(Comparator.comparing(DeadLetter::getDeadAt)
                .thenComparing(DeadLetter::getNotificationId)).toList();
    }

    public Optional<DeadLetter> get(String notificationId) {
        return view.get(notificationId);
    }

    /** Keeps a notification given up on; a replay's count of replays carries on. */
    @Override
    public void gaveUp(Notification notification, int attempts, Notifier.Result result, Instant at)
            throws CompactedTopicView.NotConfirmed {
        var existing = view.get(notification.id());
        view.put(notification.id(), DeadLetter.newBuilder()
                .setNotificationId(notification.id())
                .setReceiver(notification.receiver().name())
                .setChannel(notification.receiver().type())
                .setAlert(notification.lead())
                .setAlerts(notification.alerts())
                .setGroupKey(notification.groupKey())
                .setGroupLabels(notification.groupLabels())
                .setAttempts(attempts)
                .setLastStatus(result.httpStatus())
                .setLastMessage(result.message())
                .setDeadAt(at)
                .setReplays(existing.map(DeadLetter::getReplays).orElse(0))
                .setCommand(notification.command())
                .build());
        replaying.remove(notification.id());
    }

    /** Counts a replay of a dead letter before it is sent again. */
    void replaying(DeadLetter dead) throws CompactedTopicView.NotConfirmed {
        // A copy by Records, not the generated newBuilder(other): see Records.
        DeadLetter replayed = Records.deepCopy(dead);
        replayed.setReplays(dead.getReplays() + 1);
        view.put(dead.getNotificationId(), replayed);
    }

    /** A notification delivered at last leaves the dead letters. */
    @Override
    public void delivered(Notification notification) throws CompactedTopicView.NotConfirmed {
        String notificationId = notification.id();
        if (view.get(notificationId).isEmpty()) {
            replaying.remove(notificationId);
            return;
        }
        // Still claimed while the deletion is not confirmed: a second replay meanwhile sends nothing again.
        view.delete(notificationId);
        // Only now: a second replay that looks in between finds it gone, or still on its way.
        replaying.remove(notificationId);
    }

    @Override
    public void close() {
        view.close();
    }
}
