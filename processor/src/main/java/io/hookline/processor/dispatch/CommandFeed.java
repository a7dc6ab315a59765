package io.hookline.processor.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import io.hookline.processor.notify.Notification;
import io.hookline.processor.notify.Receiver;
import io.hookline.processor.rules.Rules;
import io.hookline.schema.ActionKind;
import io.hookline.schema.Command;
import io.hookline.schema.serde.AvroSerde;

/**
 * The webhook actions of chains: hookline.commands as a consumer group of the delivery side, each WEBHOOK command
 * sent at its not-before through the {@link RetryStage} (retries, every attempt on hookline.deliveries, a dead letter
 * and replay) with the command's id as the idempotency key. Agent commands are the gateway's; this skips them. An
 * offset is committed once every command before it is sent or given up, so a restart sends what was unfinished
 * again, under the same id.
 */
final class CommandFeed implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CommandFeed.class);

    private final Supplier<Rules> rules;
    private final ScheduledExecutorService timer;
    private final java.util.function.Function<Notification, CompletableFuture<Void>> retry;
    private final AvroSerde<Command> commands = AvroSerde.of(Command.class);
    private final FeedLoop loop;

    CommandFeed(String topic, Map<String, Object> consumerConfig, Supplier<Rules> rules,
            java.util.function.Function<Notification, CompletableFuture<Void>> retry, ScheduledExecutorService timer) {
        this.rules = rules;
        this.retry = retry;
        this.timer = timer;
        this.loop = new FeedLoop(topic, consumerConfig, "hookline-webhook-actions", group -> { }, this::handle);
    }

    void start() {
        loop.start();
    }

    /** Why its consumer last stopped, while it has not read again since; null while it reads. */
    String failure() {
        return loop.failure();
    }

    private CompletableFuture<Void> handle(ConsumerRecord<String, byte[]> record) {
        Command command;
        try {
            command = commands.decode(record.value());
        } catch (RuntimeException e) {
            LOG.warnf("skipping a record on %s that is not a command (offset %d): %s", record.topic(), record.offset(),
                    e.getMessage());
            return CompletableFuture.completedFuture(null);
        }
        if (command.getKind() != ActionKind.WEBHOOK) {
            return CompletableFuture.completedFuture(null);
        }
        Receiver receiver = rules.get().receiver(command.getAction()).filter(r -> r.type().equals("webhook"))
                .orElse(null);
        if (receiver == null) {
            LOG.warnf("command %s of chain %s: webhook receiver %s is no longer in the rules; it expires",
                    command.getCommandId(), command.getCause().getRule(), command.getAction());
            return CompletableFuture.completedFuture(null);
        }
        if (!command.getExpiresAt().isAfter(Instant.now())) {
            LOG.warnf("command %s of chain %s expired before it could be sent to %s", command.getCommandId(),
                    command.getCause().getRule(), receiver.name());
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        long delay = Math.max(0, Duration.between(Instant.now(), command.getNotBefore()).toMillis());
        timer.schedule(() -> retry.apply(Notification.forCommand(receiver, command))
                .whenComplete((ok, error) -> done.complete(null)), delay, TimeUnit.MILLISECONDS);
        return done;
    }

    @Override
    public void close() {
        loop.close();
    }
}
