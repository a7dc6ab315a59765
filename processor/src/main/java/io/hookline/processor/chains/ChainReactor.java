package io.hookline.processor.chains;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.function.Supplier;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.hookline.processor.react.DueIndex;
import io.hookline.processor.react.DueWakeup;
import io.hookline.processor.react.JobChange;
import io.hookline.processor.react.Reactor;
import io.hookline.processor.react.StoreSweep;
import io.hookline.processor.rules.Chain;
import io.hookline.processor.rules.Rules;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.Command;
import io.hookline.schema.EventType;
import io.hookline.schema.RunSummary;
import io.hookline.schema.UpstreamRun;
import io.hookline.schema.cloudevents.CloudEventHeaders;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.topics.Topics;

/**
 * Chain triggers, in the job task's exactly-once transaction: when a run ends as a {@code when:} rule asks, its
 * commands go to hookline.commands (for the agent) and a COMMAND_QUEUED event to hookline.events (for the job the
 * command's runs are folded into). An upstream of an {@code after:} rule goes through hookline.chain-fan-in to the
 * task of that rule, which fires once every upstream has ended as asked. A queued command that was not started by
 * its expiry becomes a COMMAND_EXPIRED event: a failed run of its job, alerted like any.
 *
 * <p>Nothing here depends on when it runs: a command's id is a digest of the rule and the upstream runs, so a
 * retried hook (a duplicate, never handed over), a crash before the commit (the transaction is redone) or a restart
 * gives the same command once.
 */
public final class ChainReactor implements Reactor {

    /** Queued commands not yet started, keyed by command id; the value is the expiry to write when it is due. */
    public static final String DEADLINES = "command-deadlines";
    /**
     * The commands each task issued, keyed by command id, for /api/commands and a job's links to what it triggered:
     * one store in the job task, one in the fan-in task. Kept {@link #KEEP_COMMANDS}.
     */
    public static final String COMMANDS = "chain-commands";
    public static final String FAN_IN_COMMANDS = "chain-fan-in-commands";
    static final Duration KEEP_COMMANDS = Duration.ofDays(30);
    /** What each fan-in rule has seen of its upstreams, keyed by the rule's name. */
    public static final String FAN_IN_STORE = "chain-fan-in";
    static final String COMMAND_SINK = "command-sink";
    static final String EVENT_SINK = "chain-event-sink";
    static final String FAN_IN_SINK = "chain-fan-in-sink";
    static final String FAN_IN_SOURCE = "chain-fan-in-source";
    static final String FAN_IN = "chain-fan-in";
    /** A start reported just before the expiry still has this long to arrive. */
    static final Duration EXPIRY_GRACE = Duration.ofSeconds(30);
    static final String CE_SOURCE = "/hookline/processor";

