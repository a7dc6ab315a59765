package io.hookline.processor.streams;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

import io.hookline.processor.ProcessorConfig;
import io.hookline.processor.alerts.AlertReactor;
import io.hookline.processor.chains.ChainReactor;
import io.hookline.processor.prune.PruneReactor;
import io.hookline.processor.react.JobChange;
import io.hookline.processor.react.Reactor;
import io.hookline.processor.alerts.FiringAlerts;
import io.hookline.processor.react.JobIndex;
import io.hookline.processor.rules.Rules;
import io.hookline.processor.rules.RulesFile;
import io.hookline.processor.state.JobStateFold;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.JobState;
import io.hookline.schema.QuarantinedEvent;
import io.hookline.schema.cloudevents.CloudEventHeaders;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.topics.Topics;

/**
 * hookline.events, keyed by job -> fold into the job-state store -> hookline.job-state (compacted); then, in the same
 * task, each {@link Reactor} gets the state before and after and writes what follows (alerts -> hookline.alerts).
 * Exactly-once (v2): the fold, every reactor's stores and outputs commit in one transaction, so a crash never loses
 * or doubles an alert. A record that cannot be decoded, folded or reacted to is set aside on hookline.quarantine.
 */
@ApplicationScoped
public class TopologyProducer {

    public static final String JOB_STATE_STORE = "job-state";
    public static final String JOB_STATE_CE_TYPE = CloudEventHeaders.TYPE_PREFIX + "job.state";
    static final String SOURCE = "events";
    static final String JOBS = "jobs";
    static final String JOB_STATE_SINK = "job-state-sink";
    static final String QUARANTINE_SINK = "quarantine-sink";
    /** hookline.agents.offline-after's default, for the topology built on its own. */
    static final Duration AGENT_OFFLINE_AFTER = Duration.ofMinutes(5);
    /** How much of a quarantined record's value is kept for inspection. */
    static final int QUARANTINE_VALUE_BYTES = 64 * 1024;

    /**
     * One topology: Quarkus asks for it twice (Kafka Streams, and the check that its topics exist), and a second one
     * would build every reactor again and register their gauges twice (a warning at every start).
     */
    @Produces
    @Singleton
    public Topology topology(ProcessorConfig config, RulesFile rules, MeterRegistry metrics, JobIndex index,
            FiringAlerts firing,
            @ConfigProperty(name = "kafka-streams.state.dir") String stateDir) {
        StateDir.check(Path.of(stateDir));
        return build(new Topics(config.topics().prefix()), reactors(rules, config.alerts().checkInterval(),
                config.agents().offlineAfter(), metrics, index, firing), metrics);
    }

    /** The jobs this instance holds, counted and indexed as they change, for the read API. */
    @Produces
    @Singleton
    public JobIndex jobIndex() {
        return new JobIndex();
    }

    /** The open alerts this instance holds, in the order the API lists them, kept as they change. */
    @Produces
    @Singleton
    public FiringAlerts firingAlerts() {
        return new FiringAlerts();
    }

    /** Every reactor of the job task, in the order they are handed each change: the one place a reactor is added. */
    static List<Reactor> reactors(Supplier<Rules> rules, Duration checkInterval, Duration agentOfflineAfter,
            MeterRegistry metrics, JobIndex index, FiringAlerts firing) {
        return List.of(index, new AlertReactor(rules, checkInterval, agentOfflineAfter, metrics, firing),
                new ChainReactor(rules, checkInterval),
                new PruneReactor(rules, metrics));
    }

    /** The topology on its own, for the TopologyTestDriver and for tests that run Kafka Streams directly. */
    public static Topology build(Topics topics, Rules rules, Duration checkInterval) {
        return build(topics, () -> rules, checkInterval);
    }

    /** The same, with rules that may change while it runs (as a reload does). */
    public static Topology build(Topics topics, Supplier<Rules> rules, Duration checkInterval) {
        return build(topics, rules, checkInterval, new SimpleMeterRegistry());
    }

    /** The same, its metrics in {@code metrics}. */
    public static Topology build(Topics topics, Supplier<Rules> rules, Duration checkInterval, MeterRegistry metrics) {
        return build(topics, reactors(rules, checkInterval, AGENT_OFFLINE_AFTER, metrics, new JobIndex(),
                new FiringAlerts()), metrics);
    }

