package io.hookline.processor;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Everything under {@code hookline.} in the processor's configuration. */
@ConfigMapping(prefix = "hookline")
public interface ProcessorConfig {

    TopicsConfig topics();

    Alerts alerts();

    /** The alert rules file (YAML); without one, failures alert and nothing is scheduled. */
    java.util.Optional<String> rules();

    Delivery delivery();

    /**
     * Where people reach this processor (its dashboard and API), such as https://hookline.example.org: messages
     * link to their alerts there. Without it they name the path on the processor.
     */
    java.util.Optional<String> publicUrl();

    interface Delivery {
        /** Off: alerts stay on hookline.alerts and in /api/alerts, nothing is sent. */
        @WithDefault("true")
        boolean enabled();

        /** The consumer group of the dispatcher: one per installation. */
        @WithDefault("hookline-dispatcher")
        String group();

        @WithDefault("1s")
        java.time.Duration initialBackoff();

        @WithDefault("5m")
        java.time.Duration maxBackoff();
    }

    interface Alerts {
        /** How often deadlines (missed and stuck runs) are checked. */
        @WithDefault("1s")
        java.time.Duration checkInterval();
    }

    /** Where Kafka Streams keeps its local state (a cache: the changelog topics in Kafka are the truth). */
    java.util.Optional<String> stateDir();

    /**
     * A stable identity for this instance (the StatefulSet pod name): Kafka Streams static membership, so that a
     * restarted instance gets its partitions back at once instead of after the old session expires.
     */
    java.util.Optional<String> instanceId();

    interface TopicsConfig {
        @WithDefault("hookline.")
        String prefix();

        @WithDefault("true")
        boolean create();

        @WithDefault("3")
        int partitions();

        @WithDefault("1")
        short replicationFactor();

        @WithDefault("-1")
        long eventsRetentionMs();
    }
}
