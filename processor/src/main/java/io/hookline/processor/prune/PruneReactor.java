package io.hookline.processor.prune;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.hookline.processor.chains.ChainLogic;
import io.hookline.processor.chains.ChainReactor;
import io.hookline.processor.react.DueIndex;
import io.hookline.processor.react.JobChange;
import io.hookline.processor.react.Reactor;
import io.hookline.processor.react.SlicedPass;
import io.hookline.processor.rules.RetentionRule;
import io.hookline.processor.rules.Rules;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.Command;
import io.hookline.schema.EventType;
import io.hookline.schema.JobState;
import io.hookline.schema.RestorePoint;
import io.hookline.schema.cloudevents.CloudEventHeaders;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.topics.Topics;

/**
 * Retention enforced, in the job task's exactly-once transaction: when a job's restore points change (a new one, a
 * pin, a run's end that makes a point count, a deletion), when the rules change and once an hour, a job whose policy
 * says {@code enforce: true} is decided again, and each restore point it prunes gets a command on hookline.commands
 * (the command path of chains: an agent's action, or a webhook with the list). The prune's end comes back as an
 * event of the prune's own job; this reactor turns it into RESTORE_POINT_DELETED (or RESTORE_POINT_PRUNE_FAILED) of
 * the job whose point it was. A failed prune is tried again after a growing wait; its run failed, which alerts.
 *
 * <p>{@value #PENDING} holds, per job and restore point, the prune under way or the one that failed last: a point is
 * never sent twice at once, and the API shows what is pending.
 */
public final class PruneReactor implements Reactor {

    public static final String PENDING = "retention-prunes";
    static final String COMMAND_SINK = "prune-command-sink";
    static final String EVENT_SINK = "prune-event-sink";
    /** How often the task looks for rules that changed, failed prunes due again and the hourly sweep. */
    static final Duration TICK = Duration.ofSeconds(10);
    /** Every enforced job is decided again this often (a point's date becomes trusted as time passes). */
    static final Duration SWEEP = Duration.ofHours(1);
    /**
     * Jobs a tick reads of a sweep: 100,000 jobs take 50 ticks (about 8 minutes), and no tick holds the stream
     * thread for the whole store (decoding every job state in one punctuation took seconds at that size).
     */
    static final int SWEEP_SLICE = 2_000;
    private static final String SEPARATOR = "\u0000";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = Logger.getLogger(PruneReactor.class);

    private final Supplier<Rules> rules;
    private final AvroSerde<Command> commands = AvroSerde.of(Command.class);
    private final AvroSerde<BackupEvent> events = AvroSerde.of(BackupEvent.class);

    private final Map<String, Counter> counted = new LinkedHashMap<>();
    private final int sweepSlice;

    public PruneReactor(Supplier<Rules> rules) {
        this(rules, new SimpleMeterRegistry());
    }

    /** {@code metrics}: hookline_retention_prunes_total{result=sent|deleted|failed}, per restore point. */
    public PruneReactor(Supplier<Rules> rules, MeterRegistry metrics) {
        this(rules, metrics, SWEEP_SLICE);
    }

    PruneReactor(Supplier<Rules> rules, MeterRegistry metrics, int sweepSlice) {
        this.rules = rules;
        this.sweepSlice = sweepSlice;
        for (String result : List.of("sent", "deleted", "failed")) {
            counted.put(result, Counter.builder("hookline.retention.prunes")
                    .description("Restore points retention sent to be pruned, and how their prunes ended")
                    .tag("result", result).register(metrics));
        }
    }

    @Override
    public String name() {
        return "retention";
    }

