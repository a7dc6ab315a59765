package io.hookline.runtime.topics;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

import io.hookline.runtime.text.Excerpt;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.serde.SchemaRegistry;

/**
 * How both services write Avro: as single objects (the default, no registry), or, with
 * {@code hookline.schema-registry.url}, through a Confluent-compatible schema registry, every released schema
 * registered first. Called once at start, before anything is written or read.
 */
public final class WireFormat {

    /** How long a start waits for the registry (it may start after the services). */
    static final Duration WAIT = Duration.ofSeconds(60);

    private WireFormat() {
    }

    public static synchronized void configure(Optional<String> registryUrl, Consumer<String> log) {
        if (registryUrl.isEmpty() || registryUrl.get().isBlank()) {
            AvroSerde.useRegistry(null);
            return;
        }
        String url = registryUrl.get().strip();
        SchemaRegistry registry;
        try {
            java.net.URI uri = java.net.URI.create(url);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("it needs http:// or https:// and a host");
            }
            registry = new SchemaRegistry(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("hookline.schema-registry.url: '"
                    + Excerpt.of(url, 201) + "' is not a registry URL (" + e.getMessage()
                    + "), e.g. http://registry:8080/apis/ccompat/v7", e);
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                registry.registerReleased();
                break;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("hookline.schema-registry.url: " + e.getMessage()
                            + " (tried for " + WAIT.toSeconds() + " s)", e);
                }
                log.accept("waiting for the schema registry: " + e.getMessage());
                try {
                    java.util.concurrent.TimeUnit.SECONDS.sleep(2);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the schema registry", interrupted);
                }
            }
        }
        AvroSerde.useRegistry(registry);
        log.accept("Avro records are written through the schema registry at " + registry.url()
                + " (Confluent wire format, one subject per record); single-object records are still read");
    }
}
