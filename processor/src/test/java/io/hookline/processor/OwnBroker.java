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
