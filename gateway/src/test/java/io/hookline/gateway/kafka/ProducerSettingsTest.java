package io.hookline.gateway.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The gateway's producer: what the answer to a caller promises (acks=all, idempotent) is not the operator's to
 * change; how long a record waits for others to share its batch is (kafka.linger.ms), 1 ms unless set.
 */
class ProducerSettingsTest {

    @Test
    void acknowledgementByEveryReplicaAndIdempotenceHoldWhateverTheConfigurationSays() {
        Map<String, Object> config = EventLog.producerConfig(Map.of("bootstrap.servers", "kafka:9092", "acks", "1",
                "enable.idempotence", "false"), 10_000);
        assertEquals("all", config.get(ProducerConfig.ACKS_CONFIG));
        assertEquals(true, config.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG));
        assertEquals("kafka:9092", config.get("bootstrap.servers"));
    }

    @Test
    void aRecordWaitsOneMillisecondForItsBatchUnlessTheOperatorSetsAnother() {
        assertEquals(1, EventLog.producerConfig(Map.of(), 10_000).get(ProducerConfig.LINGER_MS_CONFIG));
        assertEquals("5", EventLog.producerConfig(Map.of("linger.ms", "5"), 10_000).get(ProducerConfig.LINGER_MS_CONFIG));
    }

    @Test
    void aLingerThatIsNotAWaitStopsTheGatewaysStartNamingTheSetting() {
        for (String value : List.of("-1", "soon", String.valueOf(Long.MIN_VALUE))) {
            Map<String, Object> config = EventLog.producerConfig(Map.of("bootstrap.servers", "127.0.0.1:1",
                    "linger.ms", value), 10_000);
            // What EventLog's constructor does first, before the gateway serves anything.
            ConfigException refused = assertThrows(ConfigException.class,
                    () -> new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer()).close());
            assertTrue(refused.getMessage().contains("linger.ms"), refused.getMessage());
        }
    }

    @Test
    void quarkusOwnKafkaKeysDoNotReachTheProducer() {
        Map<String, Object> config = EventLog.producerConfig(Map.of("health.enabled", "true", "devservices", "false"),
                10_000);
        assertFalse(config.containsKey("health.enabled"));
        assertFalse(config.containsKey("devservices"));
    }
}
