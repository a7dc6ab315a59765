package io.hookline.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.hookline.devstack.LocalKafka;
import io.hookline.runtime.topics.TopicBootstrap;
import io.hookline.schema.AlertCondition;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.EventType;
import io.hookline.schema.RestorePoint;
import io.hookline.schema.RunOutcome;
import io.hookline.schema.SourceKind;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.topics.Topics;

/**
 * The processor at scale, on a real broker, as separate JVMs:
 * <ol>
 * <li><b>Replay</b>: {@code --events} events (default 1,000,000) of {@code --jobs} jobs (100,000) are written to
 * hookline.events; a new processor (empty state) folds them; the time until its committed offsets reach the end,
 * against Kafka's ConsumerPerformance reading the same topic on the same broker and against Kafka Streams folding
 * it on its own ({@link StreamsFoldPeer}).</li>
 * <li><b>Deadlines</b>: another {@code --jobs} jobs each succeed once, dated so that their schedules' deadlines fall
 * evenly over {@code --window} seconds, starting {@code --lead} seconds after they were written; how late each missed
 * alert reaches a read-committed consumer of hookline.alerts after its deadline (p50/p99/max).</li>
 * <li><b>Idle and memory</b>: the processor's CPU over 30 s with nothing due, its heap after a GC and its RSS, with
 * every job of both phases in its state.</li>
 * <li><b>Restore</b>: the processor stopped, its state folder deleted (a new pod on a new volume) and started again:
 * the time until Kafka Streams runs again, its stores rebuilt from their changelogs, against ConsumerPerformance
 * reading the largest changelog; then how long hooks sent from that moment on, one every 100 ms, take to be folded.</li>
 * </ol>
 */
public final class ProcessorAtScale {

    static final Duration EVERY = Duration.ofMinutes(10);
    static final Duration GRACE = Duration.ofMinutes(1);

    static final String USAGE = "bench/processor [--jobs 100000] [--events 1000000] [--lead 60] [--window 60] [--processor-heap 256m]";

    public static void main(String[] args) throws Exception {
        BenchOptions.run(USAGE, args, ProcessorAtScale::bench);
    }

