package io.hookline.devstack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic of the shared test broker from the beginning, as another service consuming Hookline's topics
 * would: committed records only, so a transaction's records appear once it commits. Each record is decoded once
 * ({@code decode}: an Avro serde, for instance); tombstones are skipped. The one topic reader of every module's
 * tests.
 */
public final class TopicReader<T> implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final Function<ConsumerRecord<String, byte[]>, T> decode;
    private final List<T> seen = new ArrayList<>();

    private TopicReader(String topic, Function<ConsumerRecord<String, byte[]>, T> decode) {
        this.decode = decode;
        consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", SharedKafka.bootstrapServers(),
                "group.id", "test-reader-" + UUID.randomUUID(),
                "auto.offset.reset", "earliest",
                "enable.auto.commit", false,
                "isolation.level", "read_committed"), new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
    }

    /** The records' values, decoded. */
    public static <T> TopicReader<T> of(String topic, Function<byte[], T> decode) {
        return new TopicReader<>(topic, record -> decode.apply(record.value()));
    }

    /** The records themselves, for a test that looks at keys or headers. */
    public static TopicReader<ConsumerRecord<String, byte[]>> records(String topic) {
        return new TopicReader<>(topic, record -> record);
    }

    /** Polls until a record matches, for at most {@code timeout}; fails the test otherwise. */
    public T await(Predicate<T> match, Duration timeout) {
        return awaitCount(match, 1, timeout).get(0);
    }

    /** Polls until {@code count} records match, for at most {@code timeout}; fails the test otherwise. */
    public List<T> awaitCount(Predicate<T> match, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<T> matching = seen.stream().filter(match).toList();
            if (matching.size() >= count) {
                return matching;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(matching.size() + " matching record(s) within " + timeout + " among "
                        + seen.size() + " read, not " + count);
            }
            poll();
        }
    }

    /** Everything read so far plus whatever arrives within {@code window}. */
    public List<T> drain(Duration window) {
        long deadline = System.nanoTime() + window.toNanos();
        do {
            poll();
        } while (System.nanoTime() < deadline);
        return List.copyOf(seen);
    }

    private void poll() {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(250))) {
            if (record.value() != null) {
                seen.add(decode.apply(record));
            }
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
