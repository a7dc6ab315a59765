package io.hookline.gateway.kafka;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.hookline.gateway.GatewayConfig;
import io.hookline.runtime.topics.TopicBootstrap;
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
        setup = TopicBootstrap.atStart(config.topics(), kafkaConfig, "hookline-gateway-admin", LOG::info);
    }

    void onStop(@Observes ShutdownEvent stop) throws Exception {
        setup.close();
    }
}
