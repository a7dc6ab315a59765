package io.hookline.gateway.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Identifier;

import io.hookline.gateway.GatewayConfig;
import io.hookline.schema.ActionKind;
import io.hookline.schema.Command;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.topics.Topics;

/**
 * The commands waiting for each agent, read by one consumer of hookline.commands per gateway (never one per waiting
 * agent): a long poll is a future completed when a command for its agent becomes deliverable, or empty when its wait
 * is over. A command leaves the board once its agent reported on it, or when it expires; it is remembered until a
 * day past its expiry, so that a late report still finds what it belongs to.
 */
@ApplicationScoped
@Startup
public class CommandBoard {

    private static final Logger LOG = Logger.getLogger(CommandBoard.class);
    /** A report on a command is still understood this long after the command expired. */
    static final Duration REMEMBER = Duration.ofDays(1);

    /**
     * A command as the board holds it: what choosing and forgetting it needs, and where its record is in
     * hookline.commands. The record itself is in {@link CommandRecords} (in memory up to a budget, else read again),
     * decoded only to deliver the command or to answer a report on it.
     */
    private static final class Held {

        private static final HexFormat HEX = HexFormat.of();
        /** The first due first, then by id. */
        static final Comparator<Held> DUE_FIRST = Comparator.comparingLong((Held held) -> held.notBefore)
                .thenComparing((a, b) -> a.idHigh != b.idHigh ? Long.compareUnsigned(a.idHigh, b.idHigh)
                        : Long.compareUnsigned(a.idLow, b.idLow));

        /** The command id's 128 bits: a string of it took 80 bytes a command, and is made only when needed. */
        final long idHigh;
        final long idLow;
        final String agent;
        final long notBefore;
        final long expiresAt;
        final int partition;
        final long offset;
        /** In its agent's queue; reported on by the agent. Both guarded by that queue. */
        boolean queued;
        boolean reported;

        Held(long idHigh, long idLow, String agent, long notBefore, long expiresAt, int partition, long offset) {
            this.idHigh = idHigh;
            this.idLow = idLow;
            this.agent = agent;
            this.notBefore = notBefore;
            this.expiresAt = expiresAt;
            this.partition = partition;
            this.offset = offset;
        }

        /** The key to look a command up by its id, or null when {@code commandId} is not cmd_ and 32 hex digits. */
        static Held key(String commandId) {
            if (commandId == null || !AgentReports.COMMAND_ID.matcher(commandId).matches()) {
                return null;
            }
            return new Held(HexFormat.fromHexDigitsToLong(commandId, 4, 20),
                    HexFormat.fromHexDigitsToLong(commandId, 20, 36), null, 0, 0, -1, -1);
        }

        String commandId() {
            return "cmd_" + HEX.toHexDigits(idHigh) + HEX.toHexDigits(idLow);
        }

        CommandRecords.Position position() {
            return new CommandRecords.Position(commandId(), partition, offset);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Held held && held.idHigh == idHigh && held.idLow == idLow;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(idHigh ^ idLow);
        }
    }

    /**
     * One agent's commands not reported on yet, in the order they were read: a list looked through and compacted by
     * each poll, not a set (a set's entry took about 40 bytes a command).
     */
    private static final class Queue {

        private final ArrayList<Held> held = new ArrayList<>();
        /** Those neither reported on nor found expired yet. */
        private int live;

        /** Queues the command unless it is queued already or was reported on. */
        synchronized boolean add(Held command) {
            if (command.queued || command.reported) {
                return false;
            }
            command.queued = true;
            held.add(command);
            live++;
            return true;
        }

        synchronized void reported(Held command) {
            if (!command.reported) {
                command.reported = true;
                if (command.queued) {
                    live--;
                }
            }
        }

        /** As if never reported on: for {@link CommandBoard#forgetReports(String)}. */
        synchronized void unreported(Held command) {
            if (command.reported) {
                command.reported = false;
                if (command.queued) {
                    live++;
                }
            }
        }

        synchronized void remove(Held command) {
            if (command.queued && held.remove(command)) {
                command.queued = false;
                if (!command.reported) {
                    live--;
                }
            }
        }

        /** The first {@code max} due at {@code now}, the first due first; what was reported on or expired leaves. */
        synchronized List<Held> ready(long now, int max) {
            List<Held> ready = new ArrayList<>();
            dropGone(now, ready);
            ready.sort(Held.DUE_FIRST);
            return List.copyOf(ready.subList(0, Math.min(max, ready.size())));
        }