    public static Topology build(Topics topics, List<Reactor> reactors, MeterRegistry metrics) {
        Counter quarantinedCount = Counter.builder("hookline.events.quarantined")
                .description("Records of hookline.events set aside on hookline.quarantine because they could not be folded")
                .register(metrics);
        AvroSerde<BackupEvent> events = AvroSerde.of(BackupEvent.class);
        // The store and hookline.job-state get the same state object one after the other: encoded once.
        EncodedOnce<JobState> states = new EncodedOnce<>(AvroSerde.of(JobState.class));
        AvroSerde<QuarantinedEvent> quarantined = AvroSerde.of(QuarantinedEvent.class);
        Topology topology = new Topology();
        // Bytes, decoded in the processor: a record that is not a BackupEvent is quarantined in the same
        // transaction instead of stopping the task (Kafka 4.1's deserialization handler cannot write a record).
        topology.addSource(SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), topics.events());
        java.util.Map<io.hookline.schema.EventType, Counter> folded = new java.util.EnumMap<>(io.hookline.schema.EventType.class);
        for (io.hookline.schema.EventType type : io.hookline.schema.EventType.values()) {
            folded.put(type, Counter.builder("hookline.events.folded")
                    .description("Events of hookline.events folded into job state (retried hooks not counted)")
                    .tag("type", type.name().toLowerCase(java.util.Locale.ROOT)).register(metrics));
        }
        topology.addProcessor(JOBS, () -> new JobProcessor(reactors, events, quarantinedCount, folded), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(JOB_STATE_STORE),
                Serdes.String(), states), JOBS);
        topology.addSink(JOB_STATE_SINK, topics.jobState(), Serdes.String().serializer(), states, JOBS);
        topology.addSink(QUARANTINE_SINK, topics.quarantine(), Serdes.String().serializer(), quarantined, JOBS);
        reactors.forEach(reactor -> reactor.addTo(topology, topics, JOBS));
        return topology;
    }

    /** Folds each event into its job's state, then hands the change to every reactor. */
    static final class JobProcessor implements Processor<String, byte[], String, Object> {

        private static final Logger LOG = Logger.getLogger(JobProcessor.class);
        private final List<Reactor> reactors;
        private final AvroSerde<BackupEvent> events;
        private final Counter quarantinedCount;
        private final List<Reactor.Reaction> reactions = new ArrayList<>();
        private ProcessorContext<String, Object> context;
        private KeyValueStore<String, JobState> jobs;

        private final java.util.Map<io.hookline.schema.EventType, Counter> folded;

        JobProcessor(List<Reactor> reactors, AvroSerde<BackupEvent> events, Counter quarantinedCount,
                java.util.Map<io.hookline.schema.EventType, Counter> folded) {
            this.reactors = reactors;
            this.events = events;
            this.quarantinedCount = quarantinedCount;
            this.folded = folded;
        }

        @Override
        public void init(ProcessorContext<String, Object> context) {
            this.context = context;
            this.jobs = context.getStateStore(JOB_STATE_STORE);
            reactors.forEach(reactor -> reactions.add(reactor.start(context, jobs)));
            // The task's jobs as restored, read and decoded once for every reaction that indexes them: with 100,000
            // jobs each walk took about two seconds of this thread, and the deadlines' walk came after the task ran.
            try (KeyValueIterator<String, JobState> all = jobs.all()) {
                while (all.hasNext()) {
                    KeyValue<String, JobState> job = all.next();
                    for (Reactor.Reaction reaction : reactions) {
                        reaction.restored(job.key, job.value);
                    }
                }
            }
            reactions.forEach(Reactor.Reaction::restoredAll);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            if (record.key() == null || record.value() == null) {
                return;
            }
            BackupEvent event;
            try {
                event = events.deserializer().deserialize(context.recordMetadata().map(m -> m.topic()).orElse(null),
                        record.value());
            } catch (RuntimeException e) {
                quarantine(record, null, "decode", e);
                return;
            }
            JobState before;
            JobState after;
            try {
                before = jobs.get(record.key());
                after = JobStateFold.apply(before, event);
                jobs.put(record.key(), after);
            } catch (RuntimeException e) {
                quarantine(record, event, "fold", e);
                return;
            }
            // The input's headers describe the event; the state record gets its own.
            Headers headers = CloudEventHeaders.of(event.getEventId() + ":state", "/hookline/processor",
                    JOB_STATE_CE_TYPE, event.getReceivedAt(), record.key());
            context.forward(new Record<String, Object>(record.key(), after, record.timestamp(), headers), JOB_STATE_SINK);
            if (after.getDuplicateCount() > (before == null ? 0 : before.getDuplicateCount())) {
                return;
            }
            folded.get(event.getType()).increment();
            JobChange change = new JobChange(record.key(), before, after, event, record.timestamp());
            for (int i = 0; i < reactions.size(); i++) {
                try {
                    reactions.get(i).changed(change);
                } catch (RuntimeException e) {
                    // The state is folded; only what reacts to it failed. Set the event aside for a look, go on.
                    LOG.errorf(e, "reactor %s failed on %s: %s", reactors.get(i).name(), event.getEventId(), e);
                    quarantine(record, event, "react", e);
                }
            }
        }

        @Override
        public void close() {
            reactions.forEach(Reactor.Reaction::close);
            reactions.clear();
        }

        /** Sets a record aside on hookline.quarantine, in this transaction, and goes on with the next one. */
        private void quarantine(Record<String, byte[]> record, BackupEvent event, String stage, RuntimeException error) {
            var metadata = context.recordMetadata();
            String topic = metadata.map(m -> m.topic()).orElse("?");
            int partition = metadata.map(m -> m.partition()).orElse(-1);
            long offset = metadata.map(m -> m.offset()).orElse(-1L);
            byte[] value = record.value();
            QuarantinedEvent quarantined = QuarantinedEvent.newBuilder()
                    .setQuarantineId(topic + "/" + partition + "/" + offset)
                    .setQuarantinedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                    .setTopic(topic)
                    .setPartition(partition)
                    .setOffset(offset)
                    .setKey(record.key())
                    .setEventId(event == null ? null : event.getEventId())
                    .setStage(stage)
                    .setError(error.getClass().getName() + ": " + error.getMessage())
                    .setValue(java.nio.ByteBuffer.wrap(value, 0, Math.min(value.length, QUARANTINE_VALUE_BYTES)).slice())
                    .setValueBytes(value.length)
                    .build();
            LOG.errorf("quarantined %s (key %s) at %s: %s", quarantined.getQuarantineId(), record.key(), stage,
                    quarantined.getError());
            Headers headers = CloudEventHeaders.of(quarantined.getQuarantineId(), "/hookline/processor",
                    CloudEventHeaders.TYPE_PREFIX + "event.quarantined", quarantined.getQuarantinedAt(), record.key());
            quarantinedCount.increment();
            context.forward(new Record<String, Object>(quarantined.getQuarantineId(), quarantined, record.timestamp(),
                    headers), QUARANTINE_SINK);
        }
    }
}
