package io.hookline.processor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hookline.devstack.SharedKafka;
import io.hookline.processor.rules.Rules;
import io.hookline.processor.streams.TopologyProducer;
import io.hookline.schema.JobState;
import io.hookline.runtime.topics.TopicBootstrap;
import io.hookline.schema.topics.Topics;

/**
 * A processor that is replaced (a new pod, an empty disk) gets every job's state back from Kafka and goes on
 * folding from there: state lives in the changelog, not on the machine.
 */
class ProcessorRestartTest {

    /** Each processor's disk: a folder of its own in it. */
    @TempDir
    Path disks;

    @Test
    void aReplacedProcessorWithAnEmptyDiskRestoresJobStateFromKafkaAndContinuesTheFold() throws Exception {
        Topics topics = new Topics("restart-" + UUID.randomUUID().toString().substring(0, 6) + ".");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedKafka.bootstrapServers()))) {
            TopicBootstrap.ensure(admin, topics.specs(-1), 2, (short) 1, 30_000);
        }
        String job = "esxi-prod/04";
        Instant t0 = Instant.now();

        try (EventWriter writer = new EventWriter()) {
            KafkaStreams first = start(topics, Files.createTempDirectory(disks, "first-"));
            writer.write(topics.events(), Events.failed(job, "1", t0, "disk full"));
            writer.write(topics.events(), Events.failed(job, "2", t0.plusSeconds(60), "disk full"));
            await().atMost(Duration.ofSeconds(60)).until(() -> runs(first, job) == 2);
            first.close(Duration.ofSeconds(30));

            KafkaStreams second = start(topics, Files.createTempDirectory(disks, "second-"));
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> runs(second, job) == 2);
                writer.write(topics.events(), Events.failed(job, "3", t0.plusSeconds(120), "disk full"));
                await().atMost(Duration.ofSeconds(60)).until(() -> runs(second, job) == 3);
                assertEquals(3, state(second, job).getConsecutiveFailures());
            } finally {
                second.close(Duration.ofSeconds(30));
            }
        }
    }

    private static KafkaStreams start(Topics topics, Path stateDir) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, topics.prefix() + "processor");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        // Static membership, as a StatefulSet pod (or ./hookline up) runs it: the replacement takes the same
        // identity, so it does not wait for the old member's session to expire.
        props.put(StreamsConfig.mainConsumerPrefix("group.instance.id"), "processor-0");
        KafkaStreams streams = new KafkaStreams(TopologyProducer.build(topics, Rules.NONE, Duration.ofSeconds(1)), props);
        streams.start();
        return streams;
    }

    private static JobState state(KafkaStreams streams, String job) {
        ReadOnlyKeyValueStore<String, JobState> store = streams.store(StoreQueryParameters.fromNameAndType(
                TopologyProducer.JOB_STATE_STORE, QueryableStoreTypes.keyValueStore()));
        return store.get(job);
    }

    private static long runs(KafkaStreams streams, String job) {
        try {
            JobState state = state(streams, job);
            return state == null ? 0 : state.getRunCount();
        } catch (RuntimeException notRunningYet) {
            return -1;
        }
    }
}
