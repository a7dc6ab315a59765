package io.hookline.processor.streams;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

import io.hookline.processor.ProcessorConfig;
import io.hookline.processor.state.JobStateFold;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.JobState;
import io.hookline.schema.cloudevents.CloudEventHeaders;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.topics.Topics;

/**
 * hookline.events, keyed by job -> fold into the job-state store -> hookline.job-state (compacted).
 * Runs exactly-once (v2): the fold, its changelog and its output commit in one transaction.
 */
@ApplicationScoped
public class TopologyProducer {

    public static final String JOB_STATE_STORE = "job-state";
    public static final String JOB_STATE_CE_TYPE = CloudEventHeaders.TYPE_PREFIX + "job.state";

    @Produces
    public Topology topology(ProcessorConfig config) {
        return build(new Topics(config.topics().prefix()));
    }

    /** The topology on its own, for the TopologyTestDriver and for tests that run Kafka Streams directly. */
    public static Topology build(Topics topics) {
        AvroSerde<BackupEvent> events = AvroSerde.of(BackupEvent.class);
        AvroSerde<JobState> states = AvroSerde.of(JobState.class);
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(JOB_STATE_STORE), Serdes.String(), states));

        builder.stream(topics.events(), Consumed.with(Serdes.String(), events))
                .filter((jobKey, event) -> jobKey != null && event != null)
                .processValues(JobStateFolder::new, JOB_STATE_STORE)
                .to(topics.jobState(), Produced.with(Serdes.String(), states));
        return builder.build();
    }

    /** Applies {@link JobStateFold} to the stored state and forwards the new state with its own CloudEvents headers. */
    static final class JobStateFolder implements FixedKeyProcessor<String, BackupEvent, JobState> {

        private FixedKeyProcessorContext<String, JobState> context;
        private KeyValueStore<String, JobState> store;

        @Override
        public void init(FixedKeyProcessorContext<String, JobState> context) {
            this.context = context;
            this.store = context.getStateStore(JOB_STATE_STORE);
        }

        @Override
        public void process(FixedKeyRecord<String, BackupEvent> record) {
            BackupEvent event = record.value();
            JobState next = JobStateFold.apply(store.get(record.key()), event);
            store.put(record.key(), next);
            // The input's headers describe the event; the state record gets its own.
            var headers = CloudEventHeaders.of(event.getEventId() + ":state",
                    "/hookline/processor", JOB_STATE_CE_TYPE, event.getReceivedAt(), record.key());
            context.forward(record.withValue(next).withHeaders(headers));
        }
    }
}
