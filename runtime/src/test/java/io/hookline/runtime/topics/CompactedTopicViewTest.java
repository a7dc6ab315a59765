package io.hookline.runtime.topics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.hookline.devstack.SharedKafka;
import io.hookline.schema.Silence;
import io.hookline.schema.serde.AvroSerde;

/**
 * Two views of one compacted topic, as two processor instances hold them. A view waits up to 5 s for a fetch while
 * nothing comes; what another writer puts there still reaches it at once, written plainly or in a transaction (as
 * Kafka Streams writes some of these topics): the broker answers a waiting fetch when a record or a commit marker is
 * appended.
 */
class CompactedTopicViewTest {

    static final Duration AT_ONCE = Duration.ofSeconds(1);

    @Test
    void aRecordAnotherWriterPutsReachesAnIdleViewAtOnce() throws Exception {
        String bootstrap = SharedKafka.bootstrapServers();
        String topic = "view-test-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                    .configs(Map.of("cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> config = Map.of("bootstrap.servers", bootstrap);
        CompactedTopicView<Silence> writer = new CompactedTopicView<>(topic, Silence.class, config);
        CompactedTopicView<Silence> reader = new CompactedTopicView<>(topic, Silence.class, config);
        Map<String, Object> transactional = Map.of("bootstrap.servers", bootstrap,
                "transactional.id", "view-test-" + UUID.randomUUID());
        try (KafkaProducer<String, byte[]> streams = new KafkaProducer<>(transactional, new StringSerializer(),
                new ByteArraySerializer())) {
            streams.initTransactions();
            writer.put("first", silence("first"));
            await(reader, "first", Duration.ofSeconds(30)); // both read the topic now

            // Three times each, after the reader's fetch has waited a while: a fetch answered only when its wait ran
            // out would come up to 5 s late, and would miss the second in all of them by chance once in a hundred.
            for (int round = 1; round <= 3; round++) {
                TimeUnit.MILLISECONDS.sleep(1_500);
                String plain = "plain-" + round;
                writer.put(plain, silence(plain));
                await(reader, plain, AT_ONCE);

                TimeUnit.MILLISECONDS.sleep(1_500);
                String committed = "committed-" + round;
                streams.beginTransaction();
                streams.send(new ProducerRecord<>(topic, committed, AvroSerde.of(Silence.class).encode(silence(committed))));
                streams.commitTransaction();
                await(reader, committed, AT_ONCE);
            }
        } finally {
            writer.close();
            reader.close();
        }
    }

    static Silence silence(String id) {
        return Silence.newBuilder().setId(id).setMatchers(Map.of("host", "nas-1")).setStartsAt(Instant.now())
                .setCreatedAt(Instant.now()).build();
    }

    static void await(CompactedTopicView<Silence> view, String key, Duration within) throws InterruptedException {
        long start = System.nanoTime();
        while (view.get(key).isEmpty()) {
            long waited = System.nanoTime() - start;
            assertTrue(waited < within.toNanos(), key + " not seen within " + within.toMillis() + " ms");
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }
}
