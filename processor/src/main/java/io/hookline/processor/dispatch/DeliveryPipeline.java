package io.hookline.processor.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

import io.hookline.processor.ProcessorConfig;
import io.hookline.processor.chains.ChainLogic;
import io.hookline.processor.notify.Notification;
import io.hookline.processor.notify.Notifier;
import io.hookline.processor.notify.Receiver;
import io.hookline.processor.rules.Channels;
import io.hookline.processor.rules.RulesFile;
import io.hookline.processor.silences.Silences;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.cloudevents.CloudEventHeaders;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.DeadLetter;
import io.hookline.runtime.topics.CompactedTopicView;
import io.hookline.schema.topics.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * Alert delivery, built in this one place from its stages and started and stopped here: the {@link AlertFeed}
 * hands each step of hookline.alerts to the {@link Dispatcher} (routes, then {@link Groups}) and to the
 * {@link SilenceExpiry}; a group asks the {@link Muter}s (silences, then inhibitions) and sends through the
 * {@link RetryStage}, which logs every attempt ({@link DeliveryLog}) and ends in delivered or a {@link DeadLetters
 * dead letter}. Each stage is a plain object with its seams passed in, testable without Kafka.
 */
@ApplicationScoped
public class DeliveryPipeline {

    private static final Logger LOG = Logger.getLogger(DeliveryPipeline.class);

    private final Map<String, Notifier> channels = new HashMap<>();
    private final List<AutoCloseable> running = new ArrayList<>();
    private RulesFile rules;
    private Silences silences;
    private Map<String, Object> kafkaConfig;
    private ProcessorConfig.Delivery settings;
    private Optional<String> instanceId;
    private Topics topics;
    private Links links;
    private DeadLetters deadLetters;
    private TestMessages testMessages;
    private volatile RetryStage retries;
    private volatile AlertFeed alertFeed;
    private volatile CommandFeed commandFeed;
    private MeterRegistry metrics;

    void onStart(@Observes StartupEvent start, ProcessorConfig config, RulesFile rules, Instance<Notifier> notifiers,
            Silences silences, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
            MeterRegistry metrics) {
        this.metrics = metrics;
        notifiers.forEach(n -> channels.put(n.type(), n));
        Set<String> missing = new TreeSet<>(Channels.types());
        missing.removeAll(channels.keySet());
        if (!missing.isEmpty()) {
            throw new IllegalStateException("channels without a notifier: " + missing);
        }
        this.rules = rules;
        this.silences = silences;
        this.kafkaConfig = kafkaConfig;
        this.settings = config.delivery();
        this.instanceId = config.instanceId().filter(id -> !id.isBlank());
        atLeastOne("hookline.delivery.threads", settings.threads());
        atLeastOne("hookline.delivery.per-receiver", settings.perReceiver());
        this.links = Links.of(config.publicUrl());
        this.testMessages = new TestMessages(channels, links);
        this.topics = new Topics(config.topics().prefix());
        for (String topic : List.of(topics.alerts(), topics.commands())) {
            Gauge.builder("hookline.delivery.stopped", this, pipeline -> pipeline.readFailures().containsKey(topic) ? 1 : 0)
                    .description("1 while alert delivery's consumer of the topic has stopped and waits to read it again "
                            + "(nothing of it goes out meanwhile); 0 while it reads, or delivery is off")
                    .tag("topic", topic).register(metrics);
        }
        atLeastOne("hookline.delivery.dead-letters.max", settings.deadLetters().max());
        if (settings.deadLetters().maxBytes().asLongValue() < 1) {
            throw new IllegalArgumentException("hookline.delivery.dead-letters.max-bytes must be at least 1 byte, not "
                    + settings.deadLetters().maxBytes().asLongValue());
        }
        deadLetters = open(DeadLetters.open(topics.deadLetters(), kafkaConfig, settings.deadLetters().max(),
                settings.deadLetters().maxBytes().asLongValue(), metrics));
        startIfReceivers();
    }

