package io.hookline.processor;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.hookline.devstack.SharedKafka;
import io.hookline.processor.notify.TestReceivers;
import io.hookline.schema.DeliveryAttempt;
import io.hookline.schema.DeliveryOutcome;
import io.hookline.schema.serde.AvroSerde;

/** What the receivers got, and what hookline.deliveries says was done. */
public final class Deliveries {

    private Deliveries() {
    }

    public static long webhookCalls(String job, String type) throws Exception {
        return TestReceivers.get().requests("/hook").stream()
                .filter(r -> r.body().contains("\"jobKey\":\"" + job + "\"") && r.body().contains("\"type\":\"" + type + "\"")).count();
    }

    public static List<DeliveryAttempt> deliveries(String alertKey, DeliveryOutcome outcome) {
        AvroSerde<DeliveryAttempt> serde = AvroSerde.of(DeliveryAttempt.class);
        List<DeliveryAttempt> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
                SharedKafka.bootstrapServers(), "group.id", "silences-" + UUID.randomUUID(), "auto.offset.reset", "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("hookline.deliveries"));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(300))) {
                    DeliveryAttempt attempt = serde.decode(record.value());
                    if (alertKey.equals(record.key()) && attempt.getOutcome() == outcome) {
                        found.add(attempt);
                    }
                }
                return !found.isEmpty();
            });
        }
        return found;
    }
}
