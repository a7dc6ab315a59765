package io.hookline.processor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

import io.hookline.devstack.Folders;
import io.hookline.devstack.SharedKafka;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** The module's one real broker (devstack), and a fresh Kafka Streams state folder for each application start. */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    /** The operator every test calls the API as, unless it tests access itself (ApiAccessTest). */
    public static final String OPERATOR_TOKEN = "test-operator-token-0123456789";
    public static final String READER_TOKEN = "test-reader-token-0123456789";

    /** This start's rules and Kafka Streams state. */
    private java.nio.file.Path folder;

    @Override
    public Map<String, String> start() {
        // A filter, not a request specification: the port Quarkus gives RestAssured must stay its own.
        io.restassured.RestAssured.replaceFiltersWith((request, response, context) -> {
            if (!request.getHeaders().hasHeaderWithName("Authorization")) {
                request.header("Authorization", "Bearer " + OPERATOR_TOKEN);
            }
            return context.next(request, response);
        });
        try {
            // The rules at start: delivery runs, to the log. Each test puts its own rules in force (TestRules).
            folder = Files.createTempDirectory("hookline-processor-test-");
            java.nio.file.Path rules = folder.resolve("rules.yaml");
            Files.writeString(rules, """
                    receivers:
                      - {name: log, type: console}
                    """);
            return Map.of("kafka.bootstrap.servers", SharedKafka.bootstrapServers(),
                    "hookline.state-dir", folder.resolve("state").toString(),
                    "hookline.rules", rules.toString(),
                    "hookline.delivery.initial-backoff", "100ms",
                    "hookline.public-url", "https://hookline.example.org/");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // The broker outlives the application; it stops with the JVM. The application's files go with it.
        if (folder != null) {
            Folders.delete(folder);
        }
    }
}
