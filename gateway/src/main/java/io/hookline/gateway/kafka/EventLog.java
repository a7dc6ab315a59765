package io.hookline.gateway.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import io.hookline.gateway.GatewayConfig;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.RejectedHook;
import io.hookline.schema.cloudevents.CloudEventHeaders;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.topics.Topics;
import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Identifier;

/**
 * The one place the gateway writes to Kafka. A returned future completes only when the broker has the record
 * (acks=all, idempotent producer), or fails within the acknowledgement time-out.
 */
@ApplicationScoped
// Made at start, not at the first hook: a wrong setting (hookline.gateway.broker-stall) stops the start with its
// sentence, and the first hook does not wait for the producer to be built.
@Startup
public class EventLog {

    private final KafkaProducer<String, byte[]> producer;
    private final Topics topics;
    private final long ackTimeoutMs;
    private final AvroSerde<BackupEvent> events = AvroSerde.of(BackupEvent.class);
    private final AvroSerde<RejectedHook> rejections = AvroSerde.of(RejectedHook.class);
    private static final Logger LOG = Logger.getLogger(EventLog.class);

    private final BrokerWatch watch;
    /** A stall is logged once when hooks start being refused, and once when it ends; each refusal is counted. */
    private volatile boolean stallReported;
    /**
     * send() may block while the producer has no metadata for the topic or its buffer is full: then it runs on this
     * thread, never on an event loop. Otherwise a record is handed to the producer on the caller's thread
     * ({@link #sendsDirectly}): the hop to this thread cost a seventh of the gateway's CPU per hook.
     */
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> new Thread(r, "hookline-kafka-send"));
    /** An acknowledgement this recent means the producer holds the topic's metadata (it drops it after 5 idle minutes). */
    static final long METADATA_FRESH_NANOS = 10_000_000_000L;
    /** Bytes handed to the producer, not yet acknowledged or failed: a bound of what its buffer holds. */
    private final AtomicLong unacknowledgedBytes = new AtomicLong();
    /** A quarter of the producer's buffer: below it, send() finds room without waiting. */
    private final long directBytes;
    private volatile boolean everAcknowledged;
    private volatile long lastAcknowledged;

    @Inject
    public EventLog(GatewayConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.topics = new Topics(config.topics().prefix());
        this.ackTimeoutMs = config.gateway().ackTimeout().toMillis();
        this.watch = new BrokerWatch(config.gateway().brokerStall().toNanos());
        Map<String, Object> producerConfig = producerConfig(kafkaConfig, ackTimeoutMs);
        // Made first: a buffer.memory that is not a number stops the start with Kafka's own sentence naming it.
        this.producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer());
        Object buffer = producerConfig.get(ProducerConfig.BUFFER_MEMORY_CONFIG);
        this.directBytes = (buffer == null ? 32L * 1024 * 1024 : Long.parseLong(buffer.toString().strip())) / 4;
    }

    static Map<String, Object> producerConfig(Map<String, Object> kafkaConfig, long ackTimeoutMs) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "hookline-gateway");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 1);
        long requestTimeout = Math.max(1000, Math.min(5000, ackTimeoutMs / 2));
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) requestTimeout);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(ackTimeoutMs, requestTimeout + 1));
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.max(1000, ackTimeoutMs / 2));
        // Quarkus's defaults may carry consumer or admin keys; the producer would only warn about them.
        config.keySet().removeIf(key -> key.startsWith("health") || key.equals("devservices"));
        return config;
    }

    public Topics topics() {
        return topics;
    }

    /** Appends an accepted hook to hookline.events, keyed by its job. */
    public CompletableFuture<RecordMetadata> append(BackupEvent event) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topics.events(), null,
                event.getReceivedAt().toEpochMilli(), event.getJobKey(), events.encode(event),
                CloudEventHeaders.forEvent(event));
        return send(record);
    }

    /** Records a refused hook on hookline.rejected, keyed by source name. */
    public CompletableFuture<RecordMetadata> reject(RejectedHook rejected) {
        String key = rejected.getSourceName() == null ? "unknown" : rejected.getSourceName();
        Headers headers = CloudEventHeaders.of(rejected.getRejectionId(),
                CloudEventHeaders.sourceUri(rejected.getSourceKind().name(), rejected.getSourceName()),
                CloudEventHeaders.TYPE_PREFIX + "hook.rejected", rejected.getReceivedAt(), null);
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topics.rejected(), null,
                rejected.getReceivedAt().toEpochMilli(), key, rejections.encode(rejected), headers);
        return send(record);
    }

    private CompletableFuture<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
        long now = System.nanoTime();
        BrokerWatch.Verdict verdict = watch.admit(now);
        if (verdict == BrokerWatch.Verdict.REFUSE) {
            BrokerStalledException stalled = new BrokerStalledException(watch.silentNanos(now) / 1_000_000_000L);
            if (!stallReported) {
                stallReported = true;
                LOG.warnf("%s while records wait: hooks are answered 503 at once until it acknowledges again", stalled.getMessage());
            }
            acked.completeExceptionally(stalled);
            return acked;
        }
        int bytes = bytesOf(record);
        Runnable hand = () -> {
            AtomicBoolean released = new AtomicBoolean();
            unacknowledgedBytes.addAndGet(bytes);
            try {
                producer.send(record, (metadata, error) -> {
                    if (released.compareAndSet(false, true)) {
                        unacknowledgedBytes.addAndGet(-bytes);
                    }
                    if (error != null) {
                        acked.completeExceptionally(error);
                    } else {
                        lastAcknowledged = System.nanoTime();
                        everAcknowledged = true;
                        acked.complete(metadata);
                    }
                });
            } catch (RuntimeException e) {
                if (released.compareAndSet(false, true)) {
                    unacknowledgedBytes.addAndGet(-bytes);
                }
                acked.completeExceptionally(e);
            }
        };
        if (sendsDirectly(verdict, now, everAcknowledged, lastAcknowledged, unacknowledgedBytes.get() + bytes,
                directBytes)) {
            hand.run();
        } else {
            long deadline = now + ackTimeoutMs * 1_000_000;
            sender.execute(() -> {
                if (System.nanoTime() > deadline) {
                    // Queued behind sends that blocked on a missing broker: the caller has had its answer already.
                    acked.completeExceptionally(new TimeoutException("the broker did not accept the record in time"));
                    return;
                }
                hand.run();
            });
        }
        CompletableFuture<RecordMetadata> answer = acked.orTimeout(ackTimeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS);
        answer.whenComplete((metadata, error) -> {
            if (error == null) {
                if (watch.acknowledged(verdict, System.nanoTime()) && stallReported) {
                    stallReported = false;
                    LOG.info("the event log (Kafka) acknowledges records again: hooks are accepted");
                }
            } else {
                watch.failed(verdict);
            }
        });
        return answer;
    }

    /**
     * Whether send() cannot block, so that the record may be handed to the producer on the caller's thread (an event
     * loop): the broker is not taken as stalled (a probe goes the safe way), an acknowledgement came recently enough
     * that the producer still has the topic's metadata, and its buffer has room for this record and all that wait.
     */
    static boolean sendsDirectly(BrokerWatch.Verdict verdict, long now, boolean everAcknowledged, long lastAcknowledged,
            long unacknowledgedBytes, long directBytes) {
        return verdict == BrokerWatch.Verdict.SEND && everAcknowledged
                && now - lastAcknowledged < METADATA_FRESH_NANOS && unacknowledgedBytes <= directBytes;
    }

    /** What the record takes in the producer's buffer, at most: key (UTF-8), value, headers and framing. */
    static int bytesOf(ProducerRecord<String, byte[]> record) {
        int bytes = 64 + (record.key() == null ? 0 : 3 * record.key().length())
                + (record.value() == null ? 0 : record.value().length);
        for (var header : record.headers()) {
            bytes += 8 + 3 * header.key().length() + (header.value() == null ? 0 : header.value().length);
        }
        return bytes;
    }

    /** The broker acknowledged nothing for the stall time while records waited: refused without waiting. */
    public static final class BrokerStalledException extends RuntimeException {
        private final long silentSeconds;

        BrokerStalledException(long silentSeconds) {
            super("the event log (Kafka) has acknowledged nothing for " + silentSeconds + " s", null, false, false);
            this.silentSeconds = silentSeconds;
        }

        public long silentSeconds() {
            return silentSeconds;
        }
    }

    @PreDestroy
    void close() {
        sender.shutdown();
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