    static void bench(BenchOptions options) throws Exception {
        Path root = options.root();
        int jobs = options.count("jobs", 100_000, 1, 1_000_000);
        int events = options.count("events", 1_000_000, jobs, 100_000_000);
        int lead = options.count("lead", 60, 1, 3600);
        int window = options.count("window", 60, 1, 86_400);
        String heap = options.heap("processor-heap", "256m");
        Path work = WorkDir.create("hookline-bench-processor-");
        Path rules = work.resolve("rules.yaml");
        Files.writeString(rules, """
                jobs:
                  - match: "due/*"
                    schedule: {every: %dm, grace: %dm}
                """.formatted(EVERY.toMinutes(), GRACE.toMinutes()));

        LocalKafka kafka = WorkDir.broker(work);
        Process processor = null;
        try {
            kafka.start(Duration.ofSeconds(120));
            Topics topics = Topics.withDefaultPrefix();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                TopicBootstrap.ensure(admin, topics.specs(-1), 3, (short) 1, 30_000);
            }
            long written = System.nanoTime();
            int size = write(kafka, topics.events(), replayEvents(jobs, events));
            System.out.printf(Locale.ROOT, "wrote %,d events of %,d jobs (%d bytes each) in %.1f s%n", events, jobs, size,
                    (System.nanoTime() - written) / 1e9);

            String peer = consumerPerformance(kafka, topics.events(), events, "bench-consumer-performance");
            double peerRate = Double.parseDouble(peer.split(",")[5].trim());
            double streamsSeconds = streamsFold(kafka, work, topics.events(), heap);
            System.out.printf(Locale.ROOT, "Kafka Streams on its own caught up after %.1f s (%,.0f events/s)%n",
                    streamsSeconds, events / streamsSeconds);

            int port = LocalKafka.freePort();
            long launched = System.nanoTime();
            processor = startProcessor(root, work, kafka, port, rules, heap);
            HttpClient client = HttpClient.newHttpClient();
            long caughtUp = awaitCaughtUp(kafka, topics.events(), "hookline-processor", processor,
                    Duration.ofMinutes(30));
            double replaySeconds = (caughtUp - launched) / 1e9;
            System.out.printf(Locale.ROOT, "replay caught up after %.1f s (%,.0f events/s)%n", replaySeconds,
                    events / replaySeconds);

            Instant firstDeadline = Instant.now().plusSeconds(lead);
            write(kafka, topics.events(), dueEvents(jobs, firstDeadline, Duration.ofSeconds(window)));
            long[] late = missedAlerts(kafka, topics.alerts(), jobs, firstDeadline, Duration.ofSeconds(window),
                    Duration.ofSeconds(lead + window + 120L));

            TimeUnit.SECONDS.sleep(10);
            Map<String, Double> threadsBefore = threadCpuMs(processor.pid());
            double idle = cpuShare(processor.pid(), Duration.ofSeconds(30));
            List<String> idleThreads = busiestThreads(threadsBefore, threadCpuMs(processor.pid()), 30_000, 12);
            long[] memory = AgentLongPolls.memory(client, port, processor.pid());
            String[] scrape = scrape(client, port);
            String firingList = firingAlerts(client, port);
            String overview = overview(client, port);
            List<String> filtered = filteredLists(client, port);

            // Restore: the processor loses its local state (a new pod on a new volume) and rebuilds it from the
            // changelogs before it folds again.
            processor.destroy();
            if (!processor.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the processor did not stop within 60 s of SIGTERM");
            }
            Map<String, Long> changelogs = changelogEnds(kafka);
            WorkDir.delete(work.resolve("processor-state"));
            long relaunched = System.nanoTime();
            processor = startProcessor(root, work, kafka, port, rules, heap);
            double restoreSeconds = (awaitStreamsRunning(client, port, processor, Duration.ofMinutes(30)) - relaunched)
                    / 1e9;
            long[] afterRestore = foldTimes(kafka, topics, "restart/esxi0/probe-", PROBES, () -> { });
            // A reload of the rules (another grace for every due/* job): every job's deadline is read again.
            Files.writeString(rules, """
                    jobs:
                      - match: "due/*"
                        schedule: {every: %dm, grace: %dm}
                    """.formatted(EVERY.toMinutes(), GRACE.toMinutes() + 1));
            int[] reloadStatus = new int[1];
            long[] acrossReload = foldTimes(kafka, topics, "reload/esxi0/probe-", RELOAD_PROBES,
                    () -> reloadStatus[0] = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/api/rules/reload")).header("Authorization", "Bearer " + OPERATE_TOKEN)
                            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString())
                            .statusCode());
            String largest = changelogs.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            // The log's offsets also count one transaction marker per partition and commit: ask for a little less.
            String changelogPeer = consumerPerformance(kafka, largest, (int) (changelogs.get(largest) * 0.95),
                    "bench-consumer-performance-changelog");
            double changelogPeerRate = Double.parseDouble(changelogPeer.split(",")[5].trim());
            long restoredRecords = changelogs.values().stream().mapToLong(Long::longValue).sum();

