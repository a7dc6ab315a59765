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

    private final Map<String, Map<String, Command>> pendingByAgent = new ConcurrentHashMap<>();
    private final Map<String, Command> known = new ConcurrentHashMap<>();
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
     * The commands deliverable to {@code agent} now, oldest first; when there are none, waits up to {@code wait}
     * for one (a long poll) and answers what is deliverable then, possibly nothing.
     */
    public CompletableFuture<List<Command>> poll(String agent, Duration wait) {
        if (wait.isZero()) {
            return CompletableFuture.completedFuture(ready(agent));
        }
        return poll(agent, System.nanoTime() + wait.toNanos());
    }

    /**
     * Waits until {@code deadline} (System.nanoTime) for a deliverable command. A wake-up that finds none (a timer
     * that fired a hair before its command's time) waits on: a long poll ends early only with a command.
     */
    private CompletableFuture<List<Command>> poll(String agent, long deadline) {
        List<Command> ready = ready(agent);
        long left = deadline - System.nanoTime();
        if (!ready.isEmpty() || left <= 0) {
            return CompletableFuture.completedFuture(ready);
        }
        CompletableFuture<Boolean> woken = new CompletableFuture<>();
        Set<CompletableFuture<Boolean>> waiters = waiting.computeIfAbsent(agent, a -> ConcurrentHashMap.newKeySet());
        waiters.add(woken);
        // A command that arrived between the look above and the registration must not wait for the next one.
        if (!ready(agent).isEmpty()) {
            woken.complete(true);
        }
        var timeout = timer.schedule(() -> woken.complete(false), left, TimeUnit.NANOSECONDS);
        return woken.thenCompose(any -> {
            timeout.cancel(false);
            waiters.remove(woken);
            List<Command> now = ready(agent);
            return now.isEmpty() && any ? poll(agent, deadline) : CompletableFuture.completedFuture(now);
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
        return Optional.ofNullable(known.get(commandId));
    }

    /** The agent reported on the command (started, refused): it is not delivered again. */
    public void reported(Command command) {
        reported.add(command.getCommandId());
        Map<String, Command> pending = pendingByAgent.get(command.getAgent());
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
        known.values().forEach(this::add);
    }

    /** Adds a command read from the topic (or given by a test) and wakes its agent's polls. */
    void add(Command command) {
        if (command.getKind() != ActionKind.AGENT || command.getAgent() == null) {
            return;
        }
        Instant now = Instant.now();
        if (command.getExpiresAt().plus(REMEMBER).isBefore(now)) {
            return;
        }
        known.put(command.getCommandId(), command);
        if (reported.contains(command.getCommandId()) || !command.getExpiresAt().isAfter(now)) {
            return;
        }
        pendingByAgent.computeIfAbsent(command.getAgent(), a -> new ConcurrentHashMap<>())
                .put(command.getCommandId(), command);
        long delay = Duration.between(now, command.getNotBefore()).toNanos();
        if (delay > 0) {
            timer.schedule(() -> wake(command.getAgent()), delay, TimeUnit.NANOSECONDS);
        } else {
            wake(command.getAgent());
        }
    }

    private List<Command> ready(String agent) {
        Map<String, Command> pending = pendingByAgent.get(agent);
        if (pending == null || pending.isEmpty()) {
            return List.of();
        }
        Instant now = Instant.now();
        List<Command> ready = new ArrayList<>();
        for (Command command : pending.values()) {
            if (!command.getExpiresAt().isAfter(now)) {
                pending.remove(command.getCommandId());
            } else if (!command.getNotBefore().isAfter(now)) {
                ready.add(command);
            }
        }
        ready.sort(Comparator.comparing(Command::getNotBefore).thenComparing(Command::getCommandId));
        return ready;
    }

    private void wake(String agent) {
        Set<CompletableFuture<Boolean>> waiters = waiting.get(agent);
        if (waiters != null) {
            List.copyOf(waiters).forEach(waiter -> waiter.complete(true));
        }
    }

    private void forgetOld() {
        Instant forgetBefore = Instant.now().minus(REMEMBER);
        known.values().removeIf(command -> command.getExpiresAt().isBefore(forgetBefore));
        reported.removeIf(id -> !known.containsKey(id));
        pendingByAgent.values().forEach(pending -> pending.values()
                .removeIf(command -> !command.getExpiresAt().isAfter(Instant.now())));
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
                            add(serde.decode(record.value()));
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
