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

    /** Oldest first. */
    public List<DeadLetter> all() {
        return view.values().stream().sorted(Comparator.comparing(DeadLetter::getDeadAt)).toList();
    }

    public Optional<DeadLetter> get(String notificationId) {
        return view.get(notificationId);
    }

    /** Keeps a notification given up on; a replay's count of replays carries on. */
    @Override
    public void gaveUp(Notification notification, int attempts, Notifier.Result result, Instant at) {
        var existing = view.get(notification.id());
        try {
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
        } catch (Exception e) {
            LOG.errorf("cannot keep dead letter %s: %s", notification.id(), e.getMessage());
        }
    }

    /** Counts a replay of a dead letter before it is sent again. */
    void replaying(DeadLetter dead) throws Exception {
        // A copy by Records, not the generated newBuilder(other): see Records.
        DeadLetter replayed = Records.deepCopy(dead);
        replayed.setReplays(dead.getReplays() + 1);
        view.put(dead.getNotificationId(), replayed);
    }

    /** A notification delivered at last leaves the dead letters. */
    @Override
    public void delivered(Notification notification) {
        String notificationId = notification.id();
        if (view.get(notificationId).isEmpty()) {
            return;
        }
        try {
            view.delete(notificationId);
        } catch (Exception e) {
            LOG.warnf("cannot remove replayed dead letter %s: %s", notificationId, e.getMessage());
        }
    }

    @Override
    public void close() {
        view.close();
    }
}
