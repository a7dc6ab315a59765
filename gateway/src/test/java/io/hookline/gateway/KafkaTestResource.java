package io.hookline.gateway;

import java.util.Map;

import io.hookline.devstack.SharedKafka;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Points the gateway at the one real broker this module's test run shares (devstack). */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("kafka.bootstrap.servers", SharedKafka.bootstrapServers());
    }

    @Override
    public void stop() {
        // The broker outlives the application: other test classes use it; it stops with the JVM.
    }
}