    @Override
    public void addTo(Topology topology, Topics topics, String jobs) {
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PENDING), Serdes.String(),
                Serdes.ByteArray()), jobs);
        topology.addSink(COMMAND_SINK, topics.commands(), Serdes.String().serializer(), commands, jobs);
        topology.addSink(EVENT_SINK, topics.events(), Serdes.String().serializer(), events, jobs);
    }

    @Override
    public Reaction start(ProcessorContext<String, Object> context, ReadOnlyKeyValueStore<String, JobState> jobs) {
        Task task = new Task(context, jobs, context.getStateStore(PENDING), context.getStateStore(ChainReactor.COMMANDS));
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, task::tick);
        return task;
    }

    /** The prunes pending for a job, from the store of the task that owns it: for the API. */
    public static List<PruneLogic.Pending> pendingOf(ReadOnlyKeyValueStore<String, byte[]> store, String jobKey) {
        return new ArrayList<>(read(store, jobKey).values());
    }

    private static Map<String, PruneLogic.Pending> read(ReadOnlyKeyValueStore<String, byte[]> store, String jobKey) {
        Map<String, PruneLogic.Pending> pending = new LinkedHashMap<>();
        try (KeyValueIterator<String, byte[]> all = store.prefixScan(jobKey + SEPARATOR, new StringSerializer())) {
            all.forEachRemaining(entry -> {
                PruneLogic.Pending one = decode(entry.value);
                if (one != null) {
                    pending.put(one.pointId(), one);
                }
            });
        }
        return pending;
    }

    private static PruneLogic.Pending decode(byte[] bytes) {
        try {
            return JSON.readValue(bytes, PruneLogic.Pending.class);
        } catch (IOException e) {
            LOG.errorf("a pending prune that cannot be read is forgotten: %s", e.getMessage());
            return null;
        }
    }

    private final class Task implements Reaction {

        private final ProcessorContext<String, Object> context;
        private final ReadOnlyKeyValueStore<String, JobState> jobs;
        private final KeyValueStore<String, byte[]> pending;
        private final KeyValueStore<String, Command> issued;
        /**
         * Jobs by the earliest time a failed prune of theirs may be tried again: a tick reads those jobs, not every
         * pending prune (they pile up while an agent is away). A task's first sweep decides every job and indexes
         * each one's failed prunes then.
         */
        private final DueIndex retries = new DueIndex();
        /** The hourly decision over every job (and one when the rules change), a slice a tick. */
        private final SlicedPass<JobState> sweep;
        private Rules decidedWith;
        /** Rules changed since the last pass began: another pass is due when the one under way ends. */
        private boolean sweepWanted;
        private long nextSweep;

        Task(ProcessorContext<String, Object> context, ReadOnlyKeyValueStore<String, JobState> jobs,
                KeyValueStore<String, byte[]> pending, KeyValueStore<String, Command> issued) {
            this.context = context;
            this.jobs = jobs;
            this.pending = pending;
            this.issued = issued;
            this.sweep = new SlicedPass<>(jobs, sweepSlice);
        }

        /** When a failed prune may be tried again (at once when it has no wait); null for one under way. */
        private static Long retryAt(PruneLogic.Pending one) {
            if (one == null || !PruneLogic.Pending.FAILED.equals(one.status())) {
                return null;
            }
            return one.retryAt() == null ? 0L : one.retryAt();
        }

        /** Indexes the job at its earliest failed prune's retry, or takes it out when it has none. */
        private void indexRetries(String jobKey) {
            Long earliest = null;
            for (PruneLogic.Pending one : read(pending, jobKey).values()) {
                Long at = retryAt(one);
                if (at != null && (earliest == null || at < earliest)) {
                    earliest = at;
                }
            }
            retries.put(jobKey, earliest == null ? null : Instant.ofEpochMilli(earliest));
        }

        @Override
        public void changed(JobChange change) {
            for (BackupEvent result : PruneLogic.results(change)) {
                counted.get(result.getType() == EventType.RESTORE_POINT_DELETED ? "deleted" : "failed").increment();
                context.forward(new Record<String, Object>(result.getJobKey(), result, change.timestamp(),
                        CloudEventHeaders.forEvent(result)), EVENT_SINK);
                LOG.infof("%s", result.getType() == EventType.RESTORE_POINT_DELETED ? "retention: restore point "
                        + result.getRestorePoint().getId() + " of " + result.getJobKey() + " pruned by "
                        + change.jobKey() : result.getErrorMessage());
            }
            String jobKey = change.jobKey();
            BackupEvent event = change.event();
            if (!mayHavePrunes(jobKey, event)) {
                // No enforced policy and no prune's result: nothing pending to read (a store scan per event otherwise).
                return;
            }
            Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
            Map<String, PruneLogic.Pending> under = read(pending, jobKey);
            if (event.getType() == EventType.RESTORE_POINT_PRUNE_FAILED && event.getRestorePoint() != null) {
                PruneLogic.Pending failed = under.get(event.getRestorePoint().getId());
                if (failed != null && failed.commandId().equals(event.getRunId())) {
                    put(jobKey, failed.failed(event.getErrorMessage(), now));
                }
            }
            forgetGone(jobKey, change.after(), under);
            JobState before = change.before();
            if (before == null ? !change.after().getRestorePoints().isEmpty()
                    : !io.hookline.schema.serde.Records.same(before.getRestorePoints(),
                            change.after().getRestorePoints())) {
                decide(jobKey, change.after(), change.timestamp(), now);
            }
            if (event.getType() == EventType.RESTORE_POINT_PRUNE_FAILED) {
                // The only way a prune comes to wait for a retry. Other changes can only leave the index early
                // for a job, which then costs one decision that finds nothing due.
                indexRetries(jobKey);
            }
        }

        /**
         * Whether the job can have prunes pending: its retention policy is enforced, or the event is a prune's
         * result or a point's deletion (a policy enforced before may have left prunes behind).
         */
        private boolean mayHavePrunes(String jobKey, BackupEvent event) {
            EventType type = event.getType();
            if (type == EventType.RESTORE_POINT_DELETED || type == EventType.RESTORE_POINT_PRUNE_FAILED) {
                return true;
            }
            Optional<RetentionRule> rule = rules.get().retentionFor(jobKey);
            return rule.isPresent() && rule.get().enforce();
        }

        /** A point that left the job (deleted, or let go to keep the state small) needs no prune any more. */
        private void forgetGone(String jobKey, JobState state, Map<String, PruneLogic.Pending> under) {
            if (under.isEmpty()) {
                return;
            }
            Set<String> present = new LinkedHashSet<>();
            state.getRestorePoints().forEach(point -> present.add(point.getId()));
            under.keySet().stream().filter(id -> !present.contains(id)).toList()
                    .forEach(id -> pending.delete(jobKey + SEPARATOR + id));
        }

        /** Decides the job under its policy and sends the prunes that are due; nothing unless it is enforced. */
        private void decide(String jobKey, JobState state, long timestamp, Instant now) {
            Optional<RetentionRule> found = rules.get().retentionFor(jobKey);
            if (found.isEmpty() || !found.get().enforce() || found.get().prune() == null) {
                return;
            }
            RetentionRule rule = found.get();
            Map<String, PruneLogic.Pending> under = read(pending, jobKey);
            List<RestorePoint> due = PruneLogic.due(rule, state, under, now);
            // A failed prune whose wait is over and that the policy now keeps (a pin, a changed policy) is done with.
            Set<String> dueIds = new LinkedHashSet<>();
            due.forEach(point -> dueIds.add(point.getId()));
            under.values().stream().filter(one -> !one.blocks(now) && !dueIds.contains(one.pointId())).toList()
                    .forEach(one -> pending.delete(jobKey + SEPARATOR + one.pointId()));
            for (Command command : PruneLogic.commands(rule, state, due, under, now)) {
                ChainReactor.send(context, issued, command, now, timestamp, COMMAND_SINK, EVENT_SINK);
                int attempt = command.getPrune().getAttempt();
                counted.get("sent").increment(command.getPrune().getRestorePoints().size());
                for (RestorePoint point : command.getPrune().getRestorePoints()) {
                    put(jobKey, new PruneLogic.Pending(point.getId(), command.getCommandId(), attempt,
                            PruneLogic.Pending.QUEUED, now.toEpochMilli(), null, null,
                            ChainLogic.topicKey(command)));
                }
                LOG.infof("retention %s: pruning %s through %s (command %s, attempt %d)", rule.pattern(),
                        ChainLogic.pruned(command),
                        ChainLogic.topicKey(command), command.getCommandId(), attempt);
            }
        }

        private void put(String jobKey, PruneLogic.Pending one) {
            try {
                pending.put(jobKey + SEPARATOR + one.pointId(), JSON.writeValueAsBytes(one));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /**
         * When the rules changed (a policy enforced, a floor lowered) and once an hour, every job is decided again,
         * {@link #SWEEP_SLICE} jobs a tick; and at each tick the jobs of failed prunes whose wait is over.
         */
        void tick(long wallClockMs) {
            Instant now = Instant.ofEpochMilli(wallClockMs);
            Rules current = rules.get();
            if (current != decidedWith) {
                // A pass under way goes on (the jobs it has still to read are decided under these rules) and
                // another follows it: rules reloaded more often than a pass takes must not keep restarting it.
                decidedWith = current;
                sweepWanted = true;
            }
            if (!sweep.active() && (sweepWanted || wallClockMs >= nextSweep)) {
                sweepWanted = false;
                nextSweep = wallClockMs + SWEEP.toMillis();
                if (current.retention().stream().anyMatch(RetentionRule::enforce)) {
                    sweep.start();
                }
            }
            Set<String> due = new LinkedHashSet<>(retries.takeDue(now));
            sweep.next((jobKey, state) -> {
                if (!state.getRestorePoints().isEmpty()) {
                    due.add(jobKey);
                }
            });
            for (String jobKey : due) {
                JobState state = jobs.get(jobKey);
                if (state != null) {
                    decide(jobKey, state, wallClockMs, now);
                    indexRetries(jobKey);
                }
            }
        }
    }
}
