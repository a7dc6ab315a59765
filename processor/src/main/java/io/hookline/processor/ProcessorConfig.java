package io.hookline.processor;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Everything under {@code hookline.} in the processor's configuration. */
@ConfigMapping(prefix = "hookline")
public interface ProcessorConfig {

    /** The optional schema registry (a Confluent-compatible API): records in its wire format instead of single objects. */
    SchemaRegistry schemaRegistry();

    interface SchemaRegistry {
        /** e.g. http://registry:8080/apis/ccompat/v7 (Apicurio) or http://schema-registry:8081 (Confluent); none: no registry. */
        java.util.Optional<String> url();
    }

    io.hookline.runtime.topics.TopicSettings topics();

    Alerts alerts();

    /** The alert rules file (YAML); without one, failures alert and nothing is scheduled. */
    java.util.Optional<String> rules();

    Delivery delivery();

    Api api();

    /** Who may use the processor's API and dashboard (see README, Security). */
    interface Api {
        /** Off only behind something that authenticates already: then anyone who reaches the port may operate. */
        @WithDefault("true")
        boolean authEnabled();

        /** The operators: {@code hookline.api.users.<name>.role=read|operate} and a token or its SHA-256. */
        java.util.Map<String, User> users();

        /** Whether /q/metrics needs the read role too (Prometheus then sends a bearer token). */
        @WithDefault("false")
        boolean protectMetrics();

        /**
         * The key that signs dashboard logins, the same on every instance. Without it, it is derived from the
         * operators' tokens (never from a token-sha256, which may sit in plain configuration), or is random per
         * start when only digests are configured.
         */
        java.util.Optional<String> sessionSecret();

        /** How long a dashboard login lasts. */
        @WithDefault("12h")
        java.time.Duration sessionLifetime();

        /** Test messages per receiver and minute, so that nobody can page people in a loop. */
        @WithDefault("3")
        int testMessagesPerMinute();

        interface User {
            /** read (jobs, alerts, the dashboard) or operate (also silences, replays, test messages). */
            String role();

            /** The token itself, best from the environment or a secret. */
            java.util.Optional<String> token();

            /** Or only its SHA-256 in hex (sha256sum), so that the configuration holds no secret. */
            java.util.Optional<String> tokenSha256();
        }
    }

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

        /** Threads that send notifications; each waits for its receiver's answer (at least 1). */
        @WithDefault("16")
        int threads();

        /**
         * How many notifications one receiver is sent at once (at least 1): a receiver that hangs holds this many
         * sending threads, not all of them. A group's own messages are always sent one after the other.
         */
        @WithDefault("8")
        int perReceiver();

        /**
         * How many dead letters are kept, and how much of their records: past either, the oldest is dropped from
         * hookline.dead-letters (counted by hookline_dead_letters_dropped_total and logged), so that a receiver down
         * through an outage of every job cannot fill the processor's memory.
         */
        DeadLetters deadLetters();

        interface DeadLetters {
            @WithDefault("10000")
            int max();

            @WithDefault("16M")
            io.quarkus.runtime.configuration.MemorySize maxBytes();
        }
    }

    /** What /api/quarantine lists: the newest quarantined events, up to these bounds (the topic keeps all, 90 days). */
    Quarantine quarantine();

    interface Quarantine {
        @WithDefault("1000")
        int listed();

        @WithDefault("16M")
        io.quarkus.runtime.configuration.MemorySize listedBytes();
    }

    /** Silences, once they have ended. */
    Silences silences();

    interface Silences {
        /**
         * How long a silence that was ended or expired stays listed (as expired), and a create sent again with its
         * Idempotency-Key answers with it instead of making it again; then it is removed from hookline.silences.
         */
        @WithDefault("5d")
        java.time.Duration keepEnded();
    }

    /** Host agents, as the processor sees them. */
    Agents agents();

    interface Agents {
        /** An agent that has not polled for this long is offline: /api/agents says so and an alert fires. */
        @WithDefault("5m")
        java.time.Duration offlineAfter();
    }

    interface Alerts {
        /**
         * How often due deadlines (missed and stuck runs, agents offline) are looked for. A check reads only the
         * jobs whose deadline has come (an index by time), so a short interval costs nothing while none is due.
         */
        @WithDefault("250ms")
        java.time.Duration checkInterval();
    }

    Dashboard dashboard();

    interface Dashboard {
        /**
         * The time zone the run calendar's days are counted in when the caller does not say (?tz=; the dashboard
         * sends the browser's): an IANA name such as Europe/Berlin.
         */
        @WithDefault("UTC")
        String timeZone();
    }

    /** Where Kafka Streams keeps its local state (a cache: the changelog topics in Kafka are the truth). */
    java.util.Optional<String> stateDir();

    /**
     * A stable identity for this instance (the StatefulSet pod name): Kafka Streams static membership, so that a
     * restarted instance gets its partitions back at once instead of after the old session expires.
     */
    java.util.Optional<String> instanceId();

    /**
     * This instance's API as the other instances reach it ({@code host:port}; Kafka Streams' application.server):
     * set it when more than one instance runs, and the API answers the same from any of them.
     */
    java.util.Optional<String> instanceAddress();

    /**
     * RocksDB's off-heap memory for the whole instance, in bytes: the block cache and memtables of every store and
     * partition share it (the streams package's BoundedRocksDb). The JVM's heap comes on top.
     */
    @WithDefault("67108864")
    long rocksdbMemoryBytes();

}