    /**
     * With hookline.instance-id the delivery's consumers are static members of their groups, as the stream thread
     * is: a processor restarted after a crash gets its partitions of hookline.alerts back at once, where a new member
     * waited for the dead one's session to expire (45 s without an alert going out; measured in ChainsTest).
     */
    private void staticMember(Map<String, Object> consumerConfig, String consumer) {
        instanceId.ifPresentOrElse(id -> consumerConfig.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id + "-" + consumer),
                () -> consumerConfig.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG));
    }

    /** A count setting below 1 stops the start with a sentence naming it. */
    static void atLeastOne(String setting, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(setting + " must be at least 1, not " + value);
        }
    }

    /** The rules were reloaded: delivery starts now if it did not run for want of receivers. */
    public void rulesChanged() {
        startIfReceivers();
    }

    private synchronized void startIfReceivers() {
        if (retries != null) {
            return;
        }
        if (!settings.enabled()) {
            LOG.info("delivery is off (hookline.delivery.enabled=false): alerts stay on hookline.alerts and in /api/alerts");
            return;
        }
        if (rules.current().receivers().isEmpty()) {
            LOG.info("no receivers in the rules: alerts stay on hookline.alerts and in /api/alerts");
            return;
        }
        // hookline.alerts is followed (not held: the inhibitor keeps what fires) only once the rules have inhibitions.
        Inhibitor inhibitor = new Inhibitor(rules, onRecord -> open(
                CompactedTopicView.follow(topics.alerts(), AlertEvent.class, kafkaConfig, onRecord)));
        Muter muter = Muter.firstOf(List.of(new SilenceMuter(silences), inhibitor));
        KafkaProducer<String, byte[]> producer = io.hookline.runtime.topics.Producers.acknowledged(kafkaConfig,
                "hookline-deliveries");
        open((AutoCloseable) () -> producer.close(Duration.ofSeconds(5)));
        DeliveryLog log = DeliveryLog.onTopic(producer, topics.deliveries()).counted(metrics);
        // The timer only waits out backoffs; attempts run on the sending threads, a bulkhead per receiver.
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "hookline-delivery-timer"));
        open((AutoCloseable) timer::shutdownNow);
        ExecutorService sending = Executors.newFixedThreadPool(settings.threads(), r -> new Thread(r, "hookline-delivery"));
        open((AutoCloseable) sending::shutdownNow);
        // A webhook action's end is also a run of its job: delivered or given up, it goes to hookline.events.
        RetryStage.Ending ending = new RetryStage.Ending() {
            @Override
            public void gaveUp(Notification notification, int attempts, Notifier.Result last, Instant at)
                    throws CompactedTopicView.NotConfirmed {
                deadLetters.gaveUp(notification, attempts, last, at);
                commandEnded(producer, notification, false, last, attempts, at);
            }

            @Override
            public void delivered(Notification notification) throws CompactedTopicView.NotConfirmed {
                deadLetters.delivered(notification);
                commandEnded(producer, notification, true, null, 0, Instant.now());
            }
        };
        RetryStage retry = new RetryStage(channels, log, ending, timer, sending, settings.perReceiver(),
                settings.initialBackoff(), settings.maxBackoff());
        Groups groups = open(new Groups(new Groups.Channel() {
            @Override
            public Muted muted(AlertEvent alert) {
                return muter.muted(alert, Instant.now()).orElse(null);
            }

            @Override
            public void recordMuted(Notification notification, Muted muted) {
                log.record(notification, 0, Instant.now(), muted.outcome(), Notifier.Result.giveUp(null, muted.message()),
                        null);
            }

            @Override
            public CompletableFuture<Void> send(Notification notification) {
                return retry.send(notification.withLink(links.to(notification.groupKey())));
            }
        }));
        Map<String, Object> consumerConfig = new HashMap<>(kafkaConfig);
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, settings.group());
        consumerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, "hookline-dispatcher");
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        staticMember(consumerConfig, "dispatcher");
        AlertFeed feed = open(new AlertFeed(topics.alerts(), consumerConfig, rules.current().repeats(),
                List.of(new Dispatcher(rules, groups, inhibitor), open(new SilenceExpiry(silences)))));
        feed.start();
        alertFeed = feed;
        Map<String, Object> commandsConfig = new HashMap<>(consumerConfig);
        commandsConfig.put(ConsumerConfig.GROUP_ID_CONFIG, settings.group() + "-webhook-actions");
        commandsConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, "hookline-webhook-actions");
        staticMember(commandsConfig, "webhook-actions");
        CommandFeed commands = open(new CommandFeed(topics.commands(), commandsConfig, rules::current, retry::send, timer));
        commands.start();
        commandFeed = commands;
        retries = retry;
    }

    /**
     * Records a webhook action's end as a run of its job, once Kafka confirmed it: when it does not, within the views'
     * write time-out, the ending is taken again (RetryStage), so the run is never left running for want of its end.
     * The event's id is the command's own, so a record that Kafka wrote after all is folded once.
     */
    private void commandEnded(KafkaProducer<String, byte[]> producer, Notification notification, boolean delivered,
            Notifier.Result last, int attempts, Instant at) throws CompactedTopicView.NotConfirmed {
        if (notification.command() == null) {
            return;
        }
        BackupEvent event = ChainLogic.webhookEnded(notification.command(), delivered,
                last == null ? null : last.httpStatus(), last == null ? null : last.message(), attempts, at);
        try {
            CompactedTopicView.confirmed(topics.events(), event.getJobKey(), producer.send(new ProducerRecord<>(
                    topics.events(), null, at.toEpochMilli(), event.getJobKey(), AvroSerde.of(BackupEvent.class)
                            .encode(event), CloudEventHeaders.forEvent(event))));
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new CompactedTopicView.NotConfirmed(topics.events(), event.getJobKey(), e);
        }
    }

    /**
     * Why delivery does not read a topic now, by topic (its consumer stopped and is started again after a
     * backoff); empty while it reads both, or does not run.
     */
    public Map<String, String> readFailures() {
        Map<String, String> failures = new TreeMap<>();
        AlertFeed alerts = alertFeed;
        CommandFeed commands = commandFeed;
        if (alerts != null && alerts.failure() != null) {
            failures.put(topics.alerts(), alerts.failure());
        }
        if (commands != null && commands.failure() != null) {
            failures.put(topics.commands(), commands.failure());
        }
        return failures;
    }

    /** Sends a test message to a receiver once, now, and says what happened. */
    public Notifier.Result test(Receiver receiver, AlertEvent sample) {
        return testMessages.send(receiver, sample);
    }

    /** The receiver of that name in the rules in force. */
    public Optional<Receiver> receiver(String name) {
        return rules.current().receiver(name);
    }

    /** The notifications given up on, oldest first. */
    public List<DeadLetter> deadLetters() {
        return deadLetters.all();
    }

    /**
     * Sends a dead letter again, with the same idempotency key and a fresh round of attempts; delivered, it leaves
     * the dead letters. Answers false when there is no such dead letter or its receiver is no longer in the rules.
     * One already on its way again is not sent twice (a double click).
     */
    public boolean replay(String notificationId) throws Exception {
        if (!replayable(notificationId)) {
            return false;
        }
        if (deadLetters.claim(notificationId)) {
            send(notificationId);
        }
        return true;
    }

    private boolean replayable(String notificationId) {
        DeadLetter dead = deadLetters.get(notificationId).orElse(null);
        return dead != null && retries != null && rules.current().receiver(dead.getReceiver()).isPresent();
    }

    /** Sends a claimed dead letter again; when it cannot go, it is released for a later replay. */
    private void send(String notificationId) throws Exception {
        try {
            DeadLetter dead = deadLetters.get(notificationId).orElse(null);
            Receiver receiver = dead == null ? null : rules.current().receiver(dead.getReceiver()).orElse(null);
            RetryStage retry = retries;
            if (receiver == null || retry == null) {
                deadLetters.release(notificationId);
                return;
            }
            deadLetters.replaying(dead);
            List<AlertEvent> alerts = dead.getAlerts().isEmpty() ? List.of(dead.getAlert()) : dead.getAlerts();
            String groupKey = dead.getGroupKey() == null ? dead.getAlert().getAlertKey() : dead.getGroupKey();
            retry.send(dead.getCommand() != null ? Notification.forCommand(receiver, dead.getCommand())
                    : new Notification(notificationId, receiver, groupKey, dead.getGroupLabels(), alerts, false,
                            links.to(groupKey)));
        } catch (Exception | Error e) {
            deadLetters.release(notificationId);
            throw e;
        }
    }

    /**
     * Replays every dead letter, or every one of {@code receiverName}, whose receiver is still in the rules and that
     * is not on its way again already: oldest first, one after the other on a thread of its own (each is written
     * back with its count of replays before it goes), so that the call answers at once however many there are.
     * Answers how many will go; the same call again at once answers 0.
     */
    public int replayAll(String receiverName) {
        List<String> ids = deadLetters.all().stream()
                .filter(dead -> receiverName == null || receiverName.equals(dead.getReceiver()))
                .map(DeadLetter::getNotificationId)
                .filter(id -> replayable(id) && deadLetters.claim(id)).toList();
        if (ids.isEmpty()) {
            return 0;
        }
        replaying().execute(() -> {
            int sent = 0;
            for (String id : ids) {
                try {
                    send(id);
                    sent++;
                } catch (Exception e) {
                    LOG.warnf("cannot replay dead letter %s: %s", id, e.getMessage());
                }
            }
            LOG.infof("replaying %d of %d dead letters%s", sent, ids.size(),
                    receiverName == null ? "" : " of receiver " + receiverName);
        });
        return ids.size();
    }

    private java.util.concurrent.ExecutorService replayer;

    private synchronized java.util.concurrent.ExecutorService replaying() {
        if (replayer == null) {
            replayer = java.util.concurrent.Executors.newSingleThreadExecutor(task -> {
                Thread thread = new Thread(task, "hookline-dead-letter-replay");
                thread.setDaemon(true);
                return thread;
            });
            java.util.concurrent.ExecutorService executor = replayer;
            open(() -> executor.shutdownNow());
        }
        return replayer;
    }

    private <T extends AutoCloseable> T open(T stage) {
        synchronized (running) {
            running.add(stage);
        }
        return stage;
    }

    /** Stops the stages in the reverse order of their start: the feed first, the producer last. */
    void onStop(@Observes ShutdownEvent stop) {
        List<AutoCloseable> stages;
        synchronized (running) {
            stages = List.copyOf(running);
        }
        for (int i = stages.size() - 1; i >= 0; i--) {
            try {
                stages.get(i).close();
            } catch (Exception e) {
                LOG.warnf("stopping delivery: %s", e.getMessage());
            }
        }
    }
}
