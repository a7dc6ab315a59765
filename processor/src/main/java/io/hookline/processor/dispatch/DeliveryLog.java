package io.hookline.processor.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

import io.hookline.processor.notify.Notification;
import io.hookline.processor.notify.Notifier;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.DeliveryAttempt;
import io.hookline.schema.DeliveryOutcome;
import io.hookline.schema.cloudevents.CloudEventHeaders;
import io.hookline.schema.serde.AvroSerde;

/** Records every attempt, and every step not sent because it was muted, on hookline.deliveries. */
public interface DeliveryLog {

    void record(Notification notification, int attempt, Instant at, DeliveryOutcome outcome, Notifier.Result result,
            Duration wait);

    /**
     * This log, counting each attempt in {@code hookline_deliveries_total{channel,outcome}} and each notification
     * given up on in {@code hookline_dead_letters_total{channel}}.
     */
    default DeliveryLog counted(io.micrometer.core.instrument.MeterRegistry metrics) {
        DeliveryLog log = this;
        return (notification, attempt, at, outcome, result, wait) -> {
            String channel = notification.receiver().type();
            metrics.counter("hookline.deliveries", "channel", channel, "outcome",
                    outcome.name().toLowerCase(Locale.ROOT)).increment();
            if (outcome == DeliveryOutcome.GAVE_UP) {
                metrics.counter("hookline.dead.letters", "channel", channel).increment();
            }
            log.record(notification, attempt, at, outcome, result, wait);
        };
    }

    /** The log on a Kafka topic, keyed by the group, with CloudEvents headers. */
    static DeliveryLog onTopic(Producer<String, byte[]> producer, String topic) {
        Logger log = Logger.getLogger(DeliveryLog.class);
        AvroSerde<DeliveryAttempt> attempts = AvroSerde.of(DeliveryAttempt.class);
        return (notification, attempt, at, outcome, result, wait) -> {
            AlertEvent alert = notification.lead();
            DeliveryAttempt delivery = DeliveryAttempt.newBuilder()
                    .setNotificationId(notification.id())
                    .setAlertKey(alert.getAlertKey())
                    .setAlertSequence(alert.getSequence())
                    .setAlertStatus(alert.getStatus())
                    .setReceiver(notification.receiver().name())
                    .setChannel(notification.receiver().type())
                    .setAttempt(attempt)
                    .setAt(at)
                    .setOutcome(outcome)
                    .setHttpStatus(result.httpStatus())
                    .setMessage(result.message())
                    .setNextAttemptAt(wait == null ? null : at.plus(wait))
                    .setGroupKey(notification.groupKey())
                    .setAlertKeys(notification.alerts().stream().map(AlertEvent::getAlertKey).toList())
                    .setCommandId(notification.command() == null ? null : notification.command().getCommandId())
                    .build();
            var headers = CloudEventHeaders.of(notification.id() + "#" + attempt, "/hookline/processor",
                    CloudEventHeaders.TYPE_PREFIX + "delivery." + outcome.name().toLowerCase(Locale.ROOT), at,
                    alert.getJobKey());
            producer.send(new ProducerRecord<>(topic, null, notification.groupKey(), attempts.encode(delivery), headers),
                    (metadata, error) -> {
                        if (error != null) {
                            log.warnf("cannot record a delivery attempt on %s: %s", topic, error.getMessage());
                        }
                    });
        };
    }
}
