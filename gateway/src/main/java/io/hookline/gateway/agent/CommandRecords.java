package io.hookline.gateway.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * The records of the commands a {@link CommandBoard} holds. The most recently read or used are kept in memory up to
 * a budget of bytes; the others are read again from hookline.commands at their offsets when a poll delivers them or a
 * report names them, by one consumer on its own thread. A backlog of commands thus costs the gateway what choosing
 * them needs (about 200 bytes a command), not their records: the topic stays where it is.
 */
final class CommandRecords implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CommandRecords.class);
    /** How long a read of records from hookline.commands may take before the poll or report is told it failed. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    /** Where a command's record is: its partition and offset in hookline.commands. */
    record Position(String commandId, int partition, long offset) {
    }

    /** A read of the records not in memory: what it wants, and what it already found there. */
    private record Read(List<Position> wanted, Map<String, byte[]> found, CompletableFuture<Map<String, byte[]>> done) {
    }

    /** Thrown when hookline.commands did not give the records in time. */
    static final class Unavailable extends RuntimeException {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final String topic;
    private final long budget;
    private final Duration timeout;
    /** By command id, the least recently read or used first. */
    private final LinkedHashMap<String, byte[]> kept = new LinkedHashMap<>(1024, 0.75f, true);
    private long keptBytes;
    private long readsFromKafka;
    private final BlockingQueue<Read> reads = new LinkedBlockingQueue<>();
    private final Map<String, Object> consumerConfig;
    private final Thread reader;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean closed;

    CommandRecords(String topic, long budgetBytes, Map<String, Object> kafkaConfig) {
        this(topic, budgetBytes, READ_TIMEOUT, kafkaConfig);
    }

    /** The same, a read failing after {@code timeout} (tests wait less). */
    CommandRecords(String topic, long budgetBytes, Duration timeout, Map<String, Object> kafkaConfig) {
        this.topic = topic;
        this.budget = budgetBytes;
        this.timeout = timeout;
        Map<String, Object> config = committedReader(kafkaConfig, "hookline-gateway-command-records");
        // A read wants a few records at known offsets, not the partition's next megabytes.
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 256 * 1024);
        // A poll leaves a fetch of what follows on its way; at the partition's end the broker holds it for up to
        // fetch.max.wait.ms, and the next read's fetch after its seek waits for it: half a second a read of a recent
        // command at the default. Answered at once, a read of a recent record takes milliseconds.
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 0);
        this.consumerConfig = config;
        this.reader = new Thread(this::serve, "hookline-command-records");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * A consumer's configuration for hookline.commands, from the gateway's Kafka settings: no group (it is assigned its
     * partitions), nothing committed, and only what the processor's transactions committed (an aborted command must
     * never reach an agent).
     */
    static Map<String, Object> committedReader(Map<String, Object> kafkaConfig, String clientId) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.keySet().removeIf(key -> key.startsWith("health") || key.equals("devservices"));
        return config;
    }

    /** Keeps a record just read from the topic in memory, forgetting the least recently used past the budget. */
    synchronized void keep(String commandId, byte[] record) {
        byte[] before = kept.put(commandId, record);
        keptBytes += record.length - (before == null ? 0 : before.length);
        Iterator<Map.Entry<String, byte[]>> oldest = kept.entrySet().iterator();
        while (keptBytes > budget && oldest.hasNext()) {
            keptBytes -= oldest.next().getValue().length;
            oldest.remove();
        }
    }

    /** The command is forgotten by the board: its record is not kept. */
    synchronized void forget(String commandId) {
        byte[] before = kept.remove(commandId);
        if (before != null) {
            keptBytes -= before.length;
        }
    }

    /** Bytes of records held in memory now. */
    synchronized long keptBytes() {
        return keptBytes;
    }

    /** How many records this gateway read again from Kafka since it started. */
    synchronized long readsFromKafka() {
        return readsFromKafka;
    }

    /**
     * The records at {@code wanted}, by command id: from memory, else read from the topic. A record the topic no longer
     * has (its retention was shorter than the command's life) is left out; a topic that does not answer within
     * its time ({@link #READ_TIMEOUT} by default) fails the future with {@link Unavailable}.
     */
    CompletableFuture<Map<String, byte[]>> records(List<Position> wanted) {
        Map<String, byte[]> found = new HashMap<>();
        List<Position> missing = new ArrayList<>();
        synchronized (this) {
            for (Position position : wanted) {
                byte[] record = kept.get(position.commandId());
                if (record != null) {
                    found.put(position.commandId(), record);
                } else {
                    missing.add(position);
                }
            }
        }
        if (missing.isEmpty()) {
            return CompletableFuture.completedFuture(found);
        }
        if (closed) {
            return CompletableFuture.failedFuture(new Unavailable("the gateway is stopping", null));
        }
        Read read = new Read(missing, found, new CompletableFuture<>());
        reads.add(read);
        return read.done();
    }

    private void serve() {
        while (!closed) {
            Read read;
            try {
                read = reads.take();
            } catch (InterruptedException e) {
                break;
            }
            try {
                Map<String, byte[]> records = read(read.wanted());
                synchronized (this) {
                    readsFromKafka += records.size();
                    for (Position position : read.wanted()) {
                        byte[] record = records.get(position.commandId());
                        if (record != null) {
                            keep(position.commandId(), record);
                        }
                    }
                }
                read.found().putAll(records);
                read.done().complete(read.found());
            } catch (WakeupException e) {
                read.done().completeExceptionally(new Unavailable("the gateway is stopping", e));
                break;
            } catch (RuntimeException e) {
                closeConsumer();
                read.done().completeExceptionally(e instanceof Unavailable ? e
                        : new Unavailable("reading " + topic + " failed: " + e, e));
            }
        }
        closeConsumer();
    }

    /** Reads the wanted records, one partition at a time in the order of their offsets. */
    private Map<String, byte[]> read(List<Position> wanted) {
        KafkaConsumer<String, byte[]> reading = consumer;
        if (reading == null) {
            reading = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new ByteArrayDeserializer());
            consumer = reading;
        }
        Map<Place, Position> byPlace = new HashMap<>();
        for (Position position : wanted) {
            byPlace.put(new Place(position.partition(), position.offset()), position);
        }
        Map<String, byte[]> found = new HashMap<>();
        List<Position> order = new ArrayList<>(wanted);
        order.sort(Comparator.comparingInt(Position::partition).thenComparingLong(Position::offset));
        long deadline = System.nanoTime() + timeout.toNanos();
        TopicPartition partition = null;
        for (Position next : order) {
            if (found.containsKey(next.commandId())) {
                continue;
            }
            if (partition == null || partition.partition() != next.partition()) {
                partition = new TopicPartition(topic, next.partition());
                if (!reading.assignment().equals(java.util.Set.of(partition))) {
                    reading.assign(List.of(partition));
                }
            }
            reading.seek(partition, next.offset());
            boolean passed = false;
            while (!passed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new Unavailable(topic + " did not answer within " + timeout.toMillis() / 1000.0 + " s", null);
                }
                for (ConsumerRecord<String, byte[]> record : reading.poll(Duration.ofNanos(Math.min(left,
                        TimeUnit.MILLISECONDS.toNanos(500))))) {
                    Position position = byPlace.get(new Place(record.partition(), record.offset()));
                    if (position != null && record.value() != null) {
                        found.put(position.commandId(), record.value());
                    }
                    passed |= record.offset() >= next.offset();
                }
                // Past it without a record there: gone from the topic (its retention) or never committed.
                passed |= reading.position(partition) > next.offset();
            }
        }
        if (found.size() < wanted.size()) {
            LOG.warnf("%d of %d commands' records are no longer on %s (is its retention shorter than "
                    + "hookline.agents.lookback and a day?): they are not delivered", wanted.size() - found.size(),
                    wanted.size(), topic);
        }
        return found;
    }

    private record Place(int partition, long offset) {
    }

    private void closeConsumer() {
        KafkaConsumer<String, byte[]> reading = consumer;
        consumer = null;
        if (reading != null) {
            try {
                reading.close(Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.debugf("closing the command records' consumer: %s", e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        KafkaConsumer<String, byte[]> reading = consumer;
        if (reading != null) {
            reading.wakeup();
        }
        reader.interrupt();
        Read left;
        while ((left = reads.poll()) != null) {
            left.done().completeExceptionally(new Unavailable("the gateway is stopping", null));
        }
    }
}