    private static final Logger LOG = Logger.getLogger(ChainReactor.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<Integer, ChainLogic.FanInStep>> STEPS = new TypeReference<>() {
    };

    private final Supplier<Rules> rules;
    private final Duration checkInterval;
    private final AvroSerde<Command> commands = AvroSerde.of(Command.class);
    private final AvroSerde<BackupEvent> events = AvroSerde.of(BackupEvent.class);

    public ChainReactor(Supplier<Rules> rules, Duration checkInterval) {
        this.rules = rules;
        this.checkInterval = checkInterval;
    }

    @Override
    public String name() {
        return "chains";
    }

    @Override
    public void addTo(Topology topology, Topics topics, String jobs) {
        topology.addSource(FAN_IN_SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
                topics.chainFanIn());
        topology.addProcessor(FAN_IN, FanIn::new, FAN_IN_SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DEADLINES), Serdes.String(),
                events), jobs);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FAN_IN_STORE),
                Serdes.String(), Serdes.ByteArray()), FAN_IN);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(COMMANDS), Serdes.String(),
                commands), jobs);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FAN_IN_COMMANDS),
                Serdes.String(), commands), FAN_IN);
        topology.addSink(COMMAND_SINK, topics.commands(), Serdes.String().serializer(), commands, jobs, FAN_IN);
        topology.addSink(EVENT_SINK, topics.events(), Serdes.String().serializer(), events, jobs, FAN_IN);
        topology.addSink(FAN_IN_SINK, topics.chainFanIn(), Serdes.String().serializer(), Serdes.ByteArray().serializer(),
                jobs);
    }

    @Override
    public Reaction start(ProcessorContext<String, Object> context, ReadOnlyKeyValueStore<String, io.hookline.schema.JobState> jobs) {
        KeyValueStore<String, BackupEvent> deadlines = context.getStateStore(DEADLINES);
        KeyValueStore<String, Command> issued = context.getStateStore(COMMANDS);
        Task task = new Task(context, deadlines, issued);
        // Expiries are all in the index (kept with every queued command and its start): it wakes the task for them.
        new DueWakeup(context, task.expiries, checkInterval, Duration.ofHours(1), task::expire);
        oldCommands(issued).schedule(context);
        return task;
    }

    /** Writes a rule's commands and their queued events, unless the rule refuses (too deep, too late). */
    static void issue(ProcessorContext<String, Object> context, KeyValueStore<String, Command> issued, Chain chain,
            List<UpstreamRun> upstream, int depth, Map<String, String> parameters, Instant triggeredAt, long timestamp) {
        Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
        String refusal = ChainLogic.refusal(chain, depth, ChainLogic.expiresAt(chain, triggeredAt), now);
        if (refusal != null) {
            LOG.warnf("%s; upstream %s", refusal, upstream.stream().map(UpstreamRun::getJobKey).toList());
            return;
        }
        for (Command command : ChainLogic.commands(chain, upstream, depth, parameters, triggeredAt)) {
            send(context, issued, command, triggeredAt, timestamp, COMMAND_SINK, EVENT_SINK);
            LOG.infof("chain %s: command %s queued for %s, action %s (upstream %s)", chain.name(),
                    command.getCommandId(), ChainLogic.topicKey(command), command.getAction(),
                    upstream.stream().map(UpstreamRun::getJobKey).toList());
        }
    }

    /**
     * Writes a command to hookline.commands (through {@code commandSink}) and its COMMAND_QUEUED event to
     * hookline.events (through {@code eventSink}), and keeps it in {@code issued} for the API: the one way a command
     * is sent, whether a chain or retention sends it.
     */
    public static void send(ProcessorContext<String, Object> context, KeyValueStore<String, Command> issued,
            Command command, Instant queuedAt, long timestamp, String commandSink, String eventSink) {
        Headers headers = CloudEventHeaders.of(command.getCommandId(), CE_SOURCE,
                CloudEventHeaders.TYPE_PREFIX + "command.queued", command.getCreatedAt(), command.getJobKey());
        issued.put(command.getCommandId(), command);
        context.forward(new Record<String, Object>(ChainLogic.topicKey(command), command, timestamp, headers),
                commandSink);
        BackupEvent queued = ChainLogic.queued(command, queuedAt);
        context.forward(new Record<String, Object>(queued.getJobKey(), queued, timestamp,
                CloudEventHeaders.forEvent(queued)), eventSink);
    }

    /** A command issued longer ago than {@link #KEEP_COMMANDS}: forgotten. */
    public static final BiPredicate<Command, Instant> OLD = (command, now) -> command.getCreatedAt().isBefore(
            now.minus(KEEP_COMMANDS));

    /** Forgets the store's old commands, one pass an hour a slice at a time. */
    public static StoreSweep<Command> oldCommands(KeyValueStore<String, Command> issued) {
        return new StoreSweep<>(issued, Duration.ofHours(1), OLD);
    }

    private final class Task implements Reaction {

        private final ProcessorContext<String, Object> context;
        private final KeyValueStore<String, BackupEvent> deadlines;
        private final KeyValueStore<String, Command> issued;
        /**
         * The store's queued commands by the time they expire: the check every {@code checkInterval} reads the
         * ones that are due, not every command an offline agent has not fetched yet.
         */
        private final DueIndex expiries = new DueIndex();

        Task(ProcessorContext<String, Object> context, KeyValueStore<String, BackupEvent> deadlines,
                KeyValueStore<String, Command> issued) {
            this.context = context;
            this.deadlines = deadlines;
            this.issued = issued;
            // Restored before the task starts: index what a previous instance queued, once.
            try (KeyValueIterator<String, BackupEvent> all = deadlines.all()) {
                all.forEachRemaining(entry -> expiries.put(entry.key, dueAt(entry.value)));
            }
            if (expiries.size() > 0) {
                LOG.debugf("%d queued commands waiting for their start or expiry", expiries.size());
            }
        }

        @Override
        public void changed(JobChange change) {
            BackupEvent event = change.event();
            if (event.getCommand() != null) {
                track(event);
            }
            RunSummary run = ChainLogic.endedRun(change.before(), change.after(), event);
            if (run == null) {
                return;
            }
            int depth = ChainLogic.depthOf(run) + 1;
            UpstreamRun upstream = null;
            Map<String, String> parameters = null;
            for (Chain chain : rules.get().chains()) {
                for (int slot = 0; slot < chain.upstream().size(); slot++) {
                    Chain.Upstream wanted = chain.upstream().get(slot);
                    if (!wanted.matches(change.jobKey())) {
                        continue;
                    }
                    if (parameters == null) {
                        // Only for a run some chain waits for: most runs end no chain.
                        upstream = ChainLogic.upstream(change.jobKey(), run);
                        parameters = ChainLogic.parametersOf(change.after(), run);
                    }
                    if (!chain.fanIn()) {
                        if (wanted.accepts(run)) {
                            issue(context, issued, chain, List.of(upstream), depth, parameters,
                                    event.getReceivedAt(), change.timestamp());
                        }
                        continue;
                    }
                    ChainLogic.FanInStep step = new ChainLogic.FanInStep(slot, wanted.accepts(run), change.jobKey(),
                            run.getRunId(), run.getEventId(), run.getOutcome().name(),
                            run.getFinishedAt().toEpochMilli(), depth, parameters);
                    try {
                        context.forward(new Record<String, Object>(chain.name(), JSON.writeValueAsBytes(step),
                                change.timestamp()), FAN_IN_SINK);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }

        /** A queued command starts its expiry clock; a start, an end or a refusal stops it. */
        private void track(BackupEvent event) {
            String id = event.getCommand().getCause().getCommandId();
            EventType type = event.getType();
            if (type == EventType.COMMAND_QUEUED && event.getCommand().getExpiresAt() != null) {
                Command command = Command.newBuilder()
                        .setCommandId(id)
                        .setCreatedAt(event.getReceivedAt())
                        .setCause(event.getCommand().getCause())
                        .setKind(event.getCommand().getKind())
                        .setAgent(event.getCommand().getAgent())
                        .setAction(event.getCommand().getAction())
                        .setJobKey(event.getJobKey())
                        .setNotBefore(Optional.ofNullable(event.getCommand().getNotBefore()).orElse(event.getReceivedAt()))
                        .setExpiresAt(event.getCommand().getExpiresAt())
                        .setPrune(event.getCommand().getPrune())
                        .build();
                BackupEvent expired = ChainLogic.expired(command, command.getExpiresAt());
                deadlines.put(id, expired);
                expiries.put(id, dueAt(expired));
            } else if (type == EventType.RUN_STARTED || type == EventType.RUN_SUCCEEDED || type == EventType.RUN_FAILED
                    || type == EventType.COMMAND_REFUSED || type == EventType.COMMAND_EXPIRED) {
                deadlines.delete(id);
                expiries.remove(id);
            }
        }

        /** Every queued command past its expiry (and the grace) becomes a COMMAND_EXPIRED event. */
        void expire(long wallClockMs) {
            Instant now = Instant.ofEpochMilli(wallClockMs);
            for (String id : expiries.takeDue(now)) {
                BackupEvent expired = deadlines.get(id);
                if (expired == null) {
                    continue;
                }
                expired.setReceivedAt(now);
                context.forward(new Record<String, Object>(expired.getJobKey(), expired, wallClockMs,
                        CloudEventHeaders.forEvent(expired)), EVENT_SINK);
                deadlines.delete(id);
                LOG.warnf("%s", expired.getErrorMessage());
            }
        }
    }

    /** When a queued command's expiry is written: its expiry (the stored event's time) and the grace after it. */
    private static Instant dueAt(BackupEvent expired) {
        return expired.getReceivedAt().plus(EXPIRY_GRACE);
    }

    /** The task of a fan-in rule: keeps the latest end of each upstream, fires once all of them count. */
    private final class FanIn implements Processor<String, byte[], String, Object> {

        private ProcessorContext<String, Object> context;
        private KeyValueStore<String, byte[]> progress;
        private KeyValueStore<String, Command> issued;

        @Override
        public void init(ProcessorContext<String, Object> context) {
            this.context = context;
            this.progress = context.getStateStore(FAN_IN_STORE);
            this.issued = context.getStateStore(FAN_IN_COMMANDS);
            oldCommands(issued).schedule(context);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            Optional<Chain> chain = rules.get().chains().stream().filter(c -> c.name().equals(record.key())).findFirst();
            ChainLogic.FanInStep step;
            try {
                step = JSON.readValue(record.value(), ChainLogic.FanInStep.class);
            } catch (IOException | RuntimeException e) {
                LOG.errorf("chain %s: an upstream step that cannot be read is dropped: %s", record.key(), e);
                return;
            }
            if (chain.isEmpty() || !chain.get().fanIn() || step.slot() >= chain.get().upstream().size()) {
                LOG.infof("chain %s is no longer a rule with %d upstreams: the end of %s is not counted", record.key(),
                        step.slot() + 1, step.jobKey());
                return;
            }
            Map<Integer, ChainLogic.FanInStep> steps = read(progress.get(record.key()));
            steps.put(step.slot(), step);
            if (ChainLogic.complete(chain.get(), steps)) {
                int depth = steps.values().stream().mapToInt(ChainLogic.FanInStep::depth).max().orElse(1);
                // The step's timestamp is the hook's that completed the fan-in: the same on every replay.
                issue(context, issued, chain.get(), ChainLogic.upstreamOf(steps), depth, step.parameters(),
                        Instant.ofEpochMilli(record.timestamp()), record.timestamp());
                progress.delete(record.key());
                return;
            }
            try {
                progress.put(record.key(), JSON.writeValueAsBytes(steps));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        private Map<Integer, ChainLogic.FanInStep> read(byte[] bytes) {
            if (bytes == null) {
                return new HashMap<>();
            }
            try {
                return new HashMap<>(JSON.readValue(bytes, STEPS));
            } catch (IOException e) {
                LOG.errorf("fan-in progress that cannot be read is started afresh: %s", e);
                return new HashMap<>();
            }
        }
    }
}
