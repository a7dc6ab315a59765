package io.hookline.gateway;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Everything under {@code hookline.} in the gateway's configuration. */
@ConfigMapping(prefix = "hookline")
public interface GatewayConfig {

    /** The configured sources, by name. */
    Map<String, SourceConfig> sources();

    Gateway gateway();

    TopicsConfig topics();

    interface SourceConfig {
        /** xsibackup, retrospect, ping, proxmox, cloudevents or generic. */
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
    }

    interface Gateway {
        @WithDefault("10s")
        Duration ackTimeout();

        @WithDefault("131072")
        int maxHookBytes();

        @WithDefault("16384")
        int rawCaptureBytes();
    }

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
