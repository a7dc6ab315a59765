package io.hookline.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The least a fold of hookline.events can do on Kafka Streams, as the replay's second peer: each event read as bytes,
 * its job's entry read from a RocksDB store, the event put in its place (store and changelog) and forwarded to an
 * output topic, exactly-once v2, committing every 50 ms, batches of up to 256 kB, one stream thread: the processor's
 * settings, without decoding, folding or reacting. Run in its own JVM by {@link ProcessorAtScale}, which times it
 * from launch until its committed offsets reach the end of the topic, as it times the processor.
 * <pre>StreamsFoldPeer &lt;bootstrap servers&gt; &lt;events topic&gt; &lt;output topic&gt; &lt;state dir&gt;</pre>
 */
public final class StreamsFoldPeer {

    static final String APPLICATION_ID = "bench-streams-fold";
    static final String STORE = "latest";
    /** The processor's kafka-streams.commit.interval.ms (application.properties), unless the bench's options say. */
    static final int COMMIT_INTERVAL_MS = Integer.getInteger("kafka-streams.commit.interval.ms", 50);

    public static void main(String[] args) throws InterruptedException {
        Properties config = new Properties();
        config.putAll(Map.of(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID,
                StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args[0],
                StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2,
                // The processor's commit interval, or what HOOKLINE_BENCH_PROCESSOR_OPTS gives it.
                StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL_MS,
                // As many stream threads as the processor gets through HOOKLINE_BENCH_PROCESSOR_OPTS (one by default).
                StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.getInteger("kafka-streams.num.stream.threads", 1),
                StreamsConfig.STATE_DIR_CONFIG, Path.of(args[3]).toString(),
                StreamsConfig.REPLICATION_FACTOR_CONFIG, 1,
                StreamsConfig.producerPrefix("batch.size"), 262_144,
                StreamsConfig.producerPrefix("linger.ms"), 5,
                StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest"));
        KafkaStreams streams = new KafkaStreams(topology(args[1], args[2]), config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            streams.close();
            stopped.countDown();
        }));
        streams.start();
        stopped.await();
    }

    static Topology topology(String events, String output) {
        Topology topology = new Topology();
        topology.addSource("events", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), events);
        topology.addProcessor("latest", Latest::new, "events");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(),
                Serdes.ByteArray()), "latest");
        topology.addSink("output", output, Serdes.String().serializer(), Serdes.ByteArray().serializer(), "latest");
        return topology;
    }

    /** Keeps each job's latest event; forwards it when it changed the job's entry. */
    static final class Latest implements Processor<String, byte[], String, byte[]> {

        private ProcessorContext<String, byte[]> context;
        private KeyValueStore<String, byte[]> store;

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
            this.store = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            if (record.key() == null || record.value() == null) {
                return;
            }
            if (!Arrays.equals(store.get(record.key()), record.value())) {
                store.put(record.key(), record.value());
                context.forward(record);
            }
        }
    }
}
