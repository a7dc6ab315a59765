package io.hookline.processor.silences;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import io.hookline.processor.ProcessorConfig;
import io.hookline.processor.rules.JobRule;
import io.hookline.processor.rules.Route;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.Silence;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.time.WeeklyWindow;
import io.hookline.schema.topics.Topics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * The silences, kept on the compacted hookline.silences topic (so every instance and every restart sees the same
 * ones) and held in memory here. A silence mutes the firing and repeated steps of matching alerts, never their
 * resolves.
 */
@ApplicationScoped
public class Silences {

    private static final Logger LOG = Logger.getLogger(Silences.class);

    private final Map<String, Silence> active = new ConcurrentHashMap<>();
    private final AvroSerde<Silence> serde = AvroSerde.of(Silence.class);
    private KafkaProducer<String, byte[]> producer;
    private String topic;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread reader;

    void onStart(@Observes StartupEvent start, ProcessorConfig config,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        topic = new Topics(config.topics().prefix()).silences();
        Map<String, Object> producerConfig = new HashMap<>(kafkaConfig);
        producerConfig.put("client.id", "hookline-silences");
        producerConfig.put("acks", "all");
        producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer());
        Map<String, Object> consumerConfig = new HashMap<>(kafkaConfig);
        consumerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, "hookline-silences-reader");
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.remove(ConsumerConfig.GROUP_ID_CONFIG);
        reader = new Thread(() -> read(consumerConfig), "hookline-silences");
        reader.setDaemon(true);
        reader.start();
    }

    /** The silence that mutes this alert step now, if any. Resolves are never muted. */
    public Optional<Silence> muting(AlertEvent alert, Instant now) {
        if (alert.getStatus() == io.hookline.schema.AlertStatus.RESOLVED) {
            return Optional.empty();
        }
        return active.values().stream().filter(s -> matches(s, alert) && activeAt(s, now))
                .min(Comparator.comparing(Silence::getCreatedAt));
    }

    /** Any silence matching the alert now, resolves included: for the API's view. */
    public Optional<Silence> matching(AlertEvent alert, Instant now) {
        return active.values().stream().filter(s -> matches(s, alert) && activeAt(s, now)).findFirst();
    }

    public List<Silence> all() {
        return active.values().stream().sorted(Comparator.comparing(Silence::getCreatedAt)).toList();
    }

    public Optional<Silence> get(String id) {
        return Optional.ofNullable(active.get(id));
    }

    public void put(Silence silence) throws Exception {
        producer.send(new ProducerRecord<>(topic, silence.getId(), serde.encode(silence))).get(10, TimeUnit.SECONDS);
        active.put(silence.getId(), silence);
    }

    public void delete(String id) throws Exception {
        producer.send(new ProducerRecord<>(topic, id, null)).get(10, TimeUnit.SECONDS);
        active.remove(id);
    }

    /** A silence "until resolved" ends with its alert. */
    public void resolved(AlertEvent alert) {
        for (Silence silence : List.copyOf(active.values())) {
            if (alert.getAlertKey().equals(silence.getUntilResolved())) {
                try {
                    delete(silence.getId());
                } catch (Exception e) {
                    LOG.warnf("cannot end silence %s: %s", silence.getId(), e.getMessage());
                }
            }
        }
    }

    static boolean matches(Silence silence, AlertEvent alert) {
        Map<String, java.util.regex.Pattern> patterns = new HashMap<>();
        silence.getMatchers().forEach((key, glob) -> patterns.put(key, JobRule.glob(glob)));
        boolean keyMatches = silence.getUntilResolved() == null || silence.getUntilResolved().equals(alert.getAlertKey());
        return keyMatches && new Route(patterns, "", false, 0).matches(alert);
    }

    static boolean activeAt(Silence silence, Instant now) {
        if (now.isBefore(silence.getStartsAt()) || (silence.getEndsAt() != null && !now.isBefore(silence.getEndsAt()))) {
            return false;
        }
        if (silence.getRecurring() == null) {
            return true;
        }
        return WeeklyWindow.parse(silence.getRecurring()).contains(
                now.atZone(ZoneId.of(silence.getTimeZone())).truncatedTo(ChronoUnit.MINUTES));
    }

    private void read(Map<String, Object> consumerConfig) {
        while (!Thread.currentThread().isInterrupted()) {
            try (KafkaConsumer<String, byte[]> kafka = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                    new ByteArrayDeserializer())) {
                consumer = kafka;
                List<TopicPartition> partitions = kafka.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                        .map(info -> new TopicPartition(topic, info.partition())).toList();
                if (partitions.isEmpty()) {
                    TimeUnit.SECONDS.sleep(5);
                    continue;
                }
                kafka.assign(partitions);
                kafka.seekToBeginning(partitions);
                while (!Thread.currentThread().isInterrupted()) {
                    kafka.poll(Duration.ofSeconds(1)).forEach(record -> {
                        if (record.value() == null) {
                            active.remove(record.key());
                        } else {
                            active.put(record.key(), serde.decode(record.value()));
                        }
                    });
                }
            } catch (WakeupException | InterruptedException stop) {
                return;
            } catch (RuntimeException e) {
                LOG.warnf("cannot read %s yet (%s); trying again", topic, e.getMessage());
                try {
                    TimeUnit.SECONDS.sleep(5);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    void onStop(@Observes ShutdownEvent stop) {
        if (reader != null) {
            reader.interrupt();
        }
        KafkaConsumer<String, byte[]> kafka = consumer;
        if (kafka != null) {
            kafka.wakeup();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
