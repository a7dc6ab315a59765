package io.hookline.processor.dispatch;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import io.hookline.schema.AlertEvent;
import io.hookline.schema.AlertStatus;
import io.hookline.schema.serde.AvroSerde;

/**
 * hookline.alerts as the dispatcher's own consumer group, so delivery never slows the fold. Each alert step goes to
 * every {@link Listener}; an offset is committed once every step up to it is finished ({@link PendingOffsets}), so a
 * restart hands unfinished steps over again. On start it can first tell the listener which alerts still fired at
 * the committed offsets, for reminders that survive a restart.
 */
final class AlertFeed implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(AlertFeed.class);

    interface Listener {
        /** The alerts that still fire, as of the steps finished before the restart. */
        default void firingBefore(Collection<AlertEvent> alerts) {
        }

        /** A new alert step; completes once everything it led to is finished. */
        CompletableFuture<Void> alert(AlertEvent alert);
    }

    private final String topic;
    private final Map<String, Object> consumerConfig;
    private final boolean recoverFiring;
    private final List<Listener> listeners;
    private final AvroSerde<AlertEvent> alerts = AvroSerde.of(AlertEvent.class);
    private final FeedLoop loop;

    AlertFeed(String topic, Map<String, Object> consumerConfig, boolean recoverFiring, List<Listener> listeners) {
        this.topic = topic;
        this.consumerConfig = Map.copyOf(consumerConfig);
        this.recoverFiring = recoverFiring;
        this.listeners = List.copyOf(listeners);
        this.loop = new FeedLoop(topic, consumerConfig, "hookline-dispatcher", group -> {
            if (this.recoverFiring) {
                Collection<AlertEvent> firing = firingBeforeCommitted(group);
                this.listeners.forEach(listener -> listener.firingBefore(firing));
            }
        }, this::handle);
    }

    void start() {
        loop.start();
    }

    /** Why its consumer last stopped, while it has not read again since; null while it reads. */
    String failure() {
        return loop.failure();
    }

    private CompletableFuture<Void> handle(ConsumerRecord<String, byte[]> record) {
        AlertEvent alert;
        try {
            alert = alerts.decode(record.value());
        } catch (RuntimeException e) {
            LOG.warnf("skipping a record on %s that is not an alert (offset %d): %s", record.topic(), record.offset(),
                    e.getMessage());
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.allOf(listeners.stream().map(listener -> listener.alert(alert))
                .toArray(CompletableFuture[]::new));
    }

    /**
     * The latest step of every alert below the group's committed offsets that still fires, read by a consumer of
     * its own; records after the committed offsets are read by the feed itself, as usual.
     */
    private Collection<AlertEvent> firingBeforeCommitted(KafkaConsumer<String, byte[]> group) {
        Map<String, Object> config = new HashMap<>(consumerConfig);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "hookline-dispatcher-reminders");
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        Map<String, AlertEvent> latest = new HashMap<>();
        try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            Set<TopicPartition> all = new HashSet<>();
            group.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(info -> all.add(new TopicPartition(info.topic(), info.partition())));
            Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>(group.committed(all, Duration.ofSeconds(30)));
            committed.values().removeIf(Objects::isNull);
            if (committed.isEmpty()) {
                return List.of();
            }
            reader.assign(committed.keySet());
            reader.seekToBeginning(committed.keySet());
            Set<TopicPartition> reading = new HashSet<>(committed.keySet());
            reading.removeIf(p -> reader.position(p) >= committed.get(p).offset());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!reading.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(500))) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() < committed.get(partition).offset() && record.value() != null) {
                        AlertEvent alert = alerts.decode(record.value());
                        latest.put(alert.getAlertKey(), alert);
                    }
                }
                reading.removeIf(p -> reader.position(p) >= committed.get(p).offset());
            }
        } catch (RuntimeException e) {
            LOG.warnf("cannot read which alerts still fire (%s): their reminders start with their next step", e.getMessage());
            return List.of();
        }
        latest.values().removeIf(alert -> alert.getStatus() == AlertStatus.RESOLVED);
        return latest.values();
    }

    @Override
    public void close() {
        loop.close();
    }
}
