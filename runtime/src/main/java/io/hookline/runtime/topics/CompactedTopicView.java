package io.hookline.runtime.topics;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.avro.specific.SpecificRecord;

import io.hookline.schema.serde.AvroSerde;

/**
 * A compacted topic held in memory: read from the beginning and followed for as long as the service runs, so that
 * every instance and every restart sees the same entries; writes go to the topic (acknowledged) and into the view
 * at once, and the reader, reading them back later, neither undoes them with older records nor drops them again.
 * The processor keeps silences and dead letters this way; the gateway reads the existing jobs.
 */
public final class CompactedTopicView<T extends SpecificRecord> implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(CompactedTopicView.class.getName());

    private final String topic;
    private final AvroSerde<T> serde;
    private final Map<String, T> entries = new ConcurrentHashMap<>();
    private final Map<String, Object> producerConfig;
    private KafkaProducer<String, byte[]> producer;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final java.util.function.BiConsumer<String, T> listener;
    private final boolean keep;
    /** Told only of the keys written (true) or deleted (false); values are then never decoded. */
    private final java.util.function.BiConsumer<String, Boolean> keys;
    /** How much the view holds at most, or null for all of the topic. */
    private final Bound<T> bound;
    /** With a bound: the entries held, oldest first, and the size of each one's encoded value. */
    private final java.util.TreeSet<Aged> byAge = new java.util.TreeSet<>();
    private final Map<String, Aged> aged = new HashMap<>();
    private long bytesHeld;
    /** Guards what a view that keeps its values holds: its writes and its reader change it together. */
    private final Object lock = new Object();
    /**
     * The keys this view wrote whose record its reader has not read back yet, with the offset written (ON_ITS_WAY
     * while the deletion of an entry dropped past the bound is being sent). The reader leaves a key's records up to
     * that offset alone: they are this view's own, held already, or older ones that would undo a newer write until
     * the reader caught up (and that a bounded view would drop, count and delete a second time).
     */
    private final Map<String, Long> ownWrites = new HashMap<>();
    private static final long ON_ITS_WAY = Long.MAX_VALUE;
    /** Per partition, the offset after the last record the reader handled. */
    private final Map<Integer, Long> readTo = new HashMap<>();
    private final java.util.concurrent.atomic.AtomicLong valuesRead = new java.util.concurrent.atomic.AtomicLong();
    /**
     * A key's records are sent by one thread at a time (a lock per key, held while the broker confirms): a write of a
     * key and the deletion of its older value, dropped past the bound meanwhile, reach the topic in the order they
     * were decided. Only the keys being written have one, so a write that waits for a stalled broker keeps no other
     * key waiting (a lock per stripe of 32 did: two silences of the same stripe waited 10 s each, one after the other).
     */
    private final Map<String, KeyLock> keyLocks = new HashMap<>();

    /**
     * How long a write waits for the broker's acknowledgement: the view's producer gives up on the record by then too
     * (delivery.timeout.ms), instead of sending it on for the client's default two minutes after the caller was told
     * it failed.
     */
    public static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);

    /**
     * A write the broker did not acknowledge within {@link #WRITE_TIMEOUT}, or refused: the view is unchanged. A
     * broker that stalled may still append a record it had received before it stopped answering, so the caller should
     * look again before writing a new one.
     */
    public static final class NotConfirmed extends Exception {

        /** Kafka did not confirm the record of {@code key} written to {@code topic}, for {@code cause}. */
        public NotConfirmed(String topic, String key, Throwable cause) {
            super("Kafka did not confirm the write of '" + key + "' to " + topic + " within "
                    + WRITE_TIMEOUT.toSeconds() + " s (" + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()) + ")", cause);
        }
    }

    /** A key's lock, there while some thread holds or waits for it. */
    private final class KeyLock implements AutoCloseable {

        private final String key;
        private final java.util.concurrent.locks.ReentrantLock held = new java.util.concurrent.locks.ReentrantLock();
        /** Threads holding or waiting for it. Under keyLocks. */
        private int users;

        KeyLock(String key) {
            this.key = key;
        }

        @Override
        public void close() {
            held.unlock();
            synchronized (keyLocks) {
                if (--users == 0) {
                    keyLocks.remove(key);
                }
            }
        }
    }

    /**
     * At most {@code maxEntries} entries and {@code maxBytes} of their encoded values in memory: past either, the
     * oldest by {@code age} (then by key, so that every instance chooses the same) leaves the view, is deleted from
     * the topic too when {@code deleteDropped}, and {@code dropped} is told. For a topic whose size grows with the
     * number of jobs or with an outage's length (dead letters, quarantined events).
     */
    public record Bound<T>(int maxEntries, long maxBytes, java.util.function.Function<T, java.time.Instant> age,
            boolean deleteDropped, java.util.function.BiConsumer<String, T> dropped) {

        public Bound {
            if (maxEntries < 1 || maxBytes < 1) {
                throw new IllegalArgumentException("a view's bound must be at least 1 entry and 1 byte");
            }
        }
    }

    private record Aged(long millis, String key, int bytes) implements Comparable<Aged> {
        @Override
        public int compareTo(Aged other) {
            int byTime = Long.compare(millis, other.millis);
            return byTime != 0 ? byTime : key.compareTo(other.key);
        }
    }

    public CompactedTopicView(String topic, Class<T> type, Map<String, Object> kafkaConfig) {
        this(topic, type, kafkaConfig, null, true, null, null);
    }

    /** A view of at most what {@code bound} allows, the newest entries by its age. */
    public static <T extends SpecificRecord> CompactedTopicView<T> newest(String topic, Class<T> type,
            Map<String, Object> kafkaConfig, Bound<T> bound) {
        return new CompactedTopicView<>(topic, type, kafkaConfig, null, true, null, bound);
    }

    /** A view that also tells {@code listener} of every record read (a null value for a deletion). */
    public CompactedTopicView(String topic, Class<T> type, Map<String, Object> kafkaConfig,
            java.util.function.BiConsumer<String, T> listener) {
        this(topic, type, kafkaConfig, listener, true, null, null);
    }

    /**
     * Follows the topic without holding its values: only {@code listener} sees them. For a reader that needs a
     * projection (the keys of the jobs), not the records themselves.
     */
    public static <T extends SpecificRecord> CompactedTopicView<T> follow(String topic, Class<T> type,
            Map<String, Object> kafkaConfig, java.util.function.BiConsumer<String, T> listener) {
        return new CompactedTopicView<>(topic, type, kafkaConfig, listener, false, null, null);
    }

    /**
     * Follows only the topic's keys: {@code written} is told of each key with a value (true) or deleted (false),
     * and no value is decoded. For a reader that needs to know which keys exist (the gateway's jobs), so that it
     * does not decode every record the topic gets.
     */
    public static <T extends SpecificRecord> CompactedTopicView<T> followKeys(String topic, Class<T> type,
            Map<String, Object> kafkaConfig, java.util.function.BiConsumer<String, Boolean> written) {
        return new CompactedTopicView<>(topic, type, kafkaConfig, null, false, written, null);
    }

    private CompactedTopicView(String topic, Class<T> type, Map<String, Object> kafkaConfig,
            java.util.function.BiConsumer<String, T> listener, boolean keep,
            java.util.function.BiConsumer<String, Boolean> keys, Bound<T> bound) {
        this.bound = bound;
        this.listener = listener;
        this.keep = keep;
        this.keys = keys;
        this.topic = topic;
        this.serde = AvroSerde.of(type);
        producerConfig = new HashMap<>(kafkaConfig);
        producerConfig.put("client.id", "hookline-" + topic + "-writer");
        producerConfig.put("acks", "all");
        // A write either is acknowledged within WRITE_TIMEOUT or is given up by the producer too; a request may wait
        // half of it, so that a connection the broker stopped answering on is given up and tried again once.
        producerConfig.put("delivery.timeout.ms", (int) WRITE_TIMEOUT.toMillis());
        producerConfig.put("request.timeout.ms", (int) WRITE_TIMEOUT.toMillis() / 2);
        producerConfig.put("linger.ms", 0);
        // Metadata the producer lacks (its first write while the broker is away) is waited for no longer either.
        producerConfig.put("max.block.ms", (int) WRITE_TIMEOUT.toMillis());
        Map<String, Object> consumerConfig = new HashMap<>(kafkaConfig);
        consumerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, "hookline-" + topic + "-reader");
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Kafka Streams writes some of these topics in transactions: never show an aborted record.
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerConfig.remove(ConsumerConfig.GROUP_ID_CONFIG);
        // These topics change seldom. The broker answers a waiting fetch as soon as a record is appended (or a
        // transaction commits), so a longer wait costs no freshness; it only makes an idle reader ask ten times
        // less often than the default 500 ms (each view took about 0.2 % of a core in an idle processor).
        consumerConfig.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5_000);
        if (keys != null) {
            KeysOnly.limitFetches(consumerConfig);
        }
        Thread reader = new Thread(() -> follow(consumerConfig), "hookline-view-" + topic);
        reader.setDaemon(true);
        reader.start();
    }

    public Optional<T> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    public List<T> values() {
        return List.copyOf(entries.values());
    }

    /** How many records with a value the view has read from the topic since it started, held or not. */
    public long valuesRead() {
        return valuesRead.get();
    }

    /** Writes {@code value} under {@code key} and holds it once the broker acknowledged it. */
    public void put(String key, T value) throws NotConfirmed {
        byte[] bytes = serde.encode(value);
        List<String> dropped;
        try (KeyLock held = lockKey(key)) {
            RecordMetadata written = confirmed(key, bytes);
            synchronized (lock) {
                wrote(key, written);
                dropped = hold(key, value, bytes.length);
            }
        }
        deleteDropped(dropped);
    }

    /** Deletes {@code key} from the topic and, once the broker acknowledged it, from the view. */
    public void delete(String key) throws NotConfirmed {
        try (KeyLock held = lockKey(key)) {
            RecordMetadata written = confirmed(key, null);
            synchronized (lock) {
                wrote(key, written);
                forget(key);
            }
        }
    }

    /** Sends a record and waits for its acknowledgement, at most WRITE_TIMEOUT (and a little, for the producer's own). */
    private RecordMetadata confirmed(String key, byte[] bytes) throws NotConfirmed {
        try {
            return confirmed(topic, key, writer().send(new ProducerRecord<>(topic, key, bytes)));
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new NotConfirmed(topic, key, e);
        }
    }

    /**
     * Waits for the acknowledgement of a record of {@code key} sent to {@code topic}, at most WRITE_TIMEOUT and a
     * little (for the producer's own delivery time-out to come first); anything else is a NotConfirmed.
     */
    public static RecordMetadata confirmed(String topic, String key, java.util.concurrent.Future<RecordMetadata> sent)
            throws NotConfirmed {
        try {
            return sent.get(WRITE_TIMEOUT.toMillis() + 2_000, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new NotConfirmed(topic, key, e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new NotConfirmed(topic, key, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotConfirmed(topic, key, e);
        }
    }

    private KeyLock lockKey(String key) {
        KeyLock keyLock;
        synchronized (keyLocks) {
            keyLock = keyLocks.computeIfAbsent(key, KeyLock::new);
            keyLock.users++;
        }
        keyLock.held.lock();
        return keyLock;
    }

    /** Notes this view's write of {@code key}, unless the reader has read past it already. Under the lock. */
    private void wrote(String key, RecordMetadata written) {
        if (readTo.getOrDefault(written.partition(), 0L) > written.offset()) {
            ownWrites.remove(key);
        } else {
            ownWrites.put(key, written.offset());
        }
    }

    /**
     * Holds an entry; past the bound, the oldest go (this one too, when it is the oldest) and are returned to be
     * deleted from the topic. Under the lock.
     */
    private List<String> hold(String key, T value, int bytes) {
        if (bound == null) {
            entries.put(key, value);
            return List.of();
        }
        forgetHeld(key);
        Aged entry = new Aged(bound.age().apply(value).toEpochMilli(), key, bytes);
        byAge.add(entry);
        aged.put(key, entry);
        bytesHeld += bytes;
        entries.put(key, value);
        List<String> dropped = new java.util.ArrayList<>();
        while (byAge.size() > bound.maxEntries() || bytesHeld > bound.maxBytes()) {
            Aged oldest = byAge.pollFirst();
            aged.remove(oldest.key());
            bytesHeld -= oldest.bytes();
            // Told before the entry leaves, so that whoever sees it gone sees it counted too.
            bound.dropped().accept(oldest.key(), entries.get(oldest.key()));
            entries.remove(oldest.key());
            if (bound.deleteDropped()) {
                ownWrites.put(oldest.key(), ON_ITS_WAY);
                dropped.add(oldest.key());
            }
        }
        return dropped;
    }

    /**
     * Deletes from the topic the entries dropped past the bound, unless the key was written again since it was
     * dropped (the deletion would remove the newer value). Not under the view's lock, as a send may wait; under the
     * key's, so that no write of the key is sent between the look and the deletion.
     */
    private void deleteDropped(List<String> dropped) {
        for (String key : dropped) {
            try (KeyLock held = lockKey(key)) {
                synchronized (lock) {
                    if (ownWrites.getOrDefault(key, 0L) != ON_ITS_WAY) {
                        continue;
                    }
                }
                sendDeletion(key);
            }
        }
    }

    private void sendDeletion(String key) {
        org.apache.kafka.clients.producer.Callback sent = (written, failure) -> {
            synchronized (lock) {
                if (ownWrites.getOrDefault(key, 0L) == ON_ITS_WAY) {
                    if (failure != null || readTo.getOrDefault(written.partition(), 0L) > written.offset()) {
                        ownWrites.remove(key);
                    } else {
                        ownWrites.put(key, written.offset());
                    }
                }
            }
            if (failure != null) {
                LOG.log(System.Logger.Level.WARNING, "cannot delete " + key + ", dropped from the view of "
                        + topic + ", on the topic: " + failure);
            }
        };
        try {
            writer().send(new ProducerRecord<>(topic, key, null), sent);
        } catch (org.apache.kafka.common.KafkaException refused) {
            // Not sent at all (no metadata within max.block.ms): as a failed send, not the reader's or writer's error.
            sent.onCompletion(null, refused);
        }
    }

    /** Under the lock. */
    private void forget(String key) {
        if (bound != null) {
            forgetHeld(key);
        }
        entries.remove(key);
    }

    private void forgetHeld(String key) {
        Aged held = aged.remove(key);
        if (held != null) {
            byAge.remove(held);
            bytesHeld -= held.bytes();
        }
    }

    /**
     * Applies a record the reader read (a null value: deleted) unless it is this view's own write or older than it,
     * and returns what a bound dropped.
     */
    private List<String> read(ConsumerRecord<String, byte[]> record, T value) {
        synchronized (lock) {
            readTo.put(record.partition(), record.offset() + 1);
            Long own = ownWrites.get(record.key());
            if (own != null) {
                if (record.offset() >= own) {
                    ownWrites.remove(record.key());
                }
                if (record.offset() <= own) {
                    return List.of();
                }
            }
            if (value == null) {
                forget(record.key());
                return List.of();
            }
            return hold(record.key(), value, record.value().length);
        }
    }

    /** Opened on the first write, so that a view only read from never holds a producer. */
    private synchronized KafkaProducer<String, byte[]> writer() {
        if (producer == null) {
            producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    private void follow(Map<String, Object> consumerConfig) {
        while (closing.getCount() > 0) {
            try (KafkaConsumer<String, byte[]> kafka = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                    keys != null ? new KeysOnly() : new ByteArrayDeserializer())) {
                consumer = kafka;
                List<TopicPartition> partitions = kafka.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                        .map(info -> new TopicPartition(topic, info.partition())).toList();
                if (partitions.isEmpty()) {
                    if (closing.await(5, TimeUnit.SECONDS)) {
                        return;
                    }
                    continue;
                }
                kafka.assign(partitions);
                kafka.seekToBeginning(partitions);
                synchronized (lock) {
                    // Read again from the start (after a failure): a write from now on is ahead of the reader.
                    readTo.clear();
                }
                while (closing.getCount() > 0) {
                    kafka.poll(Duration.ofSeconds(1)).forEach(record -> {
                        if (keys != null) {
                            keys.accept(record.key(), record.value() != null);
                            return;
                        }
                        if (record.value() == null) {
                            if (keep) {
                                read(record, null);
                            }
                            if (listener != null) {
                                listener.accept(record.key(), null);
                            }
                            return;
                        }
                        try {
                            T value = serde.decode(record.value());
                            valuesRead.incrementAndGet();
                            if (keep) {
                                deleteDropped(read(record, value));
                            }
                            if (listener != null) {
                                listener.accept(record.key(), value);
                            }
                        } catch (RuntimeException notOurs) {
                            // A record some other writer put there: skipped, so it cannot stop the view for ever.
                            LOG.log(System.Logger.Level.WARNING, "skipped a record of " + topic + " at offset "
                                    + record.offset() + " that is not a " + serde.type().getSimpleName() + ": " + notOurs);
                        }
                    });
                }
            } catch (WakeupException | InterruptedException stop) {
                return;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot read " + topic + " yet (" + e.getMessage() + "); trying again");
                try {
                    if (closing.await(5, TimeUnit.SECONDS)) {
                        return;
                    }
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        // Not an interrupt: the reader's consumer then closes in an interrupted thread, and Kafka's client logs an
        // error for its fetcher at every shutdown.
        closing.countDown();
        KafkaConsumer<String, byte[]> kafka = consumer;
        if (kafka != null) {
            kafka.wakeup();
        }
        synchronized (this) {
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
            }
        }
    }
}
