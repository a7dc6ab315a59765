package io.hookline.processor.dispatch;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hookline.devstack.LocalKafka;
import io.hookline.devstack.SharedKafka;

/**
 * The loop that reads hookline.alerts and hookline.commands for delivery, on a real broker (one of its own where it
 * is frozen):
 * nothing that stops its consumer stops delivery for good.
 */
class FeedLoopTest {

    @TempDir
    Path folder;

    @Test
    void aCommitTheFrozenBrokerDidNotTakeStopsTheFeedOnlyUntilTheBrokerIsBack() throws Exception {
        try (LocalKafka kafka = new LocalKafka(folder.resolve("kafka"), LocalKafka.freePort(), LocalKafka.freePort())
                .start(Duration.ofMinutes(2));
                Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
                KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                        kafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            admin.createTopics(List.of(new NewTopic("feed", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            List<String> handled = new CopyOnWriteArrayList<>();
            AtomicReference<CompletableFuture<Void>> slow = new AtomicReference<>(new CompletableFuture<>());
            Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "feed-test", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    // as the processor's delivery has it with hookline.instance-id: the new consumer takes the
                    // partitions at once (without, after the old one's session expired: 45 s)
                    ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "feed-test-0",
                    ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000, ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_000);
            try (FeedLoop loop = new FeedLoop("feed", config, "feed-test", group -> { }, record -> {
                String value = new String(record.value(), StandardCharsets.UTF_8);
                handled.add(value);
                // The first record's work finishes only once the broker is frozen, so its commit meets the freeze.
                return value.equals("one") ? slow.get() : CompletableFuture.completedFuture(null);
            })) {
                loop.start();
                producer.send(new ProducerRecord<>("feed", "k", "one".getBytes(StandardCharsets.UTF_8))).get();
                await().atMost(Duration.ofSeconds(60)).until(() -> handled.contains("one"));

                kafka.freeze();
                try {
                    slow.get().complete(null);
                    await().atMost(Duration.ofSeconds(30)).until(() -> loop.failure() != null);
                    assertTrue(loop.failure().startsWith("TimeoutException: "), loop.failure());
                } finally {
                    kafka.thaw();
                }

                await().atMost(Duration.ofSeconds(60)).until(() -> loop.failure() == null);
                producer.send(new ProducerRecord<>("feed", "k", "two".getBytes(StandardCharsets.UTF_8))).get();
                await().atMost(Duration.ofSeconds(60)).until(() -> handled.contains("two"));
                assertNull(loop.failure());
                // "one" was finished but not committed: it comes again, before "two", and nothing is lost.
                assertEquals("one", handled.get(0));
                assertEquals("two", handled.get(handled.size() - 1));
            }
        }
    }

    @Test
    void aHandlerThatThrowsSkipsItsRecordAndTheFeedGoesOn() throws Exception {
        String bootstrap = SharedKafka.bootstrapServers();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
                KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                        new StringSerializer(), new ByteArraySerializer())) {
            admin.createTopics(List.of(new NewTopic("feed-skip", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            List<String> handled = new CopyOnWriteArrayList<>();
            Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.GROUP_ID_CONFIG, "feed-skip-test", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (FeedLoop loop = new FeedLoop("feed-skip", config, "feed-skip-test", group -> { }, record -> {
                String value = new String(record.value(), StandardCharsets.UTF_8);
                if (value.equals("bad")) {
                    throw new IllegalStateException("a record no listener can take");
                }
                handled.add(value);
                return CompletableFuture.completedFuture(null);
            })) {
                loop.start();
                for (String value : List.of("one", "bad", "two")) {
                    producer.send(new ProducerRecord<>("feed-skip", "k", value.getBytes(StandardCharsets.UTF_8))).get();
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> handled.contains("two"));
                assertEquals(List.of("one", "two"), handled);
                assertNull(loop.failure());
            }
        }
    }
}
