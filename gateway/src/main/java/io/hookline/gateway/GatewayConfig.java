package io.hookline.gateway;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Everything under {@code hookline.} in the gateway's configuration. */
@ConfigMapping(prefix = "hookline")
public interface GatewayConfig {

    /** The optional schema registry (a Confluent-compatible API): records in its wire format instead of single objects. */
    SchemaRegistry schemaRegistry();

    interface SchemaRegistry {
        /** e.g. http://registry:8080/apis/ccompat/v7 (Apicurio) or http://schema-registry:8081 (Confluent); none: no registry. */
        java.util.Optional<String> url();
    }

    /** The configured sources, by name. */
    Map<String, SourceConfig> sources();

    Gateway gateway();

    io.hookline.runtime.topics.TopicSettings topics();

    /** Host agents: their long polls for commands and what they report. */
    Agents agents();

    interface Agents {
        /** The longest an agent's poll may wait for a command ({@code ?wait=} seconds is capped to it). */
        @WithDefault("60s")
        Duration maxWait();

        /** How often at most an agent's poll is recorded as AGENT_SEEN (its version or actions changing always is). */
        @WithDefault("60s")
        Duration heartbeatInterval();

        /** How far back hookline.commands is read at start: commands older than this are not delivered. */
        @WithDefault("48h")
        Duration lookback();

        /**
         * The most commands one poll answers, those due first; the agent polls again at once for the rest, and what it
         * has not been given yet is neither recorded as delivered nor held back from expiring.
         */
        @WithDefault("100")
        int maxCommandsPerPoll();

        /** Characters of an action's output kept with its result (its last lines). */
        @WithDefault("4000")
        int outputChars();

        /**
         * Bytes of commands' records held in memory, the most recently read or used; the records of a larger backlog
         * are read again from hookline.commands when they are delivered or reported on.
         */
        @WithDefault("16M")
        io.quarkus.runtime.configuration.MemorySize recordsInMemory();
    }

    interface SourceConfig {
        /** xsibackup, retrospect, ping, proxmox, cloudevents, generic or agent. */
        String kind();

        /** The secret in the hook URL (or Authorization: Bearer). */
        String token();

        /** A second valid token while hosts move to a new one. */
        Optional<String> previousToken();

        /** The exact text the caller expects back when its hook is safe (XSIBackup compares it). */
        @WithDefault("OK")
        String ack();

        /** The zone of the source's clock, for products that send local times without a zone. */
        @WithDefault("UTC")
        String timeZone();

        /** Hooks per second this source may send; more get 429 with Retry-After. */
        @WithDefault("20")
        double rateLimit();

        /** How many hooks may arrive at once above the rate (a whole backup window firing together). */
        @WithDefault("200")
        int rateBurst();

        /** Jobs this source may create; a hook for one more new job is refused (403, too-many-jobs). */
        @WithDefault("1000")
        int maxJobs();

        /** Standard Webhooks signing secret ({@code whsec_...}); when set, POST /events must be signed. */
        Optional<String> signingSecret();

        /** Healthchecks check UUIDs of a ping source, each naming its job: {@code checks."<uuid>"=nightly-db}. */
        Map<String, String> checks();

        /** Jobs (Retrospect script names) to hold: their start is refused by an intervention. {@code *}: all. */
        Optional<java.util.List<String>> pausedJobs();

        @WithDefault("Paused in Hookline by the operator")
        String pauseMessage();

        /** Weekly windows in the source's time zone when jobs may not start: {@code Sat 22:00-Sun 06:00}, {@code daily 01:00-02:00}. */
        Optional<java.util.List<String>> maintenanceWindows();

        @WithDefault("Maintenance window (Hookline): the backup will run at its next schedule")
        String maintenanceMessage();
    }

    interface Gateway {
        @WithDefault("10s")
        Duration ackTimeout();

        /**
         * Records waiting and none acknowledged for this long: the broker is taken as hung, and hooks are refused
         * at once (one probe at a time still goes to it) until it acknowledges again.
         */
        @WithDefault("3s")
        Duration brokerStall();

        @WithDefault("1048576")
        int maxHookBytes();

        @WithDefault("16384")
        int rawCaptureBytes();

        /** Requests that prove no source (unknown token, no such endpoint), per client address. */
        Anonymous anonymous();
    }

    interface Anonymous {
        /** Refused requests per second one address may make before it gets 429. */
        @WithDefault("5")
        double rateLimit();

        @WithDefault("50")
        int rateBurst();

        /** Over the limit, one refusal per interval is recorded, with the count of those that were not. */
        @WithDefault("10s")
        java.time.Duration sampleInterval();

        /** Addresses remembered at most; the least recently seen are forgotten first. */
        @WithDefault("10000")
        int maxAddresses();
    }

}
