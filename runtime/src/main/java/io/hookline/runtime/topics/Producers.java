package io.hookline.runtime.topics;

import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** The producer every service writes its own records with: acknowledged by all replicas, idempotent. */
public final class Producers {

    private Producers() {
    }

    /** A producer of Avro bytes keyed by text, named {@code clientId}, on the service's Kafka settings. */
    public static KafkaProducer<String, byte[]> acknowledged(Map<String, Object> kafkaConfig, String clientId) {
        Map<String, Object> settings = new HashMap<>(kafkaConfig);
        settings.put("client.id", clientId);
        settings.put("acks", "all");
        settings.put("enable.idempotence", true);
        // Consumer and health keys of the shared settings mean nothing to a producer (it would only warn).
        settings.remove("group.id");
        settings.keySet().removeIf(key -> key.startsWith("health") || key.equals("devservices"));
        return new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer());
    }
}
