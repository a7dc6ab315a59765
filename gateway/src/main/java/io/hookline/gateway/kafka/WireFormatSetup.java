package io.hookline.gateway.kafka;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.jboss.logging.Logger;

import io.hookline.gateway.GatewayConfig;
import io.hookline.runtime.topics.WireFormat;
import io.quarkus.runtime.StartupEvent;

/** Before anything else starts: records through the schema registry when hookline.schema-registry.url is set. */
@ApplicationScoped
public class WireFormatSetup {

    private static final Logger LOG = Logger.getLogger(WireFormatSetup.class);

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent start, GatewayConfig config) {
        WireFormat.configure(config.schemaRegistry().url(), LOG::info);
    }
}
