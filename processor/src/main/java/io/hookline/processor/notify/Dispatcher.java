package io.hookline.processor.notify;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import io.hookline.processor.ProcessorConfig;
import io.hookline.processor.rules.Receiver;
import io.hookline.processor.rules.Rules;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.DeliveryAttempt;
import io.hookline.schema.DeliveryOutcome;
import io.hookline.schema.cloudevents.CloudEventHeaders;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.topics.Topics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * Delivers alert steps to receivers: its own consumer of hookline.alerts, so delivery never slows the fold.
 * Steps are batched per receiver as the route groups them ({@link Groups}). Each notification is retried with
 * exponential backoff and jitter, honouring Retry-After, until delivered or not worth retrying (410, other 4xx) or
 * out of attempts (then it is a dead letter). Every attempt is recorded on hookline.deliveries. Offsets are
 * committed only once every notification a record became part of is finished, so a restart sends unfinished ones
 * again, with the same idempotency key.
 */
@ApplicationScoped
public class Dispatcher {

    private static final Logger LOG = Logger.getLogger(Dispatcher.class);

    private final Map<String, Notifier> channels = new HashMap<>();
    private final AvroSerde<AlertEvent> alerts = AvroSerde.of(AlertEvent.class);
    private final AvroSerde<DeliveryAttempt> attempts = AvroSerde.of(DeliveryAttempt.class);
    private Rules rules;
    private ProcessorConfig.Delivery settings;
    private Topics topics;
    private KafkaProducer<String, byte[]> producer;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private ScheduledExecutorService retries;
    private Groups groups;
    private String publicUrl;
    private Thread loop;
    private volatile boolean running;

    private io.hookline.processor.silences.Silences silences;
    private io.hookline.schema.topics.CompactedTopicView<io.hookline.schema.DeadLetter> deadLetters;
    /** The latest step of every alert, from the start of hookline.alerts: what fires now, for inhibitions. */
    private io.hookline.schema.topics.CompactedTopicView<AlertEvent> currentAlerts;
    /**
     * The newest step of each alert this dispatcher handled, overriding the view, which may lag. Resolved ones are
     * kept a while (so that a resolve the view has not seen yet still ends an inhibition), then pruned.
     */
    private final Map<String, AlertEvent> handled = new java.util.concurrent.ConcurrentHashMap<>();

