package io.hookline.processor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hookline.devstack.SharedKafka;
import io.hookline.processor.alerts.AlertReactor;
import io.hookline.processor.react.JobIndex;
import io.hookline.processor.rules.Rules;
import io.hookline.processor.streams.TopologyProducer;
import io.hookline.schema.AlertCondition;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.AlertStatus;
import io.hookline.schema.JobState;
import io.hookline.schema.serde.AvroSerde;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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

    @Test
    void aReplacedProcessorListsTheJobsItRestoredAndFiresTheirDeadlinesWithoutAnotherEvent() throws Exception {
        Topics topics = new Topics("restart-" + UUID.randomUUID().toString().substring(0, 6) + ".");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedKafka.bootstrapServers()))) {
            TopicBootstrap.ensure(admin, topics.specs(-1), 2, (short) 1, 30_000);
        }
        Rules rules = Rules.parse("""
                jobs:
                  - match: "nightly/*"
                    schedule: {every: 10m, grace: 1m}
                """);
        String job = "nightly/vm-7";
        // Its last success 11 minutes ago, folded by a processor without the schedule (so that only the second one
        // can know the deadline): due a minute ago, and nothing but the restored state tells the second one so.
        Instant succeeded = Instant.now().minus(Duration.ofMinutes(11));
        Instant deadline = succeeded.plus(Duration.ofMinutes(11));
        try (EventWriter writer = new EventWriter()) {
            KafkaStreams first = start(topics, Files.createTempDirectory(disks, "first-"), Rules.NONE, new JobIndex());
            writer.write(topics.events(), Events.succeeded(job, "1", succeeded, 60_000));
            await().atMost(Duration.ofSeconds(60)).until(() -> runs(first, job) == 1);
            first.close(Duration.ofSeconds(30));
        }

        JobIndex index = new JobIndex();
        KafkaStreams second = start(topics, Files.createTempDirectory(disks, "second-"), rules, index);
        try (KafkaConsumer<String, byte[]> alerts = new KafkaConsumer<>(Map.of("bootstrap.servers",
                SharedKafka.bootstrapServers(), "group.id", "restart-alerts-" + UUID.randomUUID(),
                "auto.offset.reset", "earliest", "isolation.level", "read_committed"), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> runs(second, job) == 1);
            // The job list's index holds it though no event of it came since the restart.
            await().atMost(Duration.ofSeconds(10)).until(() -> index.parts().stream()
                    .anyMatch(part -> part.jobs().containsKey(job)));
            assertEquals(Map.of(List.of("status", "ok"), 1L), index.counts().entrySet().stream()
                    .filter(count -> count.getKey().get(0).equals("status"))
                    .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
            // And its deadline has passed with no event since: the missed alert comes from the second processor.
            alerts.subscribe(List.of(topics.alerts()));
            AvroSerde<AlertEvent> serde = AvroSerde.of(AlertEvent.class);
            List<AlertEvent> missed = new ArrayList<>();
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : alerts.poll(Duration.ofMillis(200))) {
                    AlertEvent alert = serde.decode(record.value());
                    if (alert.getCondition() == AlertCondition.MISSED) {
                        missed.add(alert);
                    }
                }
                return !missed.isEmpty();
            });
            assertEquals(1, missed.size(), missed.toString());
            assertEquals(job, missed.get(0).getJobKey());
            assertEquals(AlertStatus.FIRING, missed.get(0).getStatus());
            assertTrue(!missed.get(0).getStartsAt().isBefore(deadline.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)),
                    "fired at its deadline " + deadline + ", not before: " + missed.get(0));
        } finally {
            second.close(Duration.ofSeconds(30));
        }
    }

    private static KafkaStreams start(Topics topics, Path stateDir) {
        return start(topics, stateDir, Rules.NONE, null);
    }

    /** With {@code index}: the job list's index and the alerts only, as the topology's reactors. */
    private static KafkaStreams start(Topics topics, Path stateDir, Rules rules, JobIndex index) {
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
        KafkaStreams streams = new KafkaStreams(index == null
                ? TopologyProducer.build(topics, rules, Duration.ofSeconds(1))
                : TopologyProducer.build(topics, List.of(index, new AlertReactor(() -> rules, Duration.ofSeconds(1),
                        Duration.ofMinutes(10))), new SimpleMeterRegistry()), props);
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
