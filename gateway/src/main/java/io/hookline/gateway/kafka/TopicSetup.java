package io.hookline.gateway.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.admin.Admin;
import org.jboss.logging.Logger;

import io.hookline.gateway.GatewayConfig;
import io.hookline.schema.topics.TopicBootstrap;
import io.hookline.schema.topics.Topics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * Creates Hookline's topics at start when {@code hookline.topics.create} is on; keeps trying in the background
 * while the broker is unreachable, so that the gateway starts (and reports not-ready) rather than crashing.
 */
@ApplicationScoped
public class TopicSetup {

    private static final Logger LOG = Logger.getLogger(TopicSetup.class);

    private ScheduledExecutorService retries;

    void onStart(@Observes StartupEvent start, GatewayConfig config,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        if (!config.topics().create()) {
            return;
        }
        Topics topics = new Topics(config.topics().prefix());
        Map<String, Object> adminConfig = new HashMap<>(kafkaConfig);
        adminConfig.put("client.id", "hookline-gateway-admin");
        Runnable attempt = () -> {
            try (Admin admin = Admin.create(adminConfig)) {
                List<String> created = TopicBootstrap.ensure(admin,
                        topics.specs(config.topics().eventsRetentionMs()), config.topics().partitions(),
                        config.topics().replicationFactor(), 10_000);
                if (!created.isEmpty()) {
                    LOG.infof("created topics %s", created);
                }
                if (retries != null) {
                    retries.shutdown();
                }
            } catch (Exception e) {
                LOG.warnf("cannot create topics yet (%s); trying again in 10 s", e.getMessage());
                throw new IllegalStateException(e);
            }
        };
        try {
            attempt.run();
        } catch (IllegalStateException first) {
            retries = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "hookline-topic-setup"));
            retries.scheduleWithFixedDelay(() -> {
                try {
                    attempt.run();
                } catch (IllegalStateException ignored) {
                    // logged above; the schedule tries again
                }
            }, 10, 10, TimeUnit.SECONDS);
        }
    }

    void onStop(@Observes ShutdownEvent stop) {
        if (retries != null) {
            retries.shutdownNow();
        }
    }
}
