package io.hookline.gateway.kafka;

import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.hookline.gateway.GatewayConfig;
import io.hookline.runtime.topics.TopicBootstrap;
import io.hookline.schema.topics.Topics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/** Creates Hookline's topics at start when {@code hookline.topics.create} is on (off where Strimzi owns them). */
@ApplicationScoped
public class TopicSetup {

    private static final Logger LOG = Logger.getLogger(TopicSetup.class);

    private AutoCloseable setup;

    void onStart(@Observes StartupEvent start, GatewayConfig config,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        if (!config.topics().create()) {
            return;
        }
        Map<String, Object> adminConfig = new HashMap<>(kafkaConfig);
        adminConfig.put("client.id", "hookline-gateway-admin");
        setup = TopicBootstrap.ensureInBackground(adminConfig,
                new Topics(config.topics().prefix()).specs(config.topics().eventsRetentionMs()),
                config.topics().partitions(), config.topics().replicationFactor(), LOG::info);
    }

    void onStop(@Observes ShutdownEvent stop) throws Exception {
        if (setup != null) {
            setup.close();
        }
    }
}