            long received = Arrays.stream(late).filter(l -> l != Long.MIN_VALUE).count();
            long[] seen = Arrays.stream(late).filter(l -> l != Long.MIN_VALUE).sorted().toArray();
            System.out.println();
            System.out.printf(Locale.ROOT, "Replay: a new processor folded %,d events of %,d jobs from hookline.events%n",
                    events, jobs);
            System.out.printf(Locale.ROOT, "  %.1f s from launch to its committed offsets at the end: %,.0f events/s "
                    + "(JVM start and restore included)%n", replaySeconds, events / replaySeconds);
            System.out.println("Kafka ConsumerPerformance, same topic, same broker:");
            System.out.println("  " + peer.strip());
            System.out.printf(Locale.ROOT, "Ratio: processor events/s / consumer records/s = %.3f%n",
                    events / replaySeconds / peerRate);
            System.out.println("Kafka Streams on its own, same topic, same broker: each event into a RocksDB store (and its"
                    + " changelog) and to a topic, exactly-once v2, a commit every " + peerCommitInterval()
                    + " ms, batches of up to 256 kB"
                    + " lingering 5 ms, stream threads as the processor's:");
            System.out.printf(Locale.ROOT, "  %.1f s from launch: %,.0f events/s%n", streamsSeconds,
                    events / streamsSeconds);
            System.out.printf(Locale.ROOT, "Ratio: processor events/s / Kafka Streams events/s = %.3f%n",
                    streamsSeconds / replaySeconds);
            System.out.printf(Locale.ROOT, "Deadlines: %,d more jobs due over %d s (%,.0f a second), %,d jobs in all%n",
                    jobs, window, jobs / (double) window, 2 * jobs);
            System.out.printf(Locale.ROOT, "  missed alerts read (read_committed): %,d of %,d%n", received, jobs);
            if (seen.length > 0) {
                System.out.printf(Locale.ROOT, "  after the deadline: p50 %d ms, p99 %d ms, max %d ms%n",
                        percentile(seen, 50), percentile(seen, 99), seen[seen.length - 1]);
            }
            System.out.printf(Locale.ROOT, "Idle with %,d jobs, nothing due: %.2f %% of a core over 30 s%n", 2 * jobs,
                    idle * 100);
            System.out.println("  the busiest threads (jcmd Thread.print's cpu= before and after):");
            idleThreads.forEach(line -> System.out.println("    " + line));
            System.out.printf(Locale.ROOT, "Memory with %,d jobs (-Xmx%s): heap after GC %.1f MB, RSS %.1f MB%n",
                    2 * jobs, heap, memory[0] / 1e6, memory[1] / 1e6);
            System.out.printf(Locale.ROOT, "A Prometheus scrape of /q/metrics with the missed alerts open: %s; %s%n",
                    scrape[0], scrape[1]);
            System.out.println("The dashboard's firing alerts (GET /api/alerts?status=firing&limit=100) with them open: "
                    + firingList);
            System.out.println("The dashboard's overview with " + String.format(Locale.ROOT, "%,d", 2 * jobs)
                    + " jobs (its three requests, in parallel as the page makes them): " + overview);
            System.out.println("Filtered lists with " + String.format(Locale.ROOT, "%,d", 2 * jobs) + " jobs:");
            filtered.forEach(line -> System.out.println("  " + line));
            System.out.printf(Locale.ROOT, "Restore: the processor stopped, its state folder deleted, started again:"
                    + " %,d jobs rebuilt from %d changelogs (%,d records up to their ends, %s the largest)%n", 2 * jobs,
                    changelogs.size(), restoredRecords, largest);
            System.out.printf(Locale.ROOT, "  %.1f s from launch until Kafka Streams runs again: %,.0f records/s "
                    + "(JVM start included)%n", restoreSeconds, restoredRecords / restoreSeconds);
            long[] probes = afterRestore.clone();
            Arrays.sort(probes);
            System.out.printf(Locale.ROOT, "  %d hooks sent from then on, one every %d ms: %d folded (hookline.job-state,"
                    + " read committed), the first %s after its sending, the slowest %s, median %s%n", probes.length,
                    PROBE_EVERY.toMillis(), Arrays.stream(probes).filter(ms -> ms != Long.MIN_VALUE).count(),
                    millis(afterRestore[0]), millis(probes[probes.length - 1]), millis(probes[probes.length / 2]));
            long[] reloadProbes = acrossReload.clone();
            Arrays.sort(reloadProbes);
            System.out.printf(Locale.ROOT, "Reload of the rules (POST /api/rules/reload answered %d; every job's deadline"
                    + " read again) with %,d jobs: %d hooks sent across it, one every %d ms, the reload after the"
                    + " fifth: %d folded, the slowest %s after its sending, median %s%n", reloadStatus[0], 2 * jobs,
                    reloadProbes.length, PROBE_EVERY.toMillis(),
                    Arrays.stream(reloadProbes).filter(ms -> ms != Long.MIN_VALUE).count(),
                    millis(reloadProbes[reloadProbes.length - 1]), millis(reloadProbes[reloadProbes.length / 2]));
            System.out.println("Kafka ConsumerPerformance on " + largest + ":");
            System.out.println("  " + changelogPeer.strip());
            System.out.printf(Locale.ROOT, "Ratio: restored records/s / consumer records/s = %.3f%n",
                    restoredRecords / restoreSeconds / changelogPeerRate);
        } finally {
            if (processor != null) {
                processor.destroy();
                processor.waitFor(30, TimeUnit.SECONDS);
            }
            kafka.stop();
        }
    }

    /** How often a hook is sent once the restored processor runs again, and how many. */
    static final Duration PROBE_EVERY = Duration.ofMillis(100);
    static final int PROBES = 30;
    /** Across a reload: 10 s of hooks, as the processor sees a reload at its next check, within 5 s. */
    static final int RELOAD_PROBES = 100;

    /**
     * {@code probes} hooks, one every {@link #PROBE_EVERY} from now (the moment the restored processor runs again),
     * each of a job of its own, {@code afterFifth} run once the fifth is sent: how long each took from its sending to
     * its job's state on hookline.job-state (read committed), in ms, in the order sent; Long.MIN_VALUE for one not seen
     * within a minute. What a restart or a reload holds up shows here: work the stream thread does (indexing every job
     * it restored, reading every job again with new rules) before it folds what came meanwhile.
     */
    static long[] foldTimes(LocalKafka kafka, Topics topics, String prefix, int probes, Step afterFifth)
            throws Exception {
        long[] sentAt = new long[probes];
        long[] took = new long[probes];
        Arrays.fill(took, Long.MIN_VALUE);
        AvroSerde<BackupEvent> serde = AvroSerde.of(BackupEvent.class);
        try (KafkaConsumer<String, byte[]> states = new KafkaConsumer<>(Map.of("bootstrap.servers",
                kafka.bootstrapServers(), "isolation.level", "read_committed"), new StringDeserializer(),
                new ByteArrayDeserializer());
                KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                        kafka.bootstrapServers(), "acks", "all", "linger.ms", 0), new StringSerializer(),
                        new ByteArraySerializer())) {
            List<TopicPartition> partitions = states.partitionsFor(topics.jobState()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            states.assign(partitions);
            states.seekToEnd(partitions);
            partitions.forEach(states::position);
            long until = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            long next = System.nanoTime();
            int sent = 0;
            int seen = 0;
            while (seen < probes && System.nanoTime() < until) {
                if (sent < probes && System.nanoTime() >= next) {
                    BackupEvent hook = succeeded(prefix + sent, "1", Instant.now());
                    sentAt[sent] = System.nanoTime();
                    producer.send(new ProducerRecord<>(topics.events(), hook.getJobKey(), serde.encode(hook)));
                    sent++;
                    next += PROBE_EVERY.toNanos();
                    if (sent == 5) {
                        afterFifth.run();
                    }
                }
                for (ConsumerRecord<String, byte[]> record : states.poll(Duration.ofMillis(5))) {
                    if (record.key() != null && record.key().startsWith(prefix)) {
                        int i = Integer.parseInt(record.key().substring(prefix.length()));
                        if (took[i] == Long.MIN_VALUE) {
                            took[i] = (System.nanoTime() - sentAt[i]) / 1_000_000;
                            seen++;
                        }
                    }
                }
            }
        }
        return took;
    }

    /** Something done while hooks are being sent (a reload of the rules). */
    interface Step {
        void run() throws Exception;
    }

    static String millis(long ms) {
        return ms == Long.MIN_VALUE ? "not within a minute" : ms + " ms";
    }

    /** Ten scrapes of /q/metrics, as Prometheus does: their median and slowest time, and the firing gauge's line. */
    static String[] scrape(HttpClient client, int port) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics")).build();
        long[] nanos = new long[10];
        String body = "";
        for (int i = 0; i < nanos.length; i++) {
            long start = System.nanoTime();
            body = client.send(request, HttpResponse.BodyHandlers.ofString()).body();
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        String firing = body.lines().filter(line -> line.startsWith("hookline_alerts_firing")).findFirst()
                .orElse("hookline_alerts_firing missing");
        return new String[] { String.format(Locale.ROOT, "median %.1f ms, slowest %.1f ms of 10", nanos[5] / 1e6,
                nanos[9] / 1e6), firing };
    }

    /**
     * Ten requests for the firing alerts as the dashboard's overview makes them: the median and slowest time, the
     * size of the answer and how many alerts it lists of how many firing.
     */
    static String firingAlerts(HttpClient client, int port) throws Exception {
        return timed(client, port, "/api/alerts?status=firing&limit=100", "alertKey", "alerts");
    }

    /**
     * Ten requests for {@code path}: the median and slowest time, the size of the answer, how many {@code things} it
     * lists (entries with the field {@code key}) of how many X-Total-Count says match.
     */
    static String timed(HttpClient client, int port, String path, String key, String things) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + API_TOKEN).build();
        long[] nanos = new long[10];
        HttpResponse<String> answer = null;
        for (int i = 0; i < nanos.length; i++) {
            long start = System.nanoTime();
            answer = client.send(request, HttpResponse.BodyHandlers.ofString());
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        if (answer.statusCode() != 200) {
            return "answered " + answer.statusCode() + ": " + answer.body();
        }
        long listed = Pattern.compile(Pattern.quote("\"" + key + "\":")).matcher(answer.body()).results().count();
        return String.format(Locale.ROOT, "median %.1f ms, slowest %.1f ms of 10; %,d bytes listing %,d %s of %s",
                nanos[5] / 1e6, nanos[9] / 1e6, answer.body().length(), listed, things,
                answer.headers().firstValue("X-Total-Count").orElse("(no X-Total-Count)"));
    }

    /**
     * The lists an operator filters, each timed as {@link #timed}: the dashboard's status buttons (a status most jobs
     * have and one none has), one host of a hundred, a source, the search box, a job's alerts (its page asks for
     * them) and the agents page.
     */
    static List<String> filteredLists(HttpClient client, int port) throws Exception {
        List<String> lines = new ArrayList<>();
        for (String path : List.of("/api/jobs?status=failing&limit=50&calendar=14&tz=UTC",
                "/api/jobs?status=running&limit=50&calendar=14&tz=UTC",
                "/api/jobs?host=esxi7&limit=50&calendar=14&tz=UTC",
                "/api/jobs?host=esxi7&status=ok&limit=50&calendar=14&tz=UTC",
                "/api/jobs?source=due&limit=50&calendar=14&tz=UTC",
                "/api/jobs?q=job-4242&limit=50&calendar=14&tz=UTC")) {
            lines.add(path + ": " + timed(client, port, path, "jobKey", "jobs"));
        }
        String oneJob = "/api/alerts?job="
                + java.net.URLEncoder.encode(dueJob(4242), java.nio.charset.StandardCharsets.UTF_8);
        lines.add(oneJob + " (a job's page): " + timed(client, port, oneJob, "alertKey", "alerts"));
        String agents = timed(client, port, "/api/agents", "agent", "agents");
        lines.add("/api/agents: " + agents.replace(" of (no X-Total-Count)", ""));
        return lines;
    }

    /**
     * Ten loads of the dashboard's overview as the page makes them: the first page of 50 jobs with their fortnight,
     * the counts by status, source, kind and host, and the latest firing alerts, in parallel; the median and slowest
     * time until all three answered, and each request's median on its own.
     */
    static String overview(HttpClient client, int port) throws Exception {
        List<String> paths = List.of("/api/jobs?limit=50&calendar=14&tz=UTC", "/api/jobs/summary",
                "/api/alerts?status=firing&limit=100");
        long[] together = new long[10];
        long[][] alone = new long[paths.size()][10];
        for (int i = 0; i < together.length; i++) {
            long start = System.nanoTime();
            List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (String path : paths) {
                answers.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("Authorization", "Bearer " + API_TOKEN).build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (var answer : answers) {
                if (answer.get().statusCode() != 200) {
                    return "answered " + answer.get().statusCode() + ": " + answer.get().body();
                }
            }
            together[i] = System.nanoTime() - start;
        }
        for (int p = 0; p < paths.size(); p++) {
            for (int i = 0; i < 10; i++) {
                long start = System.nanoTime();
                client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + paths.get(p)))
                        .header("Authorization", "Bearer " + API_TOKEN).build(), HttpResponse.BodyHandlers.discarding());
                alone[p][i] = System.nanoTime() - start;
            }
            Arrays.sort(alone[p]);
        }
        Arrays.sort(together);
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "median %.1f ms, slowest %.1f ms of 10",
                together[5] / 1e6, together[9] / 1e6));
        for (int p = 0; p < paths.size(); p++) {
            line.append(String.format(Locale.ROOT, "; %s alone %.1f ms", paths.get(p), alone[p][5] / 1e6));
        }
        return line.toString();
    }

    /** {@code events} events over {@code jobs} jobs, round robin: each a successful run with a restore point. */
    static Iterable<BackupEvent> replayEvents(int jobs, int events) {
        Instant start = Instant.now().minus(Duration.ofDays(1));
        return () -> new java.util.Iterator<>() {
            int next;

            @Override
            public boolean hasNext() {
                return next < events;
            }

            @Override
            public BackupEvent next() {
                int i = next++;
                int job = i % jobs;
                int run = i / jobs;
                return succeeded("bench/esxi" + (job % 100) + "/job-" + job, "r" + run,
                        start.plusSeconds(60L * run + job % 60));
            }
        };
    }

    /** One success per job, dated so that job i is due at {@code first + i * window / jobs}. */
    static Iterable<BackupEvent> dueEvents(int jobs, Instant first, Duration window) {
        List<BackupEvent> due = new ArrayList<>(jobs);
        for (int i = 0; i < jobs; i++) {
            Instant deadline = deadline(i, jobs, first, window);
            due.add(succeeded(dueJob(i), "d" + i, deadline.minus(EVERY).minus(GRACE)));
        }
        return due;
    }

    static String dueJob(int i) {
        return "due/esxi" + (i % 100) + "/job-" + i;
    }

    static Instant deadline(int i, int jobs, Instant first, Duration window) {
        return first.plusNanos(window.toNanos() / jobs * i);
    }

    static BackupEvent succeeded(String jobKey, String runId, Instant at) {
        String[] parts = jobKey.split("/");
        return BackupEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setReceivedAt(at)
                .setSourceKind(SourceKind.XSIBACKUP).setSourceName(parts[0]).setHost(parts[1]).setJob(parts[2])
                .setJobKey(jobKey).setRunId(runId).setType(EventType.RUN_SUCCEEDED).setOutcome(RunOutcome.SUCCEEDED)
                .setDurationMs(347_000L).setBytes(52_428_800L)
                .setRestorePoint(RestorePoint.newBuilder().setId("rp-" + runId).setCreatedAt(at).build()).build();
    }

    static int write(LocalKafka kafka, String topic, Iterable<BackupEvent> events) throws Exception {
        AvroSerde<BackupEvent> serde = AvroSerde.of(BackupEvent.class);
        int size = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                kafka.bootstrapServers(), "acks", "all", "linger.ms", 20, "batch.size", 262_144, "compression.type",
                "none"), new StringSerializer(), new ByteArraySerializer())) {
            for (BackupEvent event : events) {
                byte[] value = serde.encode(event);
                size = value.length;
                producer.send(new ProducerRecord<>(topic, event.getJobKey(), value));
            }
            producer.flush();
        }
        return size;
    }

    static String consumerPerformance(LocalKafka kafka, String topic, int records, String group) throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), "org.apache.kafka.tools.ConsumerPerformance",
                "--bootstrap-server", kafka.bootstrapServers(), "--topic", topic, "--messages", Integer.toString(records),
                "--group", group, "--timeout", "120000", "--hide-header");
        Process perf = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(perf.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        perf.waitFor();
        // start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, ...
        for (String line : output.split("\n")) {
            if (line.split(",").length >= 6 && line.matches("^\\d{4}-.*")) {
                return line;
            }
        }
        throw new IllegalStateException("ConsumerPerformance printed no summary:\n" + output);
    }

    /**
     * Runs {@link StreamsFoldPeer} in its own JVM (the processor's heap and {@code HOOKLINE_BENCH_PROCESSOR_OPTS}) and
     * returns the seconds from its launch until its committed offsets reached the end of {@code topic}.
     */
    static double streamsFold(LocalKafka kafka, Path work, String topic, String heap) throws Exception {
        String output = "bench.streams-fold";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(output, 3, (short) 1))).all().get();
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-Djava.io.tmpdir=" + Files.createDirectories(work.resolve("tmp"))));
        command.addAll(extraOptions());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), StreamsFoldPeer.class.getName(),
                kafka.bootstrapServers(), topic, output, work.resolve("streams-fold-state").toString()));
        long launched = System.nanoTime();
        Process fold = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("streams-fold.log").toFile()).start();
        try {
            return (awaitCaughtUp(kafka, topic, StreamsFoldPeer.APPLICATION_ID, fold, Duration.ofMinutes(30))
                    - launched) / 1e9;
        } finally {
            fold.destroy();
            fold.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** The peer's commit interval in ms: the processor's, or what HOOKLINE_BENCH_PROCESSOR_OPTS sets for both. */
    static String peerCommitInterval() {
        String option = "-Dkafka-streams.commit.interval.ms=";
        return extraOptions().stream().filter(o -> o.startsWith(option)).map(o -> o.substring(option.length()))
                .reduce((first, last) -> last).orElse(Integer.toString(StreamsFoldPeer.COMMIT_INTERVAL_MS));
    }

    /** HOOKLINE_BENCH_PROCESSOR_OPTS, split on white space. */
    static List<String> extraOptions() {
        return WorkDir.jvmOptions("HOOKLINE_BENCH_PROCESSOR_OPTS");
    }

    /** The bench's reader of the processor's API, for this run only. */
    static final String API_TOKEN = "bench-" + java.util.UUID.randomUUID();
    static final String OPERATE_TOKEN = "bench-operate-" + java.util.UUID.randomUUID();

    static Process startProcessor(Path root, Path work, LocalKafka kafka, int port, Path rules, String heap)
            throws IOException {
        return startProcessor(root, work, kafka, port, rules, heap, "bench", false);
    }

    /**
     * The packaged processor as instance {@code name} (its state in {@code <name>-state}, its log in
     * {@code <name>.log}, or processor-state and processor.log for the instance "bench"); with {@code clustered}, at
     * an address the other instances of the application reach it by.
     */
    static Process startProcessor(Path root, Path work, LocalKafka kafka, int port, Path rules, String heap,
            String name, boolean clustered) throws IOException {
        String files = name.equals("bench") ? "processor" : name;
        Path jar = root.resolve("processor/target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run ./mvnw -DskipTests package first");
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=java.lang,java.math,java.util,io.hookline.schema",
                "-Dquarkus.http.port=" + port, "-Dkafka.bootstrap.servers=" + kafka.bootstrapServers(),
                "-Dhookline.state-dir=" + work.resolve(files + "-state"), "-Dhookline.instance-id=" + name,
                "-Dhookline.rules=" + rules, "-Dhookline.api.users.bench.role=read",
                "-Dhookline.api.users.bench.token=" + API_TOKEN, "-Dhookline.api.users.benchops.role=operate",
                "-Dhookline.api.users.benchops.token=" + OPERATE_TOKEN, "-Dquarkus.log.category.\"io.hookline\".level=WARN",
                "-Djava.io.tmpdir=" + Files.createDirectories(work.resolve("tmp"))));
        if (clustered) {
            command.add("-Dhookline.instance-address=127.0.0.1:" + port);
        }
        command.addAll(extraOptions());
        command.addAll(List.of("-jar", jar.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve(files + ".log").toFile()).start();
    }

    /** The processor's changelog topics and the sum of their partitions' end offsets. */
    static Map<String, Long> changelogEnds(LocalKafka kafka) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (var topic : admin.describeTopics(admin.listTopics().names().get().stream()
                    .filter(name -> name.startsWith("hookline-processor-") && name.endsWith("-changelog")).toList())
                    .allTopicNames().get().values()) {
                topic.partitions().forEach(p -> latest.put(new TopicPartition(topic.name(), p.partition()),
                        OffsetSpec.latest()));
            }
            Map<String, Long> ends = new java.util.TreeMap<>();
            admin.listOffsets(latest).all().get().forEach((partition, end) -> ends.merge(partition.topic(), end.offset(),
                    Long::sum));
            return ends;
        }
    }

    /** When the processor's liveness says Kafka Streams is RUNNING (its stores restored), as System.nanoTime(). */
    static long awaitStreamsRunning(HttpClient client, int port, Process processor, Duration timeout) throws Exception {
        HttpRequest live = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/live"))
                .timeout(Duration.ofSeconds(5)).build();
        Pattern running = Pattern.compile("\"state\"\\s*:\\s*\"RUNNING\"");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!processor.isAlive()) {
                throw new IllegalStateException("the processor exited with " + processor.exitValue());
            }
            try {
                if (running.matcher(client.send(live, HttpResponse.BodyHandlers.ofString()).body()).find()) {
                    return System.nanoTime();
                }
            } catch (IOException starting) {
                // not listening yet
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new IllegalStateException("Kafka Streams did not run again within " + timeout);
    }

    /** When {@code group}'s committed offsets on {@code topic} reached its end (System.nanoTime()). */
    static long awaitCaughtUp(LocalKafka kafka, String topic, String group, Process processor, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < 3; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
            while (System.nanoTime() < deadline) {
                if (!processor.isAlive()) {
                    throw new IllegalStateException(group + " exited with " + processor.exitValue());
                }
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get();
                boolean done = !ends.isEmpty();
                for (var end : ends.entrySet()) {
                    OffsetAndMetadata at = committed.get(end.getKey());
                    done &= at != null && at.offset() >= end.getValue().offset();
                }
                if (done) {
                    return System.nanoTime();
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
        }
        throw new IllegalStateException(group + " did not catch up in " + timeout);
    }

    /**
     * For every due job, how many ms after its deadline its missed alert was read (Long.MIN_VALUE: not read), from
     * a read-committed consumer that starts before the first deadline.
     */
    static long[] missedAlerts(LocalKafka kafka, String topic, int jobs, Instant first, Duration window, Duration wait) {
        long[] late = new long[jobs];
        Arrays.fill(late, Long.MIN_VALUE);
        AvroSerde<AlertEvent> serde = AvroSerde.of(AlertEvent.class);
        Pattern due = Pattern.compile("^due/esxi\\d+/job-(\\d+)$");
        int read = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
                kafka.bootstrapServers(), "group.id", "bench-alerts-" + UUID.randomUUID(), "auto.offset.reset", "earliest",
                "isolation.level", "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long until = System.nanoTime() + wait.toNanos();
            while (read < jobs && System.nanoTime() < until) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.currentTimeMillis();
                    AlertEvent alert = serde.decode(record.value());
                    Matcher job = due.matcher(alert.getJobKey());
                    if (alert.getCondition() != AlertCondition.MISSED || !job.matches()) {
                        continue;
                    }
                    int i = Integer.parseInt(job.group(1));
                    if (late[i] == Long.MIN_VALUE) {
                        late[i] = now - deadline(i, jobs, first, window).toEpochMilli();
                        read++;
                    }
                }
            }
        }
        return late;
    }

    /** The share of one core the process used over {@code over} (user + system time from /proc). */
    static double cpuShare(long pid, Duration over) throws Exception {
        long before = XsiBackupThroughput.cpuNanos(pid);
        long t0 = System.nanoTime();
        TimeUnit.NANOSECONDS.sleep(over.toNanos());
        long after = XsiBackupThroughput.cpuNanos(pid);
        return (after - before) / (double) (System.nanoTime() - t0);
    }

    private static final java.util.regex.Pattern THREAD_LINE = java.util.regex.Pattern.compile(
            "^\"(.*)\" (?:#(\\d+) )?.*?cpu=([0-9.]+)ms");

    /**
     * CPU milliseconds per thread of a JVM (name and number as {@code jcmd PID Thread.print} shows them, JVM threads
     * such as the collector's and the compilers' included); empty where jcmd cannot attach.
     */
    static Map<String, Double> threadCpuMs(long pid) {
        Map<String, Double> threads = new java.util.HashMap<>();
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pid), "Thread.print").redirectErrorStream(true).start();
            String dump = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            jcmd.waitFor(30, TimeUnit.SECONDS);
            for (String line : dump.split("\n")) {
                java.util.regex.Matcher thread = THREAD_LINE.matcher(line);
                if (thread.find()) {
                    String key = thread.group(1) + (thread.group(2) == null ? "" : " #" + thread.group(2));
                    threads.merge(key, Double.parseDouble(thread.group(3)), Double::sum);
                }
            }
        } catch (IOException e) {
            // no jcmd: no breakdown
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return threads;
    }

    /** The threads that used the most CPU between two {@link #threadCpuMs} samples, as % of a core over the span. */
    static List<String> busiestThreads(Map<String, Double> before, Map<String, Double> after, long spanMs, int top) {
        return after.entrySet().stream()
                .map(thread -> Map.entry(thread.getKey(), thread.getValue() - before.getOrDefault(thread.getKey(), 0.0)))
                .filter(thread -> thread.getValue() > 0)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(top)
                .map(thread -> String.format(Locale.ROOT, "%5.2f %%  %s", 100 * thread.getValue() / spanMs, thread.getKey()))
                .toList();
    }

    static long percentile(long[] sorted, double p) {
        int index = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100.0 * sorted.length) - 1));
        return sorted[index];
    }
}
