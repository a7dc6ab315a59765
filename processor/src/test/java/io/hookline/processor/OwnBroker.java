package io.hookline.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.hookline.devstack.Folders;
import io.hookline.devstack.LocalKafka;
import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The application on a broker of its own, which a test may hang (SIGSTOP) without touching the module's shared one;
 * started once per test JVM, for every class of this profile, and stopped with the JVM.
 */
public class OwnBroker implements QuarkusTestProfile {

    private static final String PROPERTY = "io.hookline.test.own-kafka";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("kafka.bootstrap.servers", bootstrapServers());
    }

    public static String bootstrapServers() {
        return "127.0.0.1:" + broker().port();
    }

    /** Quarkus may load this class in more than one class loader: the broker's folder is kept in a property. */
    static LocalKafka broker() {
        synchronized (System.class) {
            String known = System.getProperty(PROPERTY);
            if (known != null) {
                String[] parts = known.split(",", 3);
                return new LocalKafka(Path.of(parts[2]), Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
            }
            try {
                Path dir = Files.createTempDirectory("hookline-test-own-kafka-");
                LocalKafka kafka = new LocalKafka(dir, LocalKafka.freePort(), LocalKafka.freePort())
                        .start(Duration.ofMinutes(2));
                System.setProperty(PROPERTY, kafka.port() + "," + kafka.controllerPort() + "," + dir);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    kafka.stop();
                    Folders.delete(dir);
                }, "stop-own-kafka"));
                return kafka;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Writes an event to this broker's hookline.events as the gateway does (EventWriter writes to the shared one). */
    public static void write(io.hookline.schema.BackupEvent event) throws Exception {
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(Map.of(
                "bootstrap.servers", bootstrapServers(), "acks", "all"),
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(
                    io.hookline.schema.topics.Topics.withDefaultPrefix().events(), null, event.getJobKey(),
                    io.hookline.schema.serde.AvroSerde.of(io.hookline.schema.BackupEvent.class).encode(event),
                    io.hookline.schema.cloudevents.CloudEventHeaders.forEvent(event)))
                    .get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
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
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
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
                "bootstrap.servers", bootstrapServers(), "acks", "all", "delivery.timeout.ms", 3_000,
                "request.timeout.ms", 2_000, "linger.ms", 0), new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, "probe-of-nothing", null))
                    .get(5, java.util.concurrent.TimeUnit.SECONDS);
            return true;
        } catch (Exception refused) {
            return false;
        }
    }

    /** Hangs the broker: its connections stay open and nothing answers. */
    public static void freeze() throws Exception {
        signal("-STOP");
    }

    /** Lets a hung broker go on. */
    public static void thaw() throws Exception {
        signal("-CONT");
    }

    /** SIGSTOP or SIGCONT to the broker, by the process id its folder keeps. */
    private static void signal(String signal) throws Exception {
        String pid = Files.readString(broker().dataDir().resolve("broker.pid")).strip();
        assertEquals(0, new ProcessBuilder("kill", signal, pid).inheritIO().start().waitFor(), "kill " + signal);
    }
}
