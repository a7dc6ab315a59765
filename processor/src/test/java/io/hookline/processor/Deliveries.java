package io.hookline.processor;

import java.time.Duration;
import java.util.List;

import io.hookline.devstack.TopicReader;
import io.hookline.processor.notify.TestReceivers;
import io.hookline.schema.DeliveryAttempt;
import io.hookline.schema.DeliveryOutcome;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.topics.Topics;

/** What the receivers got, and what hookline.deliveries says was done. */
public final class Deliveries {

    static final Topics TOPICS = Topics.withDefaultPrefix();

    private Deliveries() {
    }

    public static long webhookCalls(String job, String type) throws Exception {
        return TestReceivers.get().requests("/hook").stream()
                .filter(r -> r.body().contains("\"jobKey\":\"" + job + "\"") && r.body().contains("\"type\":\"" + type + "\"")).count();
    }

    public static List<DeliveryAttempt> deliveries(String alertKey, DeliveryOutcome outcome) {
        AvroSerde<DeliveryAttempt> serde = AvroSerde.of(DeliveryAttempt.class);
        try (TopicReader<DeliveryAttempt> deliveries = TopicReader.of(TOPICS.deliveries(), serde::decode)) {
            return deliveries.awaitCount(a -> alertKey.equals(a.getGroupKey()) && a.getOutcome() == outcome, 1,
                    Duration.ofSeconds(60));
        }
    }
}
