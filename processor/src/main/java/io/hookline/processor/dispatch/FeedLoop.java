package io.hookline.processor.dispatch;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
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
    private volatile String failure;
    private static final long FIRST_BACKOFF_MS = 1_000;
    private static final long MAX_BACKOFF_MS = 30_000;
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

    /**
     * Reads until closed. Whatever stops the consumer (a commit the broker did not take within
     * default.api.timeout.ms, a rebalance that took partitions with unfinished records, a second instance under the
     * same group.instance.id) is logged and the topic read again by a new consumer from the group's committed
     * offsets, after a backoff: records handled but not committed come again, with their notifications' ids.
     */
    private void run() {
        boolean first = true;
        long backoffMs = FIRST_BACKOFF_MS;
        while (running) {
            PendingOffsets pending = new PendingOffsets();
            try (KafkaConsumer<String, byte[]> kafka = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                    new ByteArrayDeserializer())) {
                consumer = kafka;
                if (!running) {
                    break;
                }
                if (first) {
                    beforeSubscribe.accept(kafka);
                    first = false;
                }
                AtomicBoolean joined = new AtomicBoolean();
                kafka.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        joined.set(true);
                    }

                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        // their unfinished records go to the partitions' next owner, with the same ids
                    }
                });
                try {
                    while (running) {
                        for (ConsumerRecord<String, byte[]> record : kafka.poll(Duration.ofMillis(200))) {
                            pending.add(new TopicPartition(record.topic(), record.partition()), record.offset(),
                                    handle(record));
                        }
                        commit(kafka, pending);
                        if (failure != null && joined.get()) {
                            LOG.infof("%s reads %s again", name, topic);
                            failure = null;
                        }
                        if (joined.get()) {
                            backoffMs = FIRST_BACKOFF_MS;
                        }
                    }
                } catch (WakeupException stopping) {
                    // Shutdown: what finished since the last poll is not handed over again after the restart.
                    commit(kafka, pending);
                }
            } catch (WakeupException stopping) {
                // shut down before the first poll
            } catch (RuntimeException e) {
                if (!running) {
                    break;
                }
                String hint = e instanceof FencedInstanceIdException
                        ? " (another processor runs with the same hookline.instance-id: give each its own)" : "";
                failure = e.getClass().getSimpleName() + ": " + e.getMessage() + hint;
                LOG.errorf("%s stopped reading %s: %s; reading it again from the committed offsets in %d ms", name,
                        topic, failure, backoffMs);
                pause(backoffMs);
                backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
            } finally {
                consumer = null;
            }
        }
    }

    /** The handler's answer; one that throws instead is that record's failure, not the loop's. */
    private CompletableFuture<Void> handle(ConsumerRecord<String, byte[]> record) {
        try {
            return handler.apply(record);
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s skipped a record of %s (partition %d, offset %d): %s", name, record.topic(),
                    record.partition(), record.offset(), e.getMessage());
            return CompletableFuture.completedFuture(null);
        }
    }

    private void pause(long ms) {
        synchronized (this) {
            try {
                if (running) {
                    wait(ms);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    /** Why the consumer last stopped, while it has not read again since; null while it reads. */
    String failure() {
        return failure;
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
        synchronized (this) {
            notifyAll();
        }
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
