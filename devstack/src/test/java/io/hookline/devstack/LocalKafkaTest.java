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

    /**
     * {@code ./hookline up} starts the broker through {@link Main}; a SIGKILL of that launcher leaves its child broker
     * running, on the ports and the folder. The next launcher on the same folder stops that broker and starts its own.
     */
    @Test
    void aBrokerLeftRunningByAKilledLauncherIsStoppedByTheNextOne() throws Exception {
        int port = LocalKafka.freePort();
        int controllerPort = LocalKafka.freePort();
        Path firstOutput = dir.resolve("first.log");
        Process first = launcher(port, controllerPort, firstOutput);
        Path secondOutput = dir.resolve("second.log");
        Process second = null;
        try {
            awaitText(first, firstOutput, "kafka ready on 127.0.0.1:" + port);
            long brokerPid = Long.parseLong(Files.readString(dir.resolve("kafka/broker.pid")).strip());
            ProcessHandle broker = ProcessHandle.of(brokerPid).orElseThrow();
            first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            TimeUnit.SECONDS.sleep(1);
            assertTrue(broker.isAlive(), "the launcher's SIGKILL left its broker running");

            second = launcher(port, controllerPort, secondOutput);
            awaitText(second, secondOutput, "kafka ready on 127.0.0.1:" + port);
            assertTrue(Files.readString(secondOutput).contains("hookline: stopping the Kafka broker (pid " + brokerPid
                    + ") left running on " + dir.resolve("kafka") + " by a launcher that was killed"),
                    Files.readString(secondOutput));
            assertFalse(broker.isAlive());
            ProcessHandle secondBroker = ProcessHandle.of(Long.parseLong(Files.readString(dir.resolve("kafka/broker.pid"))
                    .strip())).orElseThrow();
            second.destroy();
            assertTrue(second.waitFor(60, TimeUnit.SECONDS));
            assertFalse(secondBroker.isAlive(), "a launcher stopped with SIGTERM stops its broker");
        } finally {
            first.destroyForcibly();
            if (second != null) {
                second.destroyForcibly();
            }
            new LocalKafka(dir.resolve("kafka"), port, controllerPort).stop();
        }
    }

    /** A pid is reused: broker.pid naming a process that is not this folder's broker leaves that process alone. */
    @Test
    void aPidFileNamingAnotherProcessLeavesItAlone() throws Exception {
        Process other = new ProcessBuilder("sleep", "300").start();
        try {
            Files.writeString(dir.resolve("broker.pid"), Long.toString(other.pid()));
            LocalKafka kafka = new LocalKafka(dir, LocalKafka.freePort(), LocalKafka.freePort());
            assertTrue(kafka.leftBroker().isEmpty());
            kafka.stop();
            assertTrue(other.isAlive(), "stop() of a handle that did not start the broker killed an unrelated process");
        } finally {
            other.destroyForcibly();
        }
    }

    /** {@code java -cp <this test's classpath> io.hookline.devstack.Main <dir>/kafka <port> <controller-port>}. */
    Process launcher(int port, int controllerPort, Path output) throws Exception {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp")), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), dir.resolve("kafka").toString(),
                Integer.toString(port), Integer.toString(controllerPort))
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    /** Waits until the launcher has written the text; fails at once if it stopped first. */
    static void awaitText(Process launcher, Path file, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!(Files.exists(file) && Files.readString(file).contains(text))) {
            assertTrue(System.nanoTime() < deadline && launcher.isAlive(), "no '" + text + "' in " + file + ":\n"
                    + (Files.exists(file) ? Files.readString(file) : ""));
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }
}
