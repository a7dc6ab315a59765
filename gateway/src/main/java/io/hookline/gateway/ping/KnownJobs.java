package io.hookline.gateway.ping;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import io.hookline.gateway.GatewayConfig;
import io.hookline.schema.topics.Topics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * The jobs that exist, so that a ping to an unknown slug is refused unless it says {@code ?create=1}, as
 * Healthchecks does. The gateway keeps no state of its own: it reads the keys of the compacted
 * hookline.job-state topic, and remembers what it created itself until the processor has folded it.
 */
@ApplicationScoped
public class KnownJobs {

    private static final Logger LOG = Logger.getLogger(KnownJobs.class);

    private final Set<String> jobKeys = ConcurrentHashMap.newKeySet();
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread reader;

    public boolean contains(String jobKey) {
        return jobKeys.contains(jobKey);
    }

    public void remember(String jobKey) {
        jobKeys.add(jobKey);
    }

    void onStart(@Observes StartupEvent start, GatewayConfig config,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        String topic = new Topics(config.topics().prefix()).jobState();
        Map<String, Object> consumerConfig = new HashMap<>(kafkaConfig);
        consumerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, "hookline-gateway-known-jobs");
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerConfig.remove(ConsumerConfig.GROUP_ID_CONFIG);
        reader = new Thread(() -> read(topic, consumerConfig), "hookline-known-jobs");
        reader.setDaemon(true);
        reader.start();
    }

    private void read(String topic, Map<String, Object> consumerConfig) {
        while (!Thread.currentThread().isInterrupted()) {
            try (KafkaConsumer<String, byte[]> kafka = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                    new ByteArrayDeserializer())) {
                consumer = kafka;
                List<TopicPartition> partitions = kafka.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                        .map(info -> new TopicPartition(topic, info.partition())).toList();
                if (partitions.isEmpty()) {
                    java.util.concurrent.TimeUnit.SECONDS.sleep(5);
                    continue;
                }
                kafka.assign(partitions);
                kafka.seekToBeginning(partitions);
                while (!Thread.currentThread().isInterrupted()) {
                    kafka.poll(Duration.ofSeconds(1)).forEach(record -> {
                        if (record.value() == null) {
                            jobKeys.remove(record.key());
                        } else if (record.key() != null) {
                            jobKeys.add(record.key());
                        }
                    });
                }
            } catch (WakeupException | InterruptedException stop) {
                return;
            } catch (RuntimeException e) {
                LOG.warnf("cannot read %s yet (%s); trying again", topic, e.getMessage());
                try {
                    java.util.concurrent.TimeUnit.SECONDS.sleep(5);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    void onStop(@Observes ShutdownEvent stop) {
        KafkaConsumer<String, byte[]> kafka = consumer;
        if (reader != null) {
            reader.interrupt();
        }
        if (kafka != null) {
            kafka.wakeup();
        }
    }
}
