package io.hookline.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKafkaTest {

    @TempDir
    Path dir;

    @Test
    void aRecordWrittenBeforeARestartIsStillThereAfterIt() throws Exception {
        LocalKafka kafka = new LocalKafka(dir, LocalKafka.freePort(), LocalKafka.freePort(), "384m");
        try {
            kafka.start(Duration.ofSeconds(90));
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("restart-test", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers(),
                    "acks", "all"), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("restart-test", "job", "run 1")).get(30, TimeUnit.SECONDS);
            }
            kafka.stop();
            assertFalse(kafka.isRunning());

            kafka.start(Duration.ofSeconds(90));

            try (var consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers(),
                    "group.id", "restart-test", "auto.offset.reset", "earliest"),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(Set.of("restart-test"));
                String value = null;
                long deadline = System.currentTimeMillis() + 30_000;
                while (value == null && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                        value = record.value();
                    }
                }
                assertEquals("run 1", value);
            }
            assertTrue(Files.exists(kafka.logFile()));
        } finally {
            kafka.stop();
        }
    }

    @Test
    void theBrokerTakesBatchesInEveryCompressionAProducerMayChoose() throws Exception {
        LocalKafka kafka = new LocalKafka(dir, LocalKafka.freePort(), LocalKafka.freePort(), "384m");
        try {
            kafka.start(Duration.ofSeconds(90));
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("codecs", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            List<String> codecs = List.of("gzip", "snappy", "lz4", "zstd");
            for (String codec : codecs) {
                // Idempotent, as the services' producers are: the broker validates (decompresses) each batch.
                try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers",
                        kafka.bootstrapServers(), "acks", "all", "enable.idempotence", true, "compression.type", codec,
                        "max.block.ms", 30_000), new StringSerializer(), new StringSerializer())) {
                    producer.send(new ProducerRecord<>("codecs", codec, ("a job's state ").repeat(50) + codec))
                            .get(30, TimeUnit.SECONDS);
                }
            }
            try (var consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers(),
                    "group.id", "codecs", "auto.offset.reset", "earliest"),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(Set.of("codecs"));
                java.util.Map<String, String> read = new java.util.TreeMap<>();
                long deadline = System.currentTimeMillis() + 30_000;
                while (read.size() < codecs.size() && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                        read.put(record.key(), record.value());
                    }
                }
                assertEquals(new java.util.TreeSet<>(codecs), read.keySet());
                read.forEach((codec, value) -> assertTrue(value.endsWith(codec), value));
            }
        } finally {
            kafka.stop();
        }
    }

    @Test
    void clusterIdsNeverLookLikeAnOptionToTheStorageTool() {
        // kafka-storage format -t -abc... fails: about one random base64 id in 64 starts with '-'.
        for (int i = 0; i < 20_000; i++) {
            String id = LocalKafka.newClusterId();
            assertFalse(id.startsWith("-"), id);
            assertEquals(22, id.length(), id);
        }
    }

    @Test
    void aTakenPortIsRefusedWithOneSentence() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            LocalKafka kafka = new LocalKafka(dir, taken.getLocalPort(), LocalKafka.freePort());
            DevstackException e = assertThrows(DevstackException.class, () -> kafka.start(Duration.ofSeconds(5)));
            assertEquals("port " + taken.getLocalPort() + " for Kafka is already in use", e.getMessage());
        }
    }
}
