package io.hookline.runtime.topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    @Test
    void aBoundedViewHoldsTheNewestAndDeletesWhatItDropsFromTheTopic() throws Exception {
        String bootstrap = SharedKafka.bootstrapServers();
        String topic = compacted(bootstrap);
        Map<String, Object> config = Map.of("bootstrap.servers", bootstrap);
        Instant t0 = Instant.parse("2026-12-01T00:00:00Z");
        List<String> dropped = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompactedTopicView<Silence> bounded = CompactedTopicView.newest(topic, Silence.class, config,
                new CompactedTopicView.Bound<>(3, Long.MAX_VALUE, Silence::getStartsAt, true,
                        (key, value) -> dropped.add(key)));
        CompactedTopicView<Silence> all = new CompactedTopicView<>(topic, Silence.class, config);
        try {
            // Written out of order: what goes is the oldest by the bound's age, not the first written.
            for (int i : new int[] {3, 1, 5, 2, 4}) {
                bounded.put("s" + i, silence("s" + i, t0.plusSeconds(i)));
            }
            assertEquals(java.util.Set.of("s3", "s4", "s5"), keys(bounded));
            assertEquals(List.of("s1", "s2"), dropped);
            // Deleted from the topic too: a view of all of it (another instance, a restart) ends with the same three.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!keys(all).equals(java.util.Set.of("s3", "s4", "s5")) && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
            assertEquals(java.util.Set.of("s3", "s4", "s5"), keys(all));
            // The writer's view reads its own records back, the dropped ones too before their deletion: none is
            // dropped (and told) twice.
            while (bounded.valuesRead() < 5 && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
            assertEquals(java.util.Set.of("s3", "s4", "s5"), keys(bounded));
            assertEquals(List.of("s1", "s2"), dropped);

            // A view that starts on a topic holding more than its bound keeps the newest while it reads, by bytes as
            // well as by count, and leaves the topic alone when it is not to delete.
            int oneRecord = AvroSerde.of(Silence.class).encode(silence("s3", t0.plusSeconds(3))).length;
            CompactedTopicView<Silence> small = CompactedTopicView.newest(topic, Silence.class, config,
                    new CompactedTopicView.Bound<>(100, 2L * oneRecord, Silence::getStartsAt, false, (key, value) -> { }));
            try {
                await(small, "s5", Duration.ofSeconds(30));
                while (small.valuesRead() < 3 && System.nanoTime() < deadline) {
                    TimeUnit.MILLISECONDS.sleep(20);
                }
                assertEquals(java.util.Set.of("s4", "s5"), keys(small));
                TimeUnit.SECONDS.sleep(1);
                assertEquals(java.util.Set.of("s3", "s4", "s5"), keys(all), "a view that does not delete deleted");
            } finally {
                small.close();
            }
        } finally {
            bounded.close();
            all.close();
        }
        IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new CompactedTopicView.Bound<Silence>(0, 1, Silence::getStartsAt, false, (key, value) -> { }));
        assertEquals("a view's bound must be at least 1 entry and 1 byte", refused.getMessage());
    }

    @Test
    void aBoundedViewDropsEachOfItsOwnRecordsOnceAndCountsItBeforeTheWriteReturns() throws Exception {
        String bootstrap = SharedKafka.bootstrapServers();
        String topic = compacted(bootstrap);
        Instant t0 = Instant.parse("2026-12-01T00:00:00Z");
        // Older records already on the topic keep the view's reader busy while the writes below are made (as a
        // restart or a busy machine would), so that it reads each written record back after the write dropped it.
        int before = 20_000;
        AvroSerde<Silence> serde = AvroSerde.of(Silence.class);
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(
                Map.of("bootstrap.servers", bootstrap, "linger.ms", 5),
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            for (int i = 0; i < before; i++) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, "old" + i,
                        serde.encode(silence("old" + i, t0.minusSeconds(1)))));
            }
            producer.flush();
        }
        List<String> dropped = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (CompactedTopicView<Silence> bounded = CompactedTopicView.newest(topic, Silence.class,
                Map.of("bootstrap.servers", bootstrap), new CompactedTopicView.Bound<>(3, Long.MAX_VALUE,
                        Silence::getStartsAt, true, (key, value) -> {
                            if (!key.startsWith("old")) {
                                dropped.add(key);
                            }
                        }))) {
            int written = 300;
            for (int i = 0; i < written; i++) {
                bounded.put("s" + i, silence("s" + i, t0.plusSeconds(i)));
                // Told before put returns, whichever of the view's threads dropped it.
                assertEquals(Math.max(0, i - 2), dropped.size(), "dropped after s" + i);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (bounded.valuesRead() < before + written && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
            assertEquals(before + written, bounded.valuesRead());
            TimeUnit.MILLISECONDS.sleep(200);
            assertEquals(java.util.stream.IntStream.range(0, written - 3).mapToObj(i -> "s" + i).toList(), dropped,
                    "each dropped once, oldest first");
            assertEquals(java.util.Set.of("s297", "s298", "s299"), keys(bounded));
        }
    }

    @Test
    void aKeyWrittenAgainWhileItsOlderValueIsDroppedKeepsTheNewerValueInTheViewAndOnTheTopic() throws Exception {
        String bootstrap = SharedKafka.bootstrapServers();
        Instant t0 = Instant.parse("2026-12-01T00:00:00Z");
        // A view of one entry holds "again". Two writes race: "other", newer, drops "again" and deletes it from the
        // topic; "again" is written anew, newer still (a dead letter replayed and failed again as it leaves). Each
        // round on a topic of its own, as the two writes may meet either way.
        for (int round = 0; round < 10; round++) {
            String topic = compacted(bootstrap);
            try (CompactedTopicView<Silence> view = CompactedTopicView.newest(topic, Silence.class,
                    Map.of("bootstrap.servers", bootstrap), new CompactedTopicView.Bound<>(1, Long.MAX_VALUE,
                            Silence::getStartsAt, true, (key, value) -> { }))) {
                view.put("again", silence("again", t0));
                java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
                java.util.concurrent.CompletableFuture<Void> writtenAgain = java.util.concurrent.CompletableFuture
                        .runAsync(() -> {
                            try {
                                together.await();
                                view.put("again", silence("again", t0.plusSeconds(2)));
                            } catch (Exception e) {
                                throw new java.util.concurrent.CompletionException(e);
                            }
                        });
                together.await();
                view.put("other", silence("other", t0.plusSeconds(1)));
                writtenAgain.get(30, TimeUnit.SECONDS);
                // Whichever came first, the newest is "again" of t0+2: the topic ends with it, and so does the view
                // once its reader has read every record the writes sent.
                TimeUnit.MILLISECONDS.sleep(300);
                Map<String, Silence> onTopic = wholeTopic(bootstrap, topic);
                assertEquals(java.util.Set.of("again"), onTopic.keySet(), "on the topic, round " + round);
                assertEquals(t0.plusSeconds(2), onTopic.get("again").getStartsAt(), "on the topic, round " + round);
                assertEquals(java.util.Set.of("again"), keys(view), "in the view, round " + round);
                assertEquals(t0.plusSeconds(2), view.get("again").orElseThrow().getStartsAt(), "round " + round);
            }
        }
    }

    /**
     * The broker hangs (SIGSTOP, a broker of its own) while two keys are written at once: each write fails within
     * the view's write time-out with a sentence naming the key and the topic, neither waits for the other (two keys a
     * lock per stripe of 32 shared, where the second waited for the first's 10 s), the view holds neither and answers
     * reads meanwhile; once the broker goes on, writes are confirmed again and the view holds what the topic holds,
     * whatever the hung broker appended of the failed writes.
     */
    @Test
    void writesTheHungBrokerDoesNotConfirmFailWithinTheTimeOutEachOnItsOwnAndTheViewStaysTheTopics(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path folder) throws Exception {
        try (io.hookline.devstack.LocalKafka kafka = new io.hookline.devstack.LocalKafka(folder.resolve("kafka"),
                io.hookline.devstack.LocalKafka.freePort(), io.hookline.devstack.LocalKafka.freePort()).start(Duration.ofMinutes(2))) {
            String bootstrap = kafka.bootstrapServers();
            String topic = compacted(bootstrap);
            String first = "silence-1";
            String second = java.util.stream.IntStream.range(2, 1_000).mapToObj(i -> "silence-" + i)
                    .filter(key -> Math.floorMod(key.hashCode(), 32) == Math.floorMod(first.hashCode(), 32))
                    .findFirst().orElseThrow();
            try (CompactedTopicView<Silence> view = new CompactedTopicView<>(topic, Silence.class,
                    Map.of("bootstrap.servers", bootstrap));
                    CompactedTopicView<Silence> reader = new CompactedTopicView<>(topic, Silence.class,
                            Map.of("bootstrap.servers", bootstrap))) {
                view.put("before", silence("before"));
                await(reader, "before", Duration.ofSeconds(30));

                java.util.concurrent.ExecutorService writers = java.util.concurrent.Executors.newFixedThreadPool(2);
                List<java.util.concurrent.Future<String>> writes;
                kafka.freeze();
                try {
                    long start = System.nanoTime();
                    writes = writers.invokeAll(List.of(() -> failedWrite(view, first, start),
                            () -> failedWrite(view, second, start)));
                    assertEquals("before", view.get("before").orElseThrow().getId(), "read while the broker hangs");
                    // Checked before the thaw: the broker may still append a record it had received, and the reader
                    // then holds it, as the topic does.
                    assertTrue(view.get(first).isEmpty() && view.get(second).isEmpty(), "a failed write is not held");
                } finally {
                    kafka.thaw();
                    writers.shutdown();
                }
                for (int i = 0; i < 2; i++) {
                    String key = i == 0 ? first : second;
                    String failure = writes.get(i).get();
                    assertTrue(failure.startsWith("Kafka did not confirm the write of '" + key + "' to " + topic
                            + " within 10 s ("), failure);
                    assertTrue(failure.contains(" after "), failure);
                    double seconds = Double.parseDouble(failure.substring(failure.lastIndexOf(" after ") + 7,
                            failure.length() - 2));
                    assertTrue(seconds < 15, key + " failed " + seconds + " s after it was written: " + failure);
                }
                System.out.printf("writes while the broker hung: %s; %s%n", writes.get(0).get(), writes.get(1).get());

                org.awaitility.Awaitility.await("a write confirmed after the thaw").atMost(Duration.ofSeconds(60))
                        .ignoreExceptionsInstanceOf(CompactedTopicView.NotConfirmed.class)
                        .until(() -> {
                            view.put("after", silence("after"));
                            return true;
                        });
                await(reader, "after", Duration.ofSeconds(30));
                org.awaitility.Awaitility.await("the view holds what the topic holds").atMost(Duration.ofSeconds(30))
                        .until(() -> keys(view).equals(wholeTopic(bootstrap, topic).keySet())
                                && keys(reader).equals(keys(view)));
                assertTrue(keys(view).containsAll(java.util.Set.of("before", "after")), keys(view).toString());
            }
        }
    }

    /** A write the test expects to fail: its failure's message and when it came. */
    static String failedWrite(CompactedTopicView<Silence> view, String key, long start) {
        try {
            view.put(key, silence(key));
            return "confirmed: " + key + " after " + (System.nanoTime() - start) / 1e9 + " s";
        } catch (CompactedTopicView.NotConfirmed e) {
            return e.getMessage() + " after " + (System.nanoTime() - start) / 1e9 + " s";
        }
    }

    /** What a compacted topic holds once compacted: the last value of each key, deleted keys left out. */
    static Map<String, Silence> wholeTopic(String bootstrap, String topic) {
        Map<String, Silence> held = new java.util.HashMap<>();
        AvroSerde<Silence> serde = AvroSerde.of(Silence.class);
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]>(
                Map.of("bootstrap.servers", bootstrap), new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            var partition = new org.apache.kafka.common.TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (consumer.position(partition) < end) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    if (record.value() == null) {
                        held.remove(record.key());
                    } else {
                        held.put(record.key(), serde.decode(record.value()));
                    }
                });
            }
        }
        return held;
    }

    static String compacted(String bootstrap) throws Exception {
        String topic = "view-test-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                    .configs(Map.of("cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
        }
        return topic;
    }

    static java.util.Set<String> keys(CompactedTopicView<Silence> view) {
        return view.values().stream().map(Silence::getId).collect(java.util.stream.Collectors.toSet());
    }

    static Silence silence(String id, Instant startsAt) {
        return Silence.newBuilder().setId(id).setMatchers(Map.of("host", "nas-1")).setStartsAt(startsAt)
                .setCreatedAt(startsAt).build();
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
