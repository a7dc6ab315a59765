package io.hookline.processor.dispatch;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * A topic read as a consumer group of the delivery side, on a thread of its own: each record is handed to the
 * handler, and an offset is committed once every record up to it is finished ({@link PendingOffsets}), so that a
 * restart hands unfinished records over again. The alerts and the webhook actions are read this way.
 */
final class FeedLoop implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FeedLoop.class);

    private final String topic;
    private final Map<String, Object> consumerConfig;
    private final String name;
    private final Consumer<KafkaConsumer<String, byte[]>> beforeSubscribe;
    private final Function<ConsumerRecord<String, byte[]>, CompletableFuture<Void>> handler;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean running;
    private Thread loop;

    /** {@code beforeSubscribe} runs on the loop's thread with the group's consumer, before it reads. */
    FeedLoop(String topic, Map<String, Object> consumerConfig, String name,
            Consumer<KafkaConsumer<String, byte[]>> beforeSubscribe,
            Function<ConsumerRecord<String, byte[]>, CompletableFuture<Void>> handler) {
        this.topic = topic;
        this.consumerConfig = Map.copyOf(consumerConfig);
        this.name = name;
        this.beforeSubscribe = beforeSubscribe;
        this.handler = handler;
    }

    void start() {
        running = true;
        loop = new Thread(this::run, name);
        loop.start();
    }

    private void run() {
        PendingOffsets pending = new PendingOffsets();
        try (KafkaConsumer<String, byte[]> kafka = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer = kafka;
            beforeSubscribe.accept(kafka);
            kafka.subscribe(List.of(topic));
            try {
                while (running) {
                    for (ConsumerRecord<String, byte[]> record : kafka.poll(Duration.ofMillis(200))) {
                        pending.add(new TopicPartition(record.topic(), record.partition()), record.offset(),
                                handler.apply(record));
                    }
                    commit(kafka, pending);
                }
            } catch (WakeupException stopping) {
                // Shutdown: what finished since the last poll is not handed over again after the restart.
                commit(kafka, pending);
            }
        } catch (WakeupException stopping) {
            // shut down before the first poll
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s stopped reading %s: %s", name, topic, e.getMessage());
        }
    }

    private static void commit(KafkaConsumer<String, byte[]> kafka, PendingOffsets pending) {
        Map<TopicPartition, OffsetAndMetadata> finished = pending.finished();
        if (!finished.isEmpty()) {
            kafka.commitSync(finished);
        }
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<String, byte[]> kafka = consumer;
        if (kafka != null) {
            kafka.wakeup();
        }
        if (loop != null) {
            try {
                loop.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
