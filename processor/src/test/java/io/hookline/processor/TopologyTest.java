package io.hookline.processor;

import static io.hookline.processor.Events.failed;
import static io.hookline.processor.Events.succeeded;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Properties;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.hookline.processor.rules.Rules;
import io.hookline.processor.streams.TopologyProducer;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.JobState;
import io.hookline.schema.cloudevents.CloudEventHeaders;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.topics.Topics;

class TopologyTest {

    TopologyTestDriver driver;
    TestInputTopic<String, BackupEvent> events;
    TestOutputTopic<String, JobState> states;

    @BeforeEach
    void start() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        // As in application.properties: a poison record is skipped, not allowed to stop every job's state.
        props.put("deserialization.exception.handler", LogAndContinueExceptionHandler.class.getName());
        Topics topics = new Topics("acme.");
        driver = new TopologyTestDriver(TopologyProducer.build(topics, Rules.NONE, Duration.ofSeconds(1)), props);
        events = driver.createInputTopic(topics.events(), Serdes.String().serializer(),
                AvroSerde.of(BackupEvent.class));
        states = driver.createOutputTopic(topics.jobState(), Serdes.String().deserializer(),
                AvroSerde.of(JobState.class));
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void eachEventUpdatesItsJobsStateOnThePrefixedJobStateTopic() {
        Instant t0 = Instant.parse("2026-11-21T02:00:00Z");
        events.pipeInput("esxi-prod/04", failed("esxi-prod/04", "1", t0, "disk full"));
        events.pipeInput("esxi-prod/05", succeeded("esxi-prod/05", "2", t0, 1000));
        events.pipeInput("esxi-prod/04", failed("esxi-prod/04", "3", t0.plusSeconds(60), "disk full"));

        var out = states.readRecordsToList();
        assertEquals(3, out.size(), "one state per event");
        TestRecord<String, JobState> last = out.get(2);
        assertEquals("esxi-prod/04", last.key());
        assertEquals(2, last.value().getConsecutiveFailures());
        assertEquals(TopologyProducer.JOB_STATE_CE_TYPE, CloudEventHeaders.header(last.headers(), "ce_type"));
        assertEquals("esxi-prod/04", CloudEventHeaders.header(last.headers(), "ce_subject"));

        JobState stored = driver.<String, JobState>getKeyValueStore(TopologyProducer.JOB_STATE_STORE).get("esxi-prod/05");
        assertEquals(1, stored.getSuccessCount());
    }

    @Test
    void bytesThatAreNotAnEventAreSkippedAndTheNextEventIsStillFolded() {
        var raw = driver.createInputTopic("acme.events", Serdes.String().serializer(), Serdes.ByteArray().serializer());
        raw.pipeInput("esxi-prod/04", "not avro".getBytes());
        events.pipeInput("esxi-prod/04", succeeded("esxi-prod/04", "1", Instant.now(), 10));

        assertEquals(1, states.readRecordsToList().size());
    }
}
