package io.hookline.processor.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import io.hookline.processor.rules.Grouping;
import io.hookline.processor.notify.Notification;
import io.hookline.processor.notify.Receiver;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.AlertStatus;

/**
 * Alerts on their way to receivers, batched per receiver and group as the route's {@link Grouping} says. A group
 * sends when it has something new (after group-wait for its first message, then at most every group-interval),
 * and again every repeat-interval while it still fires. Muted alerts (silenced, inhibited) are left out when a
 * message is made, but an alert that was sent always has its resolve sent. A group's messages go out one after
 * the other, each with its own retries: a timer never cancels a retry, and a resolve never overtakes its firing.
 *
 * <p>All group state is touched on one thread; sending happens elsewhere.
 */
final class Groups implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Groups.class);

    interface Channel {
        /** Why this alert is muted now, or null. */
        Muted muted(AlertEvent alert);

        /** Records on hookline.deliveries that an alert was not sent to a receiver, and why. */
        void recordMuted(Notification notification, Muted muted);

        /** Starts sending (with retries); completes once delivered or given up. */
        CompletableFuture<Void> send(Notification notification);
    }

    /** How soon a group with muted alerts looks again whether they are still muted (at least group-interval). */
    static final Duration MUTED_RECHECK = Duration.ofSeconds(10);

    private final Channel channel;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "hookline-groups"));
    private final Map<String, Group> groups = new HashMap<>();

    Groups(Channel channel) {
        this.channel = channel;
    }

    /** Puts an alert step into its group; the answer completes once the step is sent or needs no message. */
    CompletableFuture<Void> add(Receiver receiver, Grouping grouping, AlertEvent alert) {
        CompletableFuture<Void> settled = new CompletableFuture<>();
        thread.execute(() -> {
            try {
                Group group = group(receiver, grouping, alert);
                AlertEvent known = group.alerts.get(alert.getAlertKey());
                if (known == null || alert.getSequence() >= known.getSequence()) {
                    group.alerts.put(alert.getAlertKey(), alert);
                }
                if (alert.getStatus() != AlertStatus.RESOLVED) {
                    group.seen.add(alert.getAlertKey());
                }
                group.waiting.add(settled);
                Instant now = Instant.now();
                Instant due = group.lastSent == null ? group.created.plus(grouping.groupWait())
                        : group.lastSent.plus(grouping.groupInterval());
                if (!due.isAfter(now)) {
                    flush(group);
                } else {
                    schedule(group, due);
                }
            } catch (RuntimeException e) {
                LOG.errorf(e, "cannot group alert %s for %s", alert.getAlertKey(), receiver);
                settled.complete(null);
            }
        });
        return settled;
    }

    /**
     * An alert that was sent before a restart and still fires: known to the group as sent, so that it is reminded
     * of after repeat-interval (counted from the restart) and its resolve is sent.
     */
    void seed(Receiver receiver, Grouping grouping, AlertEvent alert) {
        thread.execute(() -> {
            Group group = group(receiver, grouping, alert);
            group.alerts.put(alert.getAlertKey(), alert);
            group.sent.put(alert.getAlertKey(), alert.getSequence());
            group.seen.add(alert.getAlertKey());
            if (group.lastSent == null) {
                group.lastSent = Instant.now();
            }
            scheduleRepeat(group);
        });
    }

    /** How many groups hold alerts or messages now (for tests). */
    int size() {
        try {
            return thread.submit(groups::size).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Group group(Receiver receiver, Grouping grouping, AlertEvent alert) {
        String key = grouping.groupKey(receiver.name(), alert);
        return groups.computeIfAbsent(receiver.name() + "\u0000" + key,
                k -> new Group(key, receiver, grouping, grouping.perAlert() ? Map.of() : grouping.labels(alert)));
    }

    private void flush(Group group) {
        group.timer = null;
        Instant now = Instant.now();
        List<AlertEvent> firing = new ArrayList<>();
        List<AlertEvent> resolved = new ArrayList<>();
        boolean anyMuted = false;
        for (AlertEvent alert : List.copyOf(group.alerts.values())) {
            if (alert.getStatus() == AlertStatus.RESOLVED) {
                String key = alert.getAlertKey();
                if (group.sent.containsKey(key) || !group.seen.contains(key)) {
                    // Sent, or fired before this processor started: the receiver may have an incident to close.
                    resolved.add(alert);
                } else {
                    // Seen here and never sent (muted throughout, or over within group-wait): nothing to resolve.
                    group.alerts.remove(key);
                    group.seen.remove(key);
                }
                continue;
            }
            Muted muted = channel.muted(alert);
            if (muted == null) {
                firing.add(alert);
                continue;
            }
            anyMuted = true;
            if (group.mutedRecorded.add(alert.getAlertKey() + "#" + alert.getSequence())) {
                channel.recordMuted(Notification.of(group.receiver, group.key, group.labels, List.of(alert)), muted);
            }
        }
        boolean changed = !resolved.isEmpty()
                || firing.stream().anyMatch(a -> !Objects.equals(group.sent.get(a.getAlertKey()), a.getSequence()));
        Duration repeat = group.grouping.repeatInterval();
        boolean reminder = !changed && repeat != null && group.lastSent != null && !firing.isEmpty()
                && !now.isBefore(group.lastSent.plus(repeat));
        List<CompletableFuture<Void>> settled = group.waiting;
        group.waiting = new ArrayList<>();
        if (changed || reminder) {
            List<AlertEvent> alerts = new ArrayList<>(firing);
            alerts.addAll(resolved);
            Notification notification = Notification.of(group.receiver, group.key, group.labels, alerts);
            if (reminder) {
                // The same alerts as last time, but a new message: receivers that drop repeated ids must show it.
                notification = new Notification(Notification.idOf(group.receiver, group.key + "\u0000" + now, alerts),
                        group.receiver, group.key, group.labels, alerts, false, null);
            }
            firing.forEach(a -> group.sent.put(a.getAlertKey(), a.getSequence()));
            resolved.forEach(a -> {
                group.sent.remove(a.getAlertKey());
                group.alerts.remove(a.getAlertKey());
                group.seen.remove(a.getAlertKey());
                group.mutedRecorded.removeIf(k -> k.startsWith(a.getAlertKey() + "#"));
            });
            group.lastSent = now;
            Notification message = notification;
            CompletableFuture<Void> done = group.inFlight.handle((r, e) -> null)
                    .thenCompose(previous -> channel.send(message));
            group.inFlight = done;
            done.whenComplete((r, e) -> {
                settled.forEach(f -> f.complete(null));
                thread.execute(() -> forgetIfIdle(group));
            });
        } else {
            settled.forEach(f -> f.complete(null));
            forgetIfIdle(group);
        }
        scheduleRepeat(group);
        if (anyMuted) {
            // Look again once a silence may have ended or the inhibiting alert resolved: what still fires is sent.
            schedule(group, now.plus(MUTED_RECHECK.compareTo(group.grouping.groupInterval()) > 0 ? MUTED_RECHECK
                    : group.grouping.groupInterval()));
        }
    }

    private void scheduleRepeat(Group group) {
        Duration repeat = group.grouping.repeatInterval();
        boolean fires = group.alerts.values().stream().anyMatch(a -> a.getStatus() != AlertStatus.RESOLVED);
        if (repeat != null && fires && group.lastSent != null) {
            schedule(group, group.lastSent.plus(repeat));
        }
    }

    /** Flushes the group at {@code at}, unless it is already due to flush earlier. */
    private void schedule(Group group, Instant at) {
        if (group.timer != null && !group.timer.isDone()) {
            if (!group.timerAt.isAfter(at)) {
                return;
            }
            group.timer.cancel(false);
        }
        long delay = Math.max(0, Duration.between(Instant.now(), at).toMillis());
        group.timerAt = at;
        group.timer = thread.schedule(() -> {
            if (!group.forgotten) {
                flush(group);
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    private void forgetIfIdle(Group group) {
        if (group.alerts.isEmpty() && group.waiting.isEmpty() && group.inFlight.isDone()) {
            groups.values().remove(group);
            group.forgotten = true;
            if (group.timer != null) {
                group.timer.cancel(false);
            }
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }

    private static final class Group {
        final String key;
        final Receiver receiver;
        final Grouping grouping;
        final Map<String, String> labels;
        final Instant created = Instant.now();
        /** The newest step of every alert in the group that is not resolved-and-sent. */
        final Map<String, AlertEvent> alerts = new LinkedHashMap<>();
        /** Alerts whose firing this group has seen (sent or not); a resolve of one it never saw is always sent. */
        final Set<String> seen = new HashSet<>();
        /** The step of each alert last sent as firing. */
        final Map<String, Long> sent = new HashMap<>();
        /** Muted steps already recorded on hookline.deliveries, so that a reminder does not record them again. */
        final Set<String> mutedRecorded = new HashSet<>();
        /** Steps that arrived since the last message: settled when the next message is finished. */
        List<CompletableFuture<Void>> waiting = new ArrayList<>();
        Instant lastSent;
        ScheduledFuture<?> timer;
        Instant timerAt;
        boolean forgotten;
        CompletableFuture<Void> inFlight = CompletableFuture.completedFuture(null);

        Group(String key, Receiver receiver, Grouping grouping, Map<String, String> labels) {
            this.key = key;
            this.receiver = receiver;
            this.grouping = grouping;
            this.labels = labels;
        }
    }
}
