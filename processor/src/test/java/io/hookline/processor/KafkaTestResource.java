package io.hookline.processor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

import io.hookline.devstack.SharedKafka;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** The module's one real broker (devstack), and a fresh Kafka Streams state folder for each application start. */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        try {
            return Map.of("kafka.bootstrap.servers", SharedKafka.bootstrapServers(),
                    "hookline.state-dir", Files.createTempDirectory("hookline-processor-state-").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // The broker outlives the application; it stops with the JVM.
    }
}