        /** Drops what was reported on or expired, adding what is due to {@code due} (when given). */
        synchronized void dropGone(long now, List<Held> due) {
            held.removeIf(command -> {
                boolean gone = command.reported || command.expiresAt <= now;
                if (gone) {
                    command.queued = false;
                    if (!command.reported) {
                        live--;
                    }
                } else if (due != null && command.notBefore <= now) {
                    due.add(command);
                }
                return gone;
            });
            if (held.isEmpty()) {
                held.trimToSize();
            }
        }

        synchronized int live() {
            return live;
        }
    }

    /** Each agent's commands not reported on yet. */
    private final Map<String, Queue> queues = new ConcurrentHashMap<>();
    /** Every command remembered, by its id (a {@link Held#key}). */
    private final Map<Held, Held> known = new ConcurrentHashMap<>();
    /** One instance of each agent's name, for every command of it to share. */
    private final Map<String, String> agentNames = new ConcurrentHashMap<>();
    /**
     * The wake-ups set for commands due later, one per agent and second (the end of the second its commands are due
     * in): a backlog of commands due over the night takes one timer a second, not one each.
     */
    private final Set<String> wakeUps = ConcurrentHashMap.newKeySet();
    private final Map<String, Set<CompletableFuture<Boolean>>> waiting = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "hookline-command-board");
        thread.setDaemon(true);
        return thread;
    });
    private final AvroSerde<Command> serde = AvroSerde.of(Command.class);
    private final CommandRecords records;
    private final String topic;
    private final Duration lookback;
    private final Thread reader;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean caughtUp;
    private volatile boolean closed;

    @Inject
    public CommandBoard(GatewayConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
            io.micrometer.core.instrument.MeterRegistry metrics) {
        if (config.agents().maxCommandsPerPoll() < 1) {
            // With none allowed, a poll would find commands due and answer none, again and again until its wait ends.
            throw new IllegalStateException("hookline.agents.max-commands-per-poll must be at least 1, not "
                    + config.agents().maxCommandsPerPoll());
        }
        this.topic = new Topics(config.topics().prefix()).commands();
        this.lookback = config.agents().lookback();
        this.records = new CommandRecords(topic, config.agents().recordsInMemory().asLongValue(), kafkaConfig);
        Map<String, Object> consumerConfig = CommandRecords.committedReader(kafkaConfig, "hookline-gateway-commands");
        reader = new Thread(() -> follow(consumerConfig), "hookline-commands-reader");
        reader.setDaemon(true);
        reader.start();
        timer.scheduleAtFixedRate(this::forgetOld, 1, 1, TimeUnit.MINUTES);
        io.micrometer.core.instrument.Gauge.builder("hookline.agent.commands.pending", this, CommandBoard::pendingCount)
                .description("Commands for agents this gateway holds that no agent has reported on yet, due or not")
                .register(metrics);
        io.micrometer.core.instrument.Gauge.builder("hookline.agent.commands.records.memory", records,
                CommandRecords::keptBytes).baseUnit("bytes")
                .description("Bytes of commands' records held in memory (hookline.agents.records-in-memory at most)")
                .register(metrics);
        io.micrometer.core.instrument.FunctionCounter.builder("hookline.agent.commands.records.read", records,
                CommandRecords::readsFromKafka)
                .description("Commands' records read again from hookline.commands, not being held in memory")
                .register(metrics);
    }

    /** How many commands wait for their agents, over every agent. */
    int pendingCount() {
        return queues.values().stream().mapToInt(Queue::live).sum();
    }

    /** True once the commands written before this gateway started have been read. */
    public boolean caughtUp() {
        return caughtUp;
    }

    /**
     * The commands deliverable to {@code agent} now, at most {@code max}, the first due first; when there are none,
     * waits up to {@code wait} for one (a long poll) and answers what is deliverable then, possibly nothing.
     */
    public CompletableFuture<List<Command>> poll(String agent, Duration wait, int max) {
        if (wait.isZero()) {
            return decoded(ready(agent, max));
        }
        return poll(agent, System.nanoTime() + wait.toNanos(), max);
    }

    /**
     * Waits until {@code deadline} (System.nanoTime) for a deliverable command. A wake-up that finds none (a timer
     * that fired a hair before its command's time) waits on: a long poll ends early only with a command.
     */
    private CompletableFuture<List<Command>> poll(String agent, long deadline, int max) {
        List<Held> ready = ready(agent, max);
        long left = deadline - System.nanoTime();
        if (!ready.isEmpty() || left <= 0) {
            return decoded(ready);
        }
        CompletableFuture<Boolean> woken = new CompletableFuture<>();
        Set<CompletableFuture<Boolean>> waiters = waiting.computeIfAbsent(agent, a -> ConcurrentHashMap.newKeySet());
        waiters.add(woken);
        // A command that arrived between the look above and the registration must not wait for the next one.
        if (!ready(agent, 1).isEmpty()) {
            woken.complete(true);
        }
        var timeout = timer.schedule(() -> woken.complete(false), left, TimeUnit.NANOSECONDS);
        return woken.thenCompose(any -> {
            timeout.cancel(false);
            waiters.remove(woken);
            List<Held> now = ready(agent, max);
            return now.isEmpty() && any ? poll(agent, deadline, max) : decoded(now);
        });
    }

    /**
     * The commands, decoded from their records in the order given. A command whose record the topic no longer has is
     * forgotten: it can be neither delivered nor reported on.
     */
    private CompletableFuture<List<Command>> decoded(List<Held> commands) {
        if (commands.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        return records.records(commands.stream().map(Held::position).toList()).thenApply(found -> {
            List<Command> decoded = new ArrayList<>(commands.size());
            for (Held command : commands) {
                byte[] record = found.get(command.commandId());
                if (record == null) {
                    forget(command);
                } else {
                    decoded.add(serde.decode(record));
                }
            }
            return decoded;
        });
    }

    private void forget(Held command) {
        known.remove(command);
        queue(command.agent).remove(command);
        records.forget(command.commandId());
    }

    private Queue queue(String agent) {
        return queues.computeIfAbsent(agent, a -> new Queue());
    }

    /** How many commands wait for the agent (deliverable or not yet). */
    public int pending(String agent) {
        Queue queue = queues.get(agent);
        return queue == null ? 0 : queue.live();
    }

    /** How many long polls wait now, over every agent. */
    public int waitingPolls() {
        return waiting.values().stream().mapToInt(Set::size).sum();
    }

    /**
     * A command this gateway knows of, delivered or not; fails with {@link CommandRecords.Unavailable} when its record
     * had to be read again and hookline.commands did not answer.
     */
    public CompletableFuture<Optional<Command>> find(String commandId) {
        Held key = Held.key(commandId);
        Held held = key == null ? null : known.get(key);
        if (held == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return decoded(List.of(held)).thenApply(found -> found.stream().findFirst());
    }

    /** The agent reported on the command (started, refused): it is not delivered again. */
    public void reported(Command command) {
        Held key = Held.key(command.getCommandId());
        Held held = key == null ? null : known.get(key);
        if (held != null) {
            queue(held.agent).reported(held);
        }
    }

    /**
     * Forgets which of {@code agent}'s commands were reported, as a gateway that restarted and read hookline.commands
     * again: the agent gets them again, and only its journal keeps them from running twice. For tests (one agent's,
     * so that other tests' agents are not handed their old commands).
     */
    void forgetReports(String agent) {
        known.values().stream().filter(command -> command.agent.equals(agent)).forEach(command -> {
            queue(command.agent).unreported(command);
            hold(command);
        });
    }

    /** Adds a command read from the topic (its record as read, at its partition and offset) and wakes its agent's polls. */
    void add(Command command, byte[] record, int partition, long offset) {
        if (command.getKind() != ActionKind.AGENT || command.getAgent() == null) {
            return;
        }
        Held key = Held.key(command.getCommandId());
        if (key == null) {
            // No report could name it (the agents' API takes cmd_ and 32 hex digits): it would run unaccounted for.
            LOG.warnf("a command on %s at %d/%d has the id '%s', not cmd_ and 32 hex digits; not delivered", topic,
                    partition, offset, AgentReports.oneLine(command.getCommandId()));
            return;
        }
        String agent = agentNames.computeIfAbsent(command.getAgent(), name -> name);
        Held held = new Held(key.idHigh, key.idLow, agent, command.getNotBefore().toEpochMilli(),
                command.getExpiresAt().toEpochMilli(), partition, offset);
        if (held.expiresAt + REMEMBER.toMillis() >= System.currentTimeMillis()) {
            records.keep(command.getCommandId(), record);
        }
        hold(held);
    }

    private void hold(Held read) {
        long now = System.currentTimeMillis();
        if (read.expiresAt + REMEMBER.toMillis() < now) {
            return;
        }
        // Read again (the reader restarted): the command held before keeps its place and whether it was reported.
        Held before = known.putIfAbsent(read, read);
        Held command = before == null ? read : before;
        if (command.expiresAt <= now || !queue(command.agent).add(command)) {
            return;
        }
        if (command.notBefore > now) {
            long second = Math.floorDiv(command.notBefore, 1000L) + 1;
            String wakeUp = command.agent + "@" + second;
            if (wakeUps.add(wakeUp)) {
                timer.schedule(() -> {
                    wakeUps.remove(wakeUp);
                    wake(command.agent);
                }, second * 1000 - now, TimeUnit.MILLISECONDS);
            }
        } else {
            wake(command.agent);
        }
    }

    /** The first {@code max} deliverable to {@code agent} now, the first due first (then by id). */
    private List<Held> ready(String agent, int max) {
        Queue queue = queues.get(agent);
        return queue == null ? List.of() : queue.ready(System.currentTimeMillis(), max);
    }

    private void wake(String agent) {
        Set<CompletableFuture<Boolean>> waiters = waiting.get(agent);
        if (waiters != null) {
            List.copyOf(waiters).forEach(waiter -> waiter.complete(true));
        }
    }

    private void forgetOld() {
        long now = System.currentTimeMillis();
        known.values().removeIf(command -> {
            boolean old = command.expiresAt < now - REMEMBER.toMillis();
            if (old) {
                records.forget(command.commandId());
            }
            return old;
        });
        queues.values().forEach(queue -> queue.dropGone(now, null));
        waiting.values().removeIf(Set::isEmpty);
    }

    private void follow(Map<String, Object> config) {
        while (!closed) {
            try (KafkaConsumer<String, byte[]> reading = new KafkaConsumer<>(config, new StringDeserializer(),
                    new ByteArrayDeserializer())) {
                consumer = reading;
                List<TopicPartition> partitions = new ArrayList<>();
                reading.partitionsFor(topic, Duration.ofSeconds(30))
                        .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
                if (partitions.isEmpty()) {
                    TimeUnit.SECONDS.sleep(2);
                    continue;
                }
                reading.assign(partitions);
                // Only commands that may still be reported on matter: start a lookback before now.
                long since = Instant.now().minus(lookback).toEpochMilli();
                Map<TopicPartition, Long> times = new HashMap<>();
                partitions.forEach(p -> times.put(p, since));
                Map<TopicPartition, OffsetAndTimestamp> starts = reading.offsetsForTimes(times);
                Map<TopicPartition, Long> ends = reading.endOffsets(partitions);
                for (TopicPartition partition : partitions) {
                    OffsetAndTimestamp start = starts.get(partition);
                    reading.seek(partition, start == null ? ends.get(partition) : start.offset());
                }
                while (!closed) {
                    for (ConsumerRecord<String, byte[]> record : reading.poll(Duration.ofMillis(500))) {
                        try {
                            add(serde.decode(record.value()), record.value(), record.partition(), record.offset());
                        } catch (RuntimeException e) {
                            LOG.warnf("a record of %s at %d/%d is not a command (%s); skipped", topic,
                                    record.partition(), record.offset(), e.getMessage());
                        }
                    }
                    if (!caughtUp && partitions.stream().allMatch(p -> reading.position(p) >= ends.get(p))) {
                        caughtUp = true;
                        LOG.infof("commands for agents read up to now from %s: %d waiting", topic, pendingCount());
                    }
                }
            } catch (WakeupException e) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.warnf("reading %s failed (%s); again in 5 s", topic, e.getMessage());
                try {
                    TimeUnit.SECONDS.sleep(5);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @PreDestroy
    void close() {
        closed = true;
        KafkaConsumer<String, byte[]> reading = consumer;
        if (reading != null) {
            reading.wakeup();
        }
        timer.shutdownNow();
        records.close();
        waiting.values().forEach(waiters -> waiters.forEach(waiter -> waiter.complete(false)));
    }
}
