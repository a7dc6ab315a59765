package io.hookline.processor.streams;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.hookline.processor.ProcessorConfig;
import io.hookline.runtime.topics.TopicBootstrap;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * Creates Hookline's topics at start when {@code hookline.topics.create} is on, so that the processor can start
 * before the gateway; Kafka Streams waits for them (quarkus.kafka-streams.topics).
 */
@ApplicationScoped
public class TopicSetup {

    private static final Logger LOG = Logger.getLogger(TopicSetup.class);

    private AutoCloseable setup;

    void onStart(@Observes StartupEvent start, ProcessorConfig config,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        setup = TopicBootstrap.atStart(config.topics(), kafkaConfig, "hookline-processor-admin", LOG::info);
    }

    void onStop(@Observes ShutdownEvent stop) throws Exception {
        setup.close();
    }
}