    void onStart(@Observes StartupEvent start, ProcessorConfig config, Rules rules, Instance<Notifier> notifiers,
            io.hookline.processor.silences.Silences silences,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.silences = silences;
        notifiers.forEach(n -> channels.put(n.type(), n));
        this.rules = rules;
        this.settings = config.delivery();
        this.publicUrl = config.publicUrl().map(url -> url.replaceAll("/+$", "")).orElse(null);
        this.topics = new Topics(config.topics().prefix());
        this.deadLetters = new io.hookline.schema.topics.CompactedTopicView<>(topics.deadLetters(),
                io.hookline.schema.DeadLetter.class, kafkaConfig);
        if (!rules.inhibitions().isEmpty()) {
            currentAlerts = new io.hookline.schema.topics.CompactedTopicView<>(topics.alerts(), AlertEvent.class, kafkaConfig);
        }
        if (!settings.enabled() || rules.receivers().isEmpty()) {
            LOG.info("no receivers in the rules: alerts stay on hookline.alerts and in /api/alerts");
            return;
        }
        Map<String, Object> producerConfig = new HashMap<>(kafkaConfig);
        producerConfig.put("client.id", "hookline-deliveries");
        producerConfig.put("acks", "all");
        producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer());
        Map<String, Object> consumerConfig = new HashMap<>(kafkaConfig);
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, settings.group());
        consumerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, "hookline-dispatcher");
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        retries = Executors.newScheduledThreadPool(2, r -> new Thread(r, "hookline-delivery"));
        groups = new Groups(new Groups.Channel() {
            @Override
            public Groups.Muted muted(AlertEvent alert) {
                return Dispatcher.this.muted(alert);
            }

            @Override
            public void recordMuted(Notification notification, Groups.Muted muted) {
                record(notification, 0, Instant.now(), muted.outcome(), Notifier.Result.giveUp(null, muted.message()), null);
            }

            @Override
            public CompletableFuture<Void> send(Notification notification) {
                CompletableFuture<Void> finished = new CompletableFuture<>();
                Notification linked = notification.withLink(link(notification.groupKey()));
                retries.execute(() -> attempt(linked, 1, finished));
                return finished;
            }
        });
        running = true;
        loop = new Thread(() -> run(consumerConfig), "hookline-dispatcher");
        loop.start();
    }

    /** Sends a test message to a receiver once, now, and says what happened. */
    public Notifier.Result test(Receiver receiver, AlertEvent sample) {
        Notification notification = new Notification("msg_test_" + Instant.now().toEpochMilli(), receiver,
                sample.getAlertKey(), Map.of(), List.of(sample), true, null).withLink(link(sample.getAlertKey()));
        Notifier channel = channels.get(receiver.type());
        return channel.send(notification);
    }

    private void run(Map<String, Object> consumerConfig) {
        Map<TopicPartition, ArrayDeque<Pending>> pending = new HashMap<>();
        try (KafkaConsumer<String, byte[]> kafka = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer = kafka;
            if (rules.repeats()) {
                remindAfterRestart(kafka, consumerConfig);
            }
            kafka.subscribe(List.of(topics.alerts()));
            try {
                while (running) {
                    for (ConsumerRecord<String, byte[]> record : kafka.poll(Duration.ofMillis(200))) {
                        CompletableFuture<Void> done = dispatch(record);
                        pending.computeIfAbsent(new TopicPartition(record.topic(), record.partition()),
                                p -> new ArrayDeque<>()).add(new Pending(record.offset(), done));
                    }
                    commitFinished(kafka, pending);
                }
            } catch (WakeupException stopping) {
                // Shutdown: what finished since the last poll is not sent again after the restart.
                commitFinished(kafka, pending);
            }
        } catch (WakeupException stopping) {
            // shut down before the first poll
        } catch (RuntimeException e) {
            LOG.errorf(e, "alert delivery stopped: %s", e.getMessage());
        }
    }

    private record Pending(long offset, CompletableFuture<Void> done) {
    }

    private void commitFinished(KafkaConsumer<String, byte[]> kafka, Map<TopicPartition, ArrayDeque<Pending>> pending) {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        pending.forEach((partition, queue) -> {
            long next = -1;
            while (!queue.isEmpty() && queue.peek().done().isDone()) {
                next = queue.poll().offset() + 1;
            }
            if (next >= 0) {
                commit.put(partition, new OffsetAndMetadata(next));
            }
        });
        if (!commit.isEmpty()) {
            kafka.commitSync(commit);
        }
    }

    private CompletableFuture<Void> dispatch(ConsumerRecord<String, byte[]> record) {
        AlertEvent alert;
        try {
            alert = alerts.decode(record.value());
        } catch (RuntimeException e) {
            LOG.warnf("skipping a record on %s that is not an alert (offset %d): %s", record.topic(), record.offset(),
                    e.getMessage());
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<Void>> all = new ArrayList<>();
        handled.put(alert.getAlertKey(), alert);
        Instant forgetBefore = Instant.now().minus(Duration.ofMinutes(10));
        handled.values().removeIf(a -> a.getStatus() == io.hookline.schema.AlertStatus.RESOLVED
                && a.getUpdatedAt().isBefore(forgetBefore));
        if (alert.getStatus() == io.hookline.schema.AlertStatus.RESOLVED) {
            silences.resolved(alert);
        }
        for (Rules.Target target : rules.targetsFor(alert)) {
            all.add(groups.add(target.receiver(), target.grouping(), alert));
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    /**
     * Why an alert is not sent now: a silence or a maintenance window, or a firing alert that inhibits it. A
     * resolve is never muted (silences and inhibitions exclude them), so it reaches every receiver that saw the firing.
     */
    private Groups.Muted muted(AlertEvent alert) {
        var silence = silences.muting(alert, Instant.now());
        if (silence.isPresent()) {
            return new Groups.Muted(DeliveryOutcome.SILENCED, "silenced by " + silence.get().getId()
                    + (silence.get().getComment().isEmpty() ? "" : ": " + silence.get().getComment()));
        }
        AlertEvent inhibitor = inhibitor(alert);
        return inhibitor == null ? null : new Groups.Muted(DeliveryOutcome.INHIBITED,
                "inhibited while " + inhibitor.getAlertKey() + " fires: " + inhibitor.getSummary());
    }

    /**
     * Reminders survive a restart: the alerts that still fire and whose records were finished before it (offsets
     * below the committed ones) are known to their groups as sent, so repeat-interval counts on from the restart.
     * Records after the committed offsets are read by the dispatcher itself, as usual.
     */
    private void remindAfterRestart(KafkaConsumer<String, byte[]> group, Map<String, Object> consumerConfig) {
        Map<String, Object> config = new HashMap<>(consumerConfig);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "hookline-dispatcher-reminders");
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Map<String, AlertEvent> latest = new HashMap<>();
        try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            java.util.Set<TopicPartition> all = new java.util.HashSet<>();
            group.partitionsFor(topics.alerts(), Duration.ofSeconds(30))
                    .forEach(info -> all.add(new TopicPartition(info.topic(), info.partition())));
            Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>(group.committed(all, Duration.ofSeconds(30)));
            committed.values().removeIf(java.util.Objects::isNull);
            if (committed.isEmpty()) {
                return;
            }
            reader.assign(committed.keySet());
            reader.seekToBeginning(committed.keySet());
            java.util.Set<TopicPartition> reading = new java.util.HashSet<>(committed.keySet());
            reading.removeIf(p -> reader.position(p) >= committed.get(p).offset());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!reading.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(500))) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() < committed.get(partition).offset() && record.value() != null) {
                        AlertEvent alert = alerts.decode(record.value());
                        latest.put(alert.getAlertKey(), alert);
                    }
                }
                reading.removeIf(p -> reader.position(p) >= committed.get(p).offset());
            }
        } catch (RuntimeException e) {
            LOG.warnf("cannot read which alerts still fire (%s): their reminders start with their next step", e.getMessage());
            return;
        }
        int seeded = 0;
        for (AlertEvent alert : latest.values()) {
            if (alert.getStatus() == io.hookline.schema.AlertStatus.RESOLVED) {
                continue;
            }
            handled.putIfAbsent(alert.getAlertKey(), alert);
            for (Rules.Target target : rules.targetsFor(alert)) {
                if (target.grouping().repeatInterval() != null) {
                    groups.seed(target.receiver(), target.grouping(), alert);
                    seeded++;
                }
            }
        }
        LOG.infof("%d firing alert(s) will be reminded of after their repeat-interval", seeded);
    }

    private void attempt(Notification notification, int attempt, CompletableFuture<Void> finished) {
        Notifier channel = channels.get(notification.receiver().type());
        Notifier.Result result;
        try {
            result = channel.send(notification);
        } catch (RuntimeException e) {
            result = Notifier.Result.retry(null, null, "channel error: " + e.getClass().getSimpleName());
        }
        Instant now = Instant.now();
        boolean again = result.retry() && attempt < notification.receiver().maxAttempts();
        Duration wait = again ? backoff(attempt, result.retryAfter()) : null;
        DeliveryOutcome outcome = result.delivered() ? DeliveryOutcome.DELIVERED
                : again ? DeliveryOutcome.RETRYING : DeliveryOutcome.GAVE_UP;
        record(notification, attempt, now, outcome, result, wait);
        if (again) {
            retries.schedule(() -> attempt(notification, attempt + 1, finished), wait.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            if (outcome == DeliveryOutcome.GAVE_UP) {
                LOG.warnf("gave up notifying %s of %s after %d attempt(s): %s", notification.receiver(),
                        notification.groupKey(), attempt, result.message());
                deadLetter(notification, attempt, result, now);
            } else if (outcome == DeliveryOutcome.DELIVERED && deadLetters.get(notification.id()).isPresent()) {
                forget(notification.id());
            }
            finished.complete(null);
        }
    }

    /** A firing alert that inhibits this one, or null. A resolve is never inhibited. */
    private AlertEvent inhibitor(AlertEvent alert) {
        if (currentAlerts == null || alert.getStatus() == io.hookline.schema.AlertStatus.RESOLVED) {
            return null;
        }
        Map<String, AlertEvent> current = new HashMap<>();
        currentAlerts.values().forEach(a -> current.put(a.getAlertKey(), a));
        current.putAll(handled);
        for (AlertEvent other : current.values()) {
            if (other.getStatus() == io.hookline.schema.AlertStatus.RESOLVED) {
                continue;
            }
            for (var inhibition : rules.inhibitions()) {
                if (inhibition.inhibits(other, alert)) {
                    return other;
                }
            }
        }
        return null;
    }

    /** The alerts of a group on the processor's public address, or null when it has none configured. */
    private String link(String groupKey) {
        return publicUrl == null ? null
                : publicUrl + Notification.alertsPath(groupKey);
    }

    /** The notifications given up on, oldest first. */
    public List<io.hookline.schema.DeadLetter> deadLetters() {
        return deadLetters.values().stream()
                .sorted(java.util.Comparator.comparing(io.hookline.schema.DeadLetter::getDeadAt)).toList();
    }

    /**
     * Sends a dead letter again, with the same idempotency key and a fresh round of attempts; delivered, it leaves
     * the dead letters. Answers false when there is no such dead letter or its receiver is no longer in the rules.
     */
    public boolean replay(String notificationId) throws Exception {
        var dead = deadLetters.get(notificationId).orElse(null);
        Receiver receiver = dead == null ? null : rules.receiver(dead.getReceiver()).orElse(null);
        if (receiver == null || retries == null) {
            return false;
        }
        // A copy by Records, not the generated newBuilder(other): see Records.
        io.hookline.schema.DeadLetter replayed = io.hookline.schema.serde.Records.deepCopy(dead);
        replayed.setReplays(dead.getReplays() + 1);
        deadLetters.put(notificationId, replayed);
        List<AlertEvent> alerts = dead.getAlerts().isEmpty() ? List.of(dead.getAlert()) : dead.getAlerts();
        String groupKey = dead.getGroupKey() == null ? dead.getAlert().getAlertKey() : dead.getGroupKey();
        retries.execute(() -> attempt(new Notification(notificationId, receiver, groupKey, dead.getGroupLabels(), alerts,
                false, link(groupKey)), 1, new CompletableFuture<>()));
        return true;
    }

    private void deadLetter(Notification notification, int attempts, Notifier.Result result, Instant at) {
        var existing = deadLetters.get(notification.id());
        try {
            deadLetters.put(notification.id(), io.hookline.schema.DeadLetter.newBuilder()
                    .setNotificationId(notification.id())
                    .setReceiver(notification.receiver().name())
                    .setChannel(notification.receiver().type())
                    .setAlert(notification.lead())
                    .setAlerts(notification.alerts())
                    .setGroupKey(notification.groupKey())
                    .setGroupLabels(notification.groupLabels())
                    .setAttempts(attempts)
                    .setLastStatus(result.httpStatus())
                    .setLastMessage(result.message())
                    .setDeadAt(at)
                    .setReplays(existing.map(io.hookline.schema.DeadLetter::getReplays).orElse(0))
                    .build());
        } catch (Exception e) {
            LOG.errorf("cannot keep dead letter %s on %s: %s", notification.id(), topics.deadLetters(), e.getMessage());
        }
    }

    private void forget(String notificationId) {
        try {
            deadLetters.delete(notificationId);
        } catch (Exception e) {
            LOG.warnf("cannot remove replayed dead letter %s: %s", notificationId, e.getMessage());
        }
    }

    /** Exponential from the initial backoff, capped, with jitter; a longer Retry-After wins. */
    Duration backoff(int attempt, Duration retryAfter) {
        long base = settings.initialBackoff().toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(base, settings.maxBackoff().toMillis());
        long jittered = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
        long wait = retryAfter == null ? jittered : Math.max(jittered, retryAfter.toMillis());
        return Duration.ofMillis(wait);
    }

    private void record(Notification notification, int attempt, Instant at, DeliveryOutcome outcome,
            Notifier.Result result, Duration wait) {
        AlertEvent alert = notification.lead();
        DeliveryAttempt delivery = DeliveryAttempt.newBuilder()
                .setNotificationId(notification.id())
                .setAlertKey(alert.getAlertKey())
                .setAlertSequence(alert.getSequence())
                .setAlertStatus(alert.getStatus())
                .setReceiver(notification.receiver().name())
                .setChannel(notification.receiver().type())
                .setAttempt(attempt)
                .setAt(at)
                .setOutcome(outcome)
                .setHttpStatus(result.httpStatus())
                .setMessage(result.message())
                .setNextAttemptAt(wait == null ? null : at.plus(wait))
                .setGroupKey(notification.groupKey())
                .setAlertKeys(notification.alerts().stream().map(AlertEvent::getAlertKey).toList())
                .build();
        var headers = CloudEventHeaders.of(notification.id() + "#" + attempt, "/hookline/processor",
                CloudEventHeaders.TYPE_PREFIX + "delivery." + outcome.name().toLowerCase(java.util.Locale.ROOT), at,
                alert.getJobKey());
        producer.send(new ProducerRecord<>(topics.deliveries(), null, notification.groupKey(), attempts.encode(delivery), headers),
                (metadata, error) -> {
                    if (error != null) {
                        LOG.warnf("cannot record a delivery attempt on %s: %s", topics.deliveries(), error.getMessage());
                    }
                });
    }

    void onStop(@Observes ShutdownEvent stop) {
        running = false;
        KafkaConsumer<String, byte[]> kafka = consumer;
        if (kafka != null) {
            kafka.wakeup();
        }
        if (loop != null) {
            try {
                loop.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (groups != null) {
            groups.close();
        }
        if (retries != null) {
            retries.shutdownNow();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (deadLetters != null) {
            deadLetters.close();
        }
        if (currentAlerts != null) {
            currentAlerts.close();
        }
    }
}
