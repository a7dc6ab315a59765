package io.hookline.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One broker for a whole test JVM (one per module's test run, not one per test class). It starts on first use,
 * in a fresh temporary folder on free ports, and stops when the JVM exits.
 */
public final class SharedKafka {

    private static LocalKafka broker;

    private SharedKafka() {
    }

    public static synchronized LocalKafka broker() {
        if (broker == null) {
            try {
                Path dir = Files.createTempDirectory("hookline-test-kafka-");
                broker = new LocalKafka(dir, LocalKafka.freePort(), LocalKafka.freePort(), "384m");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            broker.start(Duration.ofSeconds(90));
            LocalKafka started = broker;
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "stop-shared-kafka"));
        } else if (!broker.isRunning()) {
            // A test stopped it to prove the services survive an outage; whoever comes next gets it back.
            broker.start(Duration.ofSeconds(90));
        }
        return broker;
    }

    public static String bootstrapServers() {
        return broker().bootstrapServers();
    }
}
