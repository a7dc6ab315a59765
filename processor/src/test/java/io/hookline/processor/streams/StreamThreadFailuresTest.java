package io.hookline.processor.streams;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hookline.devstack.SharedKafka;

/**
 * Kafka Streams' thread failing, on a real broker with exactly-once and static membership as the processor runs them:
 * the processor is stopped (exit status 1) instead of staying up with nothing folded, and once started again it goes
 * on from the last commit at once, folding nothing twice.
 */
class StreamThreadFailuresTest {

    @TempDir
    Path state;

    /**
     * Counts each key's records in a store and writes the count: a record folded twice after a restart would show
     * as a count skipped. It fails on "boom" after its store write, as often as {@code failures} says.
     */
    static Topology counting(String in, String out, AtomicInteger failures) {
        Topology topology = new Topology();
        topology.addSource("in", Serdes.String().deserializer(), Serdes.String().deserializer(), in);
        topology.addProcessor("count", () -> new Processor<String, String, String, String>() {
            private ProcessorContext<String, String> context;
            private KeyValueStore<String, Long> counts;

            @Override
            public void init(ProcessorContext<String, String> context) {
                this.context = context;
                this.counts = context.getStateStore("counts");
            }

            @Override
            public void process(Record<String, String> record) {
                Long before = counts.get(record.key());
                long count = (before == null ? 0 : before) + 1;
                counts.put(record.key(), count);
                if (record.value().equals("boom") && failures.getAndDecrement() > 0) {
                    throw new IllegalStateException("the disk under the store went away");
                }
                context.forward(record.withValue(record.value() + "=" + count));
            }
        }, "in");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("counts"), Serdes.String(),
                Serdes.Long()), "count");
        topology.addSink("out", out, Serdes.String().serializer(), Serdes.String().serializer(), "count");
        return topology;
    }

    /** One processor's Kafka Streams: the same {@code id} is the same processor started again. */
    KafkaStreams start(String id, Topology topology, StreamThreadFailures handler) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, id);
        // as the processor runs with hookline.instance-id (Compose and k8s set it): started again, it takes its
        // partitions back at once instead of after the session of the one that stopped expired (45 s)
        props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), id);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        KafkaStreams streams = new KafkaStreams(topology, props);
        streams.setUncaughtExceptionHandler(handler);
        streams.start();
        return streams;
    }

    static String[] topics(String... values) throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String in = "thread-failures-in-" + tag;
        String out = "thread-failures-out-" + tag;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedKafka.bootstrapServers()));
                KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                        SharedKafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            admin.createTopics(List.of(new NewTopic(in, 1, (short) 1), new NewTopic(out, 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
            for (String value : values) {
                producer.send(new ProducerRecord<>(in, "job", value)).get(30, TimeUnit.SECONDS);
            }
        }
        return new String[] {in, out};
    }

    /** What another service reading the output sees: committed records only. */
    static List<String> committed(String topic, int expected, Duration within) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long end = System.nanoTime() + within.toNanos();
            while (values.size() < expected && System.nanoTime() < end) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
            }
            // a little longer: anything beyond what is expected would be a record folded twice
            consumer.poll(Duration.ofSeconds(1)).forEach(r -> values.add(r.value()));
        }
        return values;
    }

    @Test
    void aFailedThreadStopsTheProcessorAndTheProcessorStartedAgainFoldsEachRecordOnce() throws Exception {
        String[] topics = topics("a", "boom", "c");
        String id = "thread-failures-" + UUID.randomUUID();
        AtomicInteger stops = new AtomicInteger();
        StreamThreadFailures handler = new StreamThreadFailures(stops::incrementAndGet);
        try (KafkaStreams streams = start(id, counting(topics[0], topics[1], new AtomicInteger(1)), handler)) {
            // (the failed thread's exception reaches the JVM's handler after ours: not a failure of this test)
            await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(60))
                    .until(() -> streams.state() == KafkaStreams.State.ERROR);
            assertEquals(1, stops.get(), "the processor is told to stop, once");
            List<String> before = committed(topics[1], 1, Duration.ofSeconds(5));
            assertTrue(before.isEmpty() || before.equals(List.of("a=1")),
                    "nothing of the failing record or after it: " + before);
        }

        // Started again, with what failed gone: "boom" was counted once before its thread failed, and the count
        // shows no record twice. Within 30 s: waiting for the stopped member's session would take 45.
        try (KafkaStreams streams = start(id, counting(topics[0], topics[1], new AtomicInteger(0)), handler)) {
            assertEquals(List.of("a=1", "boom=2", "c=3"), committed(topics[1], 3, Duration.ofSeconds(30)));
            assertEquals(KafkaStreams.State.RUNNING, streams.state());
        }
        assertEquals(1, stops.get());
    }

    @Test
    void theLogNamesWhatWentWrongBeneathKafkaStreamsWrapping() {
        var failure = new org.apache.kafka.streams.errors.StreamsException("task [0_1] failed while punctuating",
                new org.apache.kafka.streams.errors.ProcessorStateException("store job-state",
                        new IllegalArgumentException("hookline.rocksdb-memory-bytes must be at least 8388608")));
        assertEquals("IllegalArgumentException: hookline.rocksdb-memory-bytes must be at least 8388608",
                StreamThreadFailures.rootCause(failure));
        assertEquals("OutOfMemoryError", StreamThreadFailures.rootCause(new OutOfMemoryError()));
    }
}
