package io.hookline.gateway;

import org.junit.jupiter.api.extension.RegisterExtension;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.hookline.devstack.TopicReader;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.RejectedHook;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.topics.Topics;

/**
 * hookline.events and hookline.rejected as a consumer of them reads them, open for the whole test class:
 * {@code @RegisterExtension static final HookTopics topics = new HookTopics();}.
 */
public final class HookTopics implements BeforeAllCallback, AfterAllCallback {

    static final Duration WAIT = Duration.ofSeconds(20);

    private TopicReader<BackupEvent> events;
    private TopicReader<RejectedHook> rejected;
    private TopicReader<ConsumerRecord<String, byte[]>> eventRecords;
    private TopicReader<ConsumerRecord<String, byte[]>> rejectedRecords;

    @Override
    public void beforeAll(ExtensionContext context) {
        Topics topics = Topics.withDefaultPrefix();
        AvroSerde<BackupEvent> eventSerde = AvroSerde.of(BackupEvent.class);
        AvroSerde<RejectedHook> rejectedSerde = AvroSerde.of(RejectedHook.class);
        events = TopicReader.of(topics.events(), eventSerde::decode);
        rejected = TopicReader.of(topics.rejected(), rejectedSerde::decode);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        events.close();
        rejected.close();
        if (eventRecords != null) {
            eventRecords.close();
        }
        if (rejectedRecords != null) {
            rejectedRecords.close();
        }
    }

    /** hookline.events as whole records (key, headers, the bytes as written), read from the start. */
    public synchronized TopicReader<ConsumerRecord<String, byte[]>> eventRecords() {
        if (eventRecords == null) {
            eventRecords = TopicReader.records(Topics.withDefaultPrefix().events());
        }
        return eventRecords;
    }

    /** hookline.rejected as whole records, read from the start. */
    public synchronized TopicReader<ConsumerRecord<String, byte[]>> rejectedRecords() {
        if (rejectedRecords == null) {
            rejectedRecords = TopicReader.records(Topics.withDefaultPrefix().rejected());
        }
        return rejectedRecords;
    }

    public TopicReader<BackupEvent> events() {
        return events;
    }

    public TopicReader<RejectedHook> rejected() {
        return rejected;
    }

    /** The first event that matches, within 20 s. */
    public BackupEvent event(Predicate<BackupEvent> match) {
        return events.await(match, WAIT);
    }

    /** The first event of a job (by its key), within 20 s. */
    public BackupEvent eventOfJob(String jobKey) {
        return event(e -> jobKey.equals(e.getJobKey()));
    }

    /** The first {@code count} events of a job, within 20 s. */
    public List<BackupEvent> eventsOfJob(String jobKey, int count) {
        return events.awaitCount(e -> jobKey.equals(e.getJobKey()), count, WAIT);
    }

    /** The first refusal that matches, within 20 s. */
    public RejectedHook rejection(Predicate<RejectedHook> match) {
        return rejected.await(match, WAIT);
    }
}
