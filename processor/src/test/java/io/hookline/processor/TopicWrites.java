package io.hookline.processor;

import java.time.Duration;
import java.util.Map;

import io.hookline.devstack.SharedKafka;

/**
 * Makes a topic of the module's broker refuse writes, as a Kafka that does not take them would (a cluster short of
 * in-sync replicas, a topic whose writes are not allowed): a record size limit below any record's, set on that topic
 * alone, so that only the writes a test is about fail, at once (RecordTooLargeException). A test undoes it in a
 * finally block; tests run one after the other.
 */
public final class TopicWrites {

    private TopicWrites() {
    }

    /**
     * Makes the topic refuse every write (a record size limit below any record's, on the topic alone) and returns
     * once it does; {@link #takeWrites} undoes it. Kafka answers at once (RecordTooLargeException), where a hung broker
     * keeps the writer waiting.
     */
    public static void refuseWrites(String topic) throws Exception {
        sizeLimit(topic, org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET);
        org.awaitility.Awaitility.await(topic + " refuses writes").atMost(Duration.ofSeconds(30))
                .until(() -> !takesWrites(topic));
    }

    /** Lets the topic take writes again. */
    public static void takeWrites(String topic) throws Exception {
        sizeLimit(topic, org.apache.kafka.clients.admin.AlterConfigOp.OpType.DELETE);
    }

    private static void sizeLimit(String topic, org.apache.kafka.clients.admin.AlterConfigOp.OpType op) throws Exception {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", SharedKafka.bootstrapServers()))) {
            var resource = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
            var limit = new org.apache.kafka.clients.admin.AlterConfigOp(
                    new org.apache.kafka.clients.admin.ConfigEntry("max.message.bytes", "1"), op);
            admin.incrementalAlterConfigs(Map.of(resource, java.util.List.of(limit))).all()
                    .get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** Whether the topic takes a deletion of a key nothing has (acks=all), within 3 s. */
    private static boolean takesWrites(String topic) {
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(Map.of(
                "bootstrap.servers", SharedKafka.bootstrapServers(), "acks", "all", "delivery.timeout.ms", 3_000,
                "request.timeout.ms", 2_000, "linger.ms", 0), new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, "probe-of-nothing", null))
                    .get(5, java.util.concurrent.TimeUnit.SECONDS);
            return true;
        } catch (Exception refused) {
            return false;
        }
    }

}
