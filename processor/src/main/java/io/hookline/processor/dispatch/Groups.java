package io.hookline.processor.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
                Member member = group.members.get(alert.getAlertKey());
                if (member == null) {
                    member = new Member(alert);
                    // Only a group that met the alert at its first step knows whether it was ever sent. One that
                    // meets it later (after a restart, or after forgetting it once sent) sends its resolve.
                    member.seen = alert.getStatus() != AlertStatus.RESOLVED && alert.getSequence() == 0;
                    group.members.put(alert.getAlertKey(), member);
                } else if (AlertSteps.newer(alert, member.step)) {
                    member.step = alert;
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
            Member member = group.members.computeIfAbsent(alert.getAlertKey(), k -> new Member(alert));
            member.step = alert;
            member.sent = alert;
            member.seen = true;
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
                k -> new Group(k, key, receiver, grouping, grouping.perAlert() ? Map.of() : grouping.labels(alert)));
    }

    private void flush(Group group) {
        group.timer = null;
        Instant now = Instant.now();
        List<AlertEvent> firing = new ArrayList<>();
        List<AlertEvent> resolved = new ArrayList<>();
        boolean anyMuted = false;
        for (Member member : List.copyOf(group.members.values())) {
            AlertEvent alert = member.step;
            if (alert.getStatus() == AlertStatus.RESOLVED) {
                if (member.sent != null || !member.seen) {
                    // Sent, or fired before this processor started: the receiver may have an incident to close.
                    resolved.add(alert);
                } else {
                    // Seen here and never sent (muted throughout, or over within group-wait): nothing to resolve.
                    group.members.remove(alert.getAlertKey());
                }
                continue;
            }
            Muted muted = channel.muted(alert);
            if (muted == null) {
                firing.add(alert);
                continue;
            }
            anyMuted = true;
            if (member.mutedRecorded == null || !AlertSteps.same(alert, member.mutedRecorded)) {
                member.mutedRecorded = alert;
                channel.recordMuted(Notification.of(group.receiver, group.key, group.labels, List.of(alert)), muted);
            }
        }
        boolean changed = !resolved.isEmpty()
                || firing.stream().anyMatch(a -> group.members.get(a.getAlertKey()).isNews(a));
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
            firing.forEach(a -> group.members.get(a.getAlertKey()).sent = a);
            resolved.forEach(a -> group.members.remove(a.getAlertKey()));
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
        boolean fires = group.members.values().stream().anyMatch(m -> m.step.getStatus() != AlertStatus.RESOLVED);
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
        if (!group.waiting.isEmpty() || !group.inFlight.isDone()) {
            return;
        }
        if (group.grouping.sendsEachStepOnce()) {
            // Nothing to remind of, nothing to batch: a later step of an alert that was sent goes out as it comes,
            // its resolve as that of an alert this group never saw. So a storm of firing alerts leaves nothing here
            // once it is sent; only muted alerts that were never sent stay known (their resolve is not sent).
            group.members.values().removeIf(member -> !member.isNews(member.step));
        }
        if (group.members.isEmpty()) {
            // By its key: a walk over the values would cost every group's forgetting the number of groups.
            groups.remove(group.mapKey, group);
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

    /**
     * What a group knows of one alert: one object, not an entry in each of four maps, because a storm of new alerts
     * (each job its own group) keeps a group and a member per firing alert for as long as it fires.
     */
    private static final class Member {
        /** The newest step. */
        AlertEvent step;
        /**
         * Whether this group met the alert at its first step, and so knows whether it was sent: the resolve of one
         * it did not meet so is always sent.
         */
        boolean seen;
        /** The step last sent as firing, or null. */
        AlertEvent sent;
        /**
         * The step last recorded as muted on hookline.deliveries, or null: a reminder does not record it again, a
         * new firing does (its steps are numbered from 0 again).
         */
        AlertEvent mutedRecorded;

        Member(AlertEvent step) {
            this.step = step;
        }

        /**
         * Whether the receiver has yet to hear of this firing step: it is not the step last sent, nor the start of a
         * firing that followed the sent one without its resolve going out (the receiver's incident is still open).
         * A later step of that new firing is news, whatever its number (each firing numbers its steps from 0).
         */
        boolean isNews(AlertEvent step) {
            if (sent == null) {
                return true;
            }
            if (step.getStartsAt().isAfter(sent.getStartsAt())) {
                return step.getSequence() != 0;
            }
            return !AlertSteps.same(step, sent);
        }
    }

    private static final class Group {
        /** Its key in {@link Groups#groups}: the receiver's name and the group key. */
        final String mapKey;
        final String key;
        final Receiver receiver;
        final Grouping grouping;
        final Map<String, String> labels;
        final Instant created = Instant.now();
        /** Every alert in the group that is not resolved-and-sent, in the order they came, by alert key. */
        final Map<String, Member> members = new LinkedHashMap<>();
        /** Steps that arrived since the last message: settled when the next message is finished. */
        List<CompletableFuture<Void>> waiting = new ArrayList<>();
        Instant lastSent;
        ScheduledFuture<?> timer;
        Instant timerAt;
        boolean forgotten;
        CompletableFuture<Void> inFlight = CompletableFuture.completedFuture(null);

        Group(String mapKey, String key, Receiver receiver, Grouping grouping, Map<String, String> labels) {
            this.mapKey = mapKey;
            this.key = key;
            this.receiver = receiver;
            this.grouping = grouping;
            this.labels = labels;
        }
    }
}
