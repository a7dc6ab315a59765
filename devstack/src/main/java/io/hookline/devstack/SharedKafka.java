package io.hookline.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One broker for a whole test JVM (one per module's test run, not one per test class). It starts on first use,
 * in a fresh temporary folder on free ports, and stops when the JVM exits; its folder is deleted then.
 *
 * <p>Quarkus may load this class once per application class loader; the broker's address is kept in a system
 * property so that every copy of the class finds the one broker instead of starting another.
 */
public final class SharedKafka {

    private static final String PROPERTY = "io.hookline.devstack.shared-kafka";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private SharedKafka() {
    }

    public static LocalKafka broker() {
        synchronized (System.class) {
            String known = System.getProperty(PROPERTY);
            LocalKafka broker;
            if (known == null) {
                try {
                    Path dir = Files.createTempDirectory("hookline-test-kafka-");
                    broker = new LocalKafka(dir, LocalKafka.freePort(), LocalKafka.freePort(), "384m");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                System.setProperty(PROPERTY, broker.port() + "," + broker.controllerPort() + "," + broker.dataDir());
            } else {
                String[] parts = known.split(",", 3);
                broker = new LocalKafka(Path.of(parts[2]), Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), "384m");
                if (LocalKafka.accepts(broker.port())) {
                    return broker;
                }
            }
            // Not running: first use, or a test stopped it to prove the services survive an outage.
            broker.start(START_TIMEOUT);
            LocalKafka started = broker;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                started.stop();
                Folders.delete(started.dataDir());
            }, "stop-shared-kafka"));
            return broker;
        }
    }

    public static String bootstrapServers() {
        return broker().bootstrapServers();
    }
}
