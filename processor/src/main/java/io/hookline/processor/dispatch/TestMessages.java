package io.hookline.processor.dispatch;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.hookline.processor.notify.Notification;
import io.hookline.processor.notify.Notifier;
import io.hookline.processor.notify.Receiver;
import io.hookline.schema.AlertEvent;

/** A test message to a receiver: sent once, now, past grouping, muting and retries, and its answer shown. */
final class TestMessages {

    private final Map<String, Notifier> channels;
    private final Links links;

    TestMessages(Map<String, Notifier> channels, Links links) {
        this.channels = Map.copyOf(channels);
        this.links = links;
    }

    Notifier.Result send(Receiver receiver, AlertEvent sample) {
        Notification notification = new Notification("msg_test_" + Instant.now().toEpochMilli(), receiver,
                sample.getAlertKey(), Map.of(), List.of(sample), true, links.to(sample.getAlertKey()));
        return channels.get(receiver.type()).send(notification);
    }
}
