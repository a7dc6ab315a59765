package io.hookline.gateway.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
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

import org.apache.kafka.clients.consumer.ConsumerConfig;
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
     * A command as the board holds it: what choosing and forgetting it needs, and its record as read, decoded only to
     * deliver it or to answer a report on it (a decoded command took about three times the memory).
     */
    private record Held(String commandId, String agent, long notBefore, long expiresAt, byte[] record) {
    }

    private final Map<String, Map<String, Held>> pendingByAgent = new ConcurrentHashMap<>();
    private final Map<String, Held> known = new ConcurrentHashMap<>();
    /** One instance of each agent's name, for every command of it to share. */
    private final Map<String, String> agentNames = new ConcurrentHashMap<>();
    /**
     * The wake-ups set for commands due later, one per agent and second (the end of the second its commands are due
     * in): a backlog of commands due over the night takes one timer a second, not one each.
     */
    private final Set<String> wakeUps = ConcurrentHashMap.newKeySet();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private final Map<String, Set<CompletableFuture<Boolean>>> waiting = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "hookline-command-board");
        thread.setDaemon(true);
        return thread;
    });
    private final AvroSerde<Command> serde = AvroSerde.of(Command.class);
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
        Map<String, Object> consumerConfig = new HashMap<>(kafkaConfig);
        consumerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, "hookline-gateway-commands");
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // The processor writes commands in its transactions: an aborted one must never reach an agent.
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerConfig.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumerConfig.keySet().removeIf(key -> key.startsWith("health") || key.equals("devservices"));
        reader = new Thread(() -> follow(consumerConfig), "hookline-commands-reader");
        reader.setDaemon(true);
        reader.start();
        timer.scheduleAtFixedRate(this::forgetOld, 1, 1, TimeUnit.MINUTES);
        io.micrometer.core.instrument.Gauge.builder("hookline.agent.commands.pending", this, CommandBoard::pendingCount)
                .description("Commands for agents this gateway holds that no agent has reported on yet, due or not")
                .register(metrics);
    }

    /** How many commands wait for their agents, over every agent. */
    int pendingCount() {
        return pendingByAgent.values().stream().mapToInt(Map::size).sum();
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
            return CompletableFuture.completedFuture(ready(agent, max));
        }
        return poll(agent, System.nanoTime() + wait.toNanos(), max);
    }

    /**
     * Waits until {@code deadline} (System.nanoTime) for a deliverable command. A wake-up that finds none (a timer
     * that fired a hair before its command's time) waits on: a long poll ends early only with a command.
     */
    private CompletableFuture<List<Command>> poll(String agent, long deadline, int max) {
        List<Command> ready = ready(agent, max);
        long left = deadline - System.nanoTime();
        if (!ready.isEmpty() || left <= 0) {
            return CompletableFuture.completedFuture(ready);
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
            List<Command> now = ready(agent, max);
            return now.isEmpty() && any ? poll(agent, deadline, max) : CompletableFuture.completedFuture(now);
        });
    }

    /** How many commands wait for the agent (deliverable or not yet). */
    public int pending(String agent) {
        return pendingByAgent.getOrDefault(agent, Map.of()).size();
    }

    /** How many long polls wait now, over every agent. */
    public int waitingPolls() {
        return waiting.values().stream().mapToInt(Set::size).sum();
    }

    /** A command this gateway knows of, delivered or not. */
    public Optional<Command> find(String commandId) {
        return Optional.ofNullable(known.get(commandId)).map(held -> serde.decode(held.record()));
    }

    /** The agent reported on the command (started, refused): it is not delivered again. */
    public void reported(Command command) {
        reported.add(command.getCommandId());
        Map<String, Held> pending = pendingByAgent.get(command.getAgent());
        if (pending != null) {
            pending.remove(command.getCommandId());
        }
    }

    /**
     * Forgets which commands were reported, as a gateway that restarted and read hookline.commands again: their
     * agents get them again, and only an agent's journal keeps them from running twice. For tests.
     */
    void forgetReports() {
        reported.clear();
        known.values().forEach(this::hold);
    }

    /** Adds a command read from the topic (its record as read) and wakes its agent's polls. */
    void add(Command command, byte[] record) {
        if (command.getKind() != ActionKind.AGENT || command.getAgent() == null) {
            return;
        }
        String agent = agentNames.computeIfAbsent(command.getAgent(), name -> name);
        hold(new Held(command.getCommandId(), agent, command.getNotBefore().toEpochMilli(),
                command.getExpiresAt().toEpochMilli(), record));
    }

    private void hold(Held command) {
        long now = System.currentTimeMillis();
        if (command.expiresAt() + REMEMBER.toMillis() < now) {
            return;
        }
        known.put(command.commandId(), command);
        if (reported.contains(command.commandId()) || command.expiresAt() <= now) {
            return;
        }
        pendingByAgent.computeIfAbsent(command.agent(), a -> new ConcurrentHashMap<>())
                .put(command.commandId(), command);
        if (command.notBefore() > now) {
            long second = Math.floorDiv(command.notBefore(), 1000L) + 1;
            String wakeUp = command.agent() + "@" + second;
            if (wakeUps.add(wakeUp)) {
                timer.schedule(() -> {
                    wakeUps.remove(wakeUp);
                    wake(command.agent());
                }, second * 1000 - now, TimeUnit.MILLISECONDS);
            }
        } else {
            wake(command.agent());
        }
    }

    /** The first {@code max} deliverable to {@code agent} now, the first due first (then by id); only they decoded. */
    private List<Command> ready(String agent, int max) {
        Map<String, Held> pending = pendingByAgent.get(agent);
        if (pending == null || pending.isEmpty()) {
            return List.of();
        }
        long now = System.currentTimeMillis();
        List<Held> ready = new ArrayList<>();
        for (Held command : pending.values()) {
            if (command.expiresAt() <= now) {
                pending.remove(command.commandId());
            } else if (command.notBefore() <= now) {
                ready.add(command);
            }
        }
        ready.sort(Comparator.comparingLong(Held::notBefore).thenComparing(Held::commandId));
        List<Command> first = new ArrayList<>(Math.min(max, ready.size()));
        for (Held command : ready.subList(0, Math.min(max, ready.size()))) {
            first.add(serde.decode(command.record()));
        }
        return first;
    }

    private void wake(String agent) {
        Set<CompletableFuture<Boolean>> waiters = waiting.get(agent);
        if (waiters != null) {
            List.copyOf(waiters).forEach(waiter -> waiter.complete(true));
        }
    }

    private void forgetOld() {
        long now = System.currentTimeMillis();
        known.values().removeIf(command -> command.expiresAt() < now - REMEMBER.toMillis());
        reported.removeIf(id -> !known.containsKey(id));
        pendingByAgent.values().forEach(pending -> pending.values().removeIf(command -> command.expiresAt() <= now));
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
                            add(serde.decode(record.value()), record.value());
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
        waiting.values().forEach(waiters -> waiters.forEach(waiter -> waiter.complete(false)));
    }
}
