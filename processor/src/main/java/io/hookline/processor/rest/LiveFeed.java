package io.hookline.processor.rest;

import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import io.hookline.processor.ProcessorConfig;
import io.hookline.runtime.topics.KeysOnly;
import io.hookline.schema.topics.Topics;

/**
 * {@code GET /api/live}: server-sent events that tell the dashboard what changed, so that it reloads what it shows
 * instead of polling. Every instance follows the committed ends of hookline.job-state, hookline.alerts,
 * hookline.silences and hookline.dead-letters (no consumer group, keys only), so a browser connected to any
 * instance hears of every job's change. Changes are gathered for a second and sent as one {@code change} event:
 * {@code {"jobs": [keys], "all": false, "alerts": true, "silences": false, "deadLetters": false}} ({@code all}
 * when more than {@value #MAX_KEYS} jobs changed). A comment every 15 s keeps proxies from closing the stream;
 * {@code X-Accel-Buffering: no} asks nginx not to buffer it.
 */
@ApplicationScoped
public class LiveFeed {

    public static final String PATH = "/api/live";
    static final int MAX_KEYS = 500;
    static final int MAX_CLIENTS = 500;
    static final Duration GATHER = Duration.ofSeconds(1);
    static final Duration HEARTBEAT = Duration.ofSeconds(15);
    private static final Logger LOG = Logger.getLogger(LiveFeed.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Topics topics;
    private final Map<String, Object> kafkaConfig;
    private final Vertx vertx;
    private final Set<HttpServerResponse> clients = new CopyOnWriteArraySet<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Object lock = new Object();
    private final Set<String> jobs = new LinkedHashSet<>();
    private boolean all;
    private boolean alerts;
    private boolean silences;
    private boolean deadLetters;
    private Thread reader;
    private KafkaConsumer<String, byte[]> consumer;
    /** Where the feed goes on when a browser comes; null while one watches. Read and written by the reader only. */
    private Map<TopicPartition, Long> idleFrom;

    public LiveFeed(ProcessorConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
            Vertx vertx, MeterRegistry metrics) {
        try {
            ZoneId.of(config.dashboard().timeZone());
        } catch (java.time.DateTimeException e) {
            throw new IllegalStateException("hookline.dashboard.time-zone '" + config.dashboard().timeZone()
                    + "' is not a time zone: give an IANA name such as Europe/Berlin, or UTC");
        }
        this.topics = new Topics(config.topics().prefix());
        this.kafkaConfig = kafkaConfig;
        this.vertx = vertx;
        Gauge.builder("hookline.dashboard.live.clients", clients, Set::size)
                .description("Browsers following /api/live").register(metrics);
    }

    void routes(@Observes Router router) {
        router.get(PATH).handler(this::open);
    }

    void onStart(@Observes StartupEvent start) {
        reader = new Thread(this::follow, "hookline-live-feed");
        reader.setDaemon(true);
        reader.start();
        vertx.setPeriodic(GATHER.toMillis(), id -> flush());
        vertx.setPeriodic(HEARTBEAT.toMillis(), id -> clients.forEach(client -> write(client, ": still here\n\n")));
    }

    void onStop(@Observes ShutdownEvent stop) {
        running.set(false);
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        clients.forEach(client -> {
            try {
                client.end();
            } catch (RuntimeException closed) {
                // already gone
            }
        });
    }

    private void open(RoutingContext ctx) {
        HttpServerResponse response = ctx.response();
        if (clients.size() >= MAX_CLIENTS) {
            response.setStatusCode(503).putHeader("Content-Type", "application/json").putHeader("Retry-After", "30")
                    .end("{\"error\":\"" + MAX_CLIENTS + " browsers already follow this instance's live feed; "
                            + "the dashboard falls back to reloading every 30 s\"}");
            return;
        }
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache, no-transform")
                .putHeader("X-Accel-Buffering", "no");
        clients.add(response);
        response.closeHandler(closed -> clients.remove(response));
        response.exceptionHandler(failed -> clients.remove(response));
        // Reconnect after 3 s if the stream breaks; the first event says the feed is there.
        write(response, "retry: 3000\nevent: hello\ndata: {}\n\n");
    }

    private void write(HttpServerResponse client, String text) {
        try {
            if (!client.closed() && !client.ended()) {
                client.write(text);
            } else {
                clients.remove(client);
            }
        } catch (RuntimeException gone) {
            clients.remove(client);
        }
    }

    /** What changed in the last second, to every browser. */
    private void flush() {
        Map<String, Object> change = new java.util.LinkedHashMap<>();
        synchronized (lock) {
            if (jobs.isEmpty() && !all && !alerts && !silences && !deadLetters) {
                return;
            }
            change.put("jobs", all ? List.of() : new ArrayList<>(jobs));
            change.put("all", all);
            change.put("alerts", alerts);
            change.put("silences", silences);
            change.put("deadLetters", deadLetters);
            jobs.clear();
            all = alerts = silences = deadLetters = false;
        }
        if (clients.isEmpty()) {
            return;
        }
        String text;
        try {
            text = "event: change\ndata: " + JSON.writeValueAsString(change) + "\n\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        clients.forEach(client -> write(client, text));
    }

    private void follow() {
        Map<String, Object> config = new java.util.HashMap<>(kafkaConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "hookline-live-feed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, KeysOnly.class.getName());
        KeysOnly.limitFetches(config);
        List<String> followed = List.of(topics.jobState(), topics.alerts(), topics.silences(), topics.deadLetters());
        while (running.get()) {
            try (KafkaConsumer<String, byte[]> kafka = new KafkaConsumer<>(config)) {
                consumer = kafka;
                Set<TopicPartition> assigned = new LinkedHashSet<>();
                long lookAgainAt = 0;
                while (running.get()) {
                    if (System.nanoTime() >= lookAgainAt) {
                        // Topics created after this instance started, or partitions added: followed from their end.
                        Set<TopicPartition> now = new LinkedHashSet<>();
                        boolean missing = false;
                        for (String topic : followed) {
                            List<org.apache.kafka.common.PartitionInfo> found = kafka.partitionsFor(topic,
                                    Duration.ofSeconds(10));
                            missing |= found.isEmpty();
                            found.forEach(p -> now.add(new TopicPartition(p.topic(), p.partition())));
                        }
                        if (!now.equals(assigned)) {
                            List<TopicPartition> added = now.stream().filter(p -> !assigned.contains(p)).toList();
                            kafka.assign(now);
                            kafka.seekToEnd(added);
                            assigned.clear();
                            assigned.addAll(now);
                        }
                        // A topic not there yet (Kafka Streams creates some as it starts): soon again.
                        lookAgainAt = System.nanoTime() + Duration.ofSeconds(missing ? 2 : 30).toNanos();
                    }
                    if (assigned.isEmpty()) {
                        java.util.concurrent.TimeUnit.SECONDS.sleep(1);
                        continue;
                    }
                    if (!watched(kafka, assigned)) {
                        java.util.concurrent.TimeUnit.SECONDS.sleep(1);
                        continue;
                    }
                    for (ConsumerRecord<String, byte[]> record : kafka.poll(Duration.ofSeconds(1))) {
                        note(record.topic(), record.key());
                    }
                }
            } catch (WakeupException | InterruptException stopping) {
                return;
            } catch (InterruptedException stopping) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warnf("the dashboard's live feed lost Kafka (%s); it follows again in 5 s", e.toString());
                try {
                    java.util.concurrent.TimeUnit.SECONDS.sleep(5);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Whether a browser follows the feed; nobody watching, the feed reads nothing (every job-state record passes
     * through it otherwise, a tenth of the processor's CPU in a replay). It notes the ends of the followed topics
     * every second meanwhile, and the first browser to come has the feed go on from the ends noted before it came:
     * a change between the page's first load and the feed's return is told too.
     */
    private boolean watched(KafkaConsumer<String, byte[]> kafka, Set<TopicPartition> assigned) {
        if (!clients.isEmpty()) {
            if (idleFrom != null) {
                idleFrom.forEach((partition, end) -> {
                    if (assigned.contains(partition)) {
                        kafka.seek(partition, end);
                    }
                });
                idleFrom = null;
            }
            return true;
        }
        // Taken before the look at the clients: a browser that comes after the look came after these ends.
        Map<TopicPartition, Long> ends;
        try {
            ends = kafka.endOffsets(assigned, Duration.ofSeconds(10));
        } catch (org.apache.kafka.common.errors.TimeoutException brokerAway) {
            // The broker does not answer: the ends noted last still come before any browser that comes now.
            return !clients.isEmpty() && watched(kafka, assigned);
        }
        if (clients.isEmpty()) {
            idleFrom = ends;
            return false;
        }
        return watched(kafka, assigned);
    }

    private void note(String topic, String key) {
        synchronized (lock) {
            if (topic.equals(topics.jobState())) {
                if (key != null && !all) {
                    jobs.add(key);
                    if (jobs.size() > MAX_KEYS) {
                        jobs.clear();
                        all = true;
                    }
                }
            } else if (topic.equals(topics.alerts())) {
                alerts = true;
            } else if (topic.equals(topics.silences())) {
                silences = true;
            } else {
                deadLetters = true;
            }
        }
    }
}
