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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import io.hookline.devstack.LocalKafka;

/**
 * Drives {@code GET /hooks/xsibackup/{token}/error} with concurrent keep-alive clients against a real gateway and
 * broker, then runs Kafka's ProducerPerformance with the same record size (acks=all, idempotent) on the same
 * broker, and prints both. The gateway answers only after the broker acknowledged each record, so the producer
 * tool is the ceiling it is measured against.
 */
public final class XsiBackupThroughput {

    static final String TOKEN = "bench-token-0123456789abcdef";

    static final String USAGE = "bench/run [--seconds 20] [--warmup-seconds 30] [--gateway-heap 512m] [--concurrency 32]"
            + " [--client wrk|java] [--requests 20000] [--warmup 3000]";

    public static void main(String[] args) throws Exception {
        BenchOptions.run(USAGE, args, XsiBackupThroughput::bench);
    }

    static void bench(BenchOptions options) throws Exception {
        Path root = options.root();
        int requests = options.count("requests", 20_000, 1, 100_000_000);
        int concurrency = options.count("concurrency", 32, 1, 1024);
        int warmup = options.count("warmup", 3000, 0, 100_000_000);
        int seconds = options.count("seconds", 20, 1, 3600);
        int warmupSeconds = options.count("warmup-seconds", 30, 0, 3600);
        String gatewayHeap = options.heap("gateway-heap", "512m");
        // wrk (C, one thread, epoll) leaves the cores to the gateway and broker; the Java client is the fallback.
        String clientKind = options.choice("client", Wrk.available() ? "wrk" : "java", "wrk", "java");
        Path work = WorkDir.create("hookline-bench-");

        LocalKafka kafka = WorkDir.broker(work);
        Process gateway = null;
        try {
            kafka.start(Duration.ofSeconds(120));
            int port = LocalKafka.freePort();
            long launched = System.nanoTime();
            gateway = startGateway(root, work, kafka, port, gatewayHeap);
            String base = "http://127.0.0.1:" + port + "/hooks/xsibackup/" + TOKEN + "/error?";

            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            awaitReady(client, port, gateway);
            System.out.printf(Locale.ROOT, "gateway ready %.1f s after its launch; warming up with %d hooks%n",
                    (System.nanoTime() - launched) / 1e9, warmup);
            drive(client, base, warmup, concurrency, 1_000_000);

            Result hooks;
            Result halfRate = null;
            long warmed = warmup;
            long gatewayCpuNanos = -1;
            long answeredByWrk = -1;
            RssSamples.Summary rss = null;
            if (clientKind.equals("wrk")) {
                Wrk wrk = new Wrk(work, "http://127.0.0.1:" + port, queries(2_000_000, 20_000), concurrency);
                // Until the JIT has compiled the hot paths: measured, C2 still took half a core after 3,000 hooks.
                Result warm = wrk.run(warmupSeconds, 0);
                System.out.printf(Locale.ROOT, "warmed up with wrk for %d s: %.0f hooks/s%n", warmupSeconds, warm.perSecond());
                long cpuBefore = cpuNanos(gateway.pid());
                RssSamples rssSamples = new RssSamples(gateway.pid());
                hooks = wrk.run(seconds, 0);
                gatewayCpuNanos = cpuNanos(gateway.pid()) - cpuBefore;
                rss = rssSamples.stop();
                // Half the maximum, paced: each connection waits between hooks so that together they send that rate.
                halfRate = wrk.paced(seconds, hooks.perSecond() / 2);
                answeredByWrk = wrk.answered();
            } else {
                hooks = drive(client, base, requests, concurrency, 2_000_000);
            }
            long written = endOffsets(kafka, "hookline.events");
            int recordSize = recordSize(kafka);

            String perf = producerPerformance(kafka, (int) Math.max(requests, hooks.count()), recordSize);
            double producerRate = parseRate(perf);

            System.out.println();
            System.out.printf(Locale.ROOT, "XSIBackup hooks through the gateway (acknowledged after acks=all), client %s:%n", clientKind);
            print("as fast as it answers", hooks, concurrency);
            if (gatewayCpuNanos > 0) {
                System.out.printf(Locale.ROOT, "    gateway CPU: %.0f µs per hook (%.2f cores)%n",
                        gatewayCpuNanos / 1e3 / hooks.count(), gatewayCpuNanos / (double) hooks.elapsedNanos());
            }
            if (rss != null) {
                System.out.printf(Locale.ROOT, "    gateway RSS under this load: median %.1f MB, at most %.1f MB (%.1f s into the run) of %d samples"
                        + " (-Xmx%s)%n", rss.medianBytes() / 1e6, rss.peakBytes() / 1e6, rss.peakAtSeconds(), rss.count(), gatewayHeap);
            }
            if (halfRate != null) {
                print("paced at half that", halfRate, concurrency);
            }
            long answered = warmed + (answeredByWrk >= 0 ? answeredByWrk : hooks.count());
            System.out.printf(Locale.ROOT, "  records on hookline.events: %d for %d hooks answered OK%s%n", written, answered,
                    written >= answered ? "" : "  <-- FEWER RECORDS THAN ANSWERS");
            System.out.printf(Locale.ROOT, "Kafka ProducerPerformance, same broker, %d-byte records, acks=all, idempotent:%n", recordSize);
            System.out.println("  " + perf.strip());
            System.out.printf(Locale.ROOT, "Ratio: gateway hooks/s / producer records/s = %.3f%n", hooks.perSecond() / producerRate);
        } finally {
            if (gateway != null) {
                gateway.destroy();
                gateway.waitFor(30, TimeUnit.SECONDS);
            }
            kafka.stop();
        }
    }

    static void print(String label, Result hooks, int concurrency) {
        System.out.printf(Locale.ROOT, "  %s: %d hooks, %d keep-alive connections, %d errors%n",
                label, hooks.count(), concurrency, hooks.errors());
        System.out.printf(Locale.ROOT, "    %.0f hooks/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                hooks.perSecond(), hooks.percentile(50), hooks.percentile(99), hooks.percentile(100));
    }

    /** The hooks' query strings: the same run shape as a real XSIBackup error hook, each with its own PID. */
    static List<String> queries(int firstPid, int count) {
        List<String> queries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            queries.add(query(firstPid + i));
        }
        return queries;
    }

    static final String CMD = b64("--backup-point=/vmfs/volumes/backup --backup-type=custom --backup-vms=\"VM1,VM2!disk1;disk2\" "
            + "--backup-how=hot --backup-prog=vmkfstools --mail-to=ops@example.org --backup-id=07");
    static final String ERR = b64("VM1: snapshot failed\nVM2: could not open disk2.vmdk\n");

    static String query(int pid) {
        return b64("PID=" + pid + "|t=347|hostname=esxi01|cmd=" + CMD + "|err=" + ERR);
    }

    /** User and system CPU time of a process so far, from /proc (Linux); -1 elsewhere. */
    static long cpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return ticks * 10_000_000L; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static long endOffsets(LocalKafka kafka, String topic) throws Exception {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Latencies of every hook answered, or (from wrk) its percentiles; a count, a duration and the errors. */
    record Result(long[] latenciesNanos, Map<Double, Double> percentilesMillis, long count, long elapsedNanos, long errors) {
        static Result of(long[] latenciesNanos, long elapsedNanos, long errors) {
            return new Result(latenciesNanos, Map.of(), latenciesNanos.length, elapsedNanos, errors);
        }

        double perSecond() {
            return count / (elapsedNanos / 1e9);
        }

        double percentile(double p) {
            if (latenciesNanos == null) {
                return percentilesMillis.get(p);
            }
            long[] sorted = latenciesNanos.clone();
            Arrays.sort(sorted);
            int index = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100.0 * sorted.length) - 1));
            return sorted[index] / 1e6;
        }
    }

    static Result drive(HttpClient client, String base, int requests, int concurrency, int firstPid) throws Exception {
        long[] latencies = new long[requests];
        AtomicInteger next = new AtomicInteger();
        AtomicLong errors = new AtomicLong();
        CountDownLatch done = new CountDownLatch(concurrency);
        long started = System.nanoTime();
        for (int t = 0; t < concurrency; t++) {
            Thread worker = new Thread(() -> {
                try {
                    int i;
                    while ((i = next.getAndIncrement()) < requests) {
                        String query = query(firstPid + i);
                        HttpRequest request = HttpRequest.newBuilder(URI.create(base + query))
                                .timeout(Duration.ofSeconds(30)).build();
                        long t0 = System.nanoTime();
                        try {
                            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                            if (response.statusCode() != 200 || !response.body().equals("OK")) {
                                errors.incrementAndGet();
                            }
                        } catch (IOException e) {
                            errors.incrementAndGet();
                        }
                        latencies[i] = System.nanoTime() - t0;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            });
            worker.start();
        }
        done.await();
        return Result.of(latencies, System.nanoTime() - started, errors.get());
    }

    static Process startGateway(Path root, Path work, LocalKafka kafka, int port) throws IOException {
        return startGateway(root, work, kafka, port, "512m");
    }

    static Process startGateway(Path root, Path work, LocalKafka kafka, int port, String heap) throws IOException {
        return startGateway(root, work, kafka, port, heap, List.of());
    }

    /**
     * The RSS of a process, sampled every 250 ms from when this is made until {@link #stop()}: its peak, when the peak
     * was, and the median. The peak alone hides what it is: on this box it is a few seconds of C2 compiling (its arena
     * memory) after the load changes, the median is what the process holds while it serves.
     */
    static final class RssSamples {
        private final Thread sampler;
        private final long started = System.nanoTime();
        private final List<long[]> samples = new ArrayList<>();
        private volatile boolean running = true;

        RssSamples(long pid) {
            sampler = new Thread(() -> {
                while (running) {
                    try {
                        long rss = AgentLongPolls.rss(pid);
                        synchronized (samples) {
                            samples.add(new long[] {System.nanoTime() - started, rss});
                        }
                        TimeUnit.MILLISECONDS.sleep(250);
                    } catch (IOException | InterruptedException e) {
                        return;
                    }
                }
            }, "rss-samples");
            sampler.setDaemon(true);
            sampler.start();
        }

        Summary stop() throws InterruptedException {
            running = false;
            sampler.join(2000);
            synchronized (samples) {
                if (samples.isEmpty()) {
                    return null;
                }
                long[] peak = samples.stream().max(Comparator.comparingLong((long[] sample) -> sample[1])).orElseThrow();
                long[] sorted = samples.stream().mapToLong(sample -> sample[1]).sorted().toArray();
                return new Summary(peak[1], peak[0] / 1e9, sorted[sorted.length / 2], sorted.length);
            }
        }

        record Summary(long peakBytes, double peakAtSeconds, long medianBytes, int count) {
        }
    }

    /** The packaged gateway with one XSIBackup source, {@code bench}, and {@code settings} (-D...) of the caller's. */
    static Process startGateway(Path root, Path work, LocalKafka kafka, int port, String heap, List<String> settings)
            throws IOException {
        Path jar = root.resolve("gateway/target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run ./mvnw -DskipTests package first");
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-Dquarkus.http.port=" + port, "-Dkafka.bootstrap.servers=" + kafka.bootstrapServers(),
                // Vert.x's file cache goes into the work folder the bench deletes, not /tmp/vertx-cache.
                "-Djava.io.tmpdir=" + Files.createDirectories(work.resolve("tmp")),
                "-Dhookline.sources.bench.kind=xsibackup", "-Dhookline.sources.bench.token=" + TOKEN,
                // The benchmark measures throughput, not the per-source flood protection.
                "-Dhookline.sources.bench.rate-limit=1000000", "-Dhookline.sources.bench.rate-burst=1000000",
                "-Dquarkus.log.category.\"io.hookline\".level=WARN"));
        command.addAll(settings);
        // Extra JVM options for the gateway only, e.g. a JFR recording: HOOKLINE_BENCH_GATEWAY_OPTS.
        command.addAll(WorkDir.jvmOptions("HOOKLINE_BENCH_GATEWAY_OPTS"));
        command.addAll(List.of("-jar", jar.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("gateway.log").toFile()).start();
    }

    static void awaitReady(HttpClient client, int port, Process gateway) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!gateway.isAlive()) {
                throw new IllegalStateException("the gateway exited with " + gateway.exitValue());
            }
            try {
                HttpResponse<Void> ready = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(), HttpResponse.BodyHandlers.discarding());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
        throw new IllegalStateException("the gateway did not become ready in 90 s");
    }

    /** The size of one record the gateway wrote (value plus key), to give the producer tool the same load. */
    static int recordSize(LocalKafka kafka) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                "group.id", "bench-size", "auto.offset.reset", "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("hookline.events"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    return record.value().length + record.key().length;
                }
            }
        }
        throw new IllegalStateException("no record on hookline.events");
    }

    static String producerPerformance(LocalKafka kafka, int records, int recordSize) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("bench.producer-performance", 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), "org.apache.kafka.tools.ProducerPerformance",
                "--topic", "bench.producer-performance", "--num-records", Integer.toString(records),
                "--record-size", Integer.toString(recordSize), "--throughput", "-1",
                "--producer-props", "bootstrap.servers=" + kafka.bootstrapServers(), "acks=all",
                "enable.idempotence=true", "linger.ms=1");
        Process perf = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(perf.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        perf.waitFor();
        String last = "";
        for (String line : output.split("\n")) {
            if (line.contains("records sent")) {
                last = line;
            }
        }
        if (last.isEmpty()) {
            throw new IllegalStateException("ProducerPerformance printed no summary:\n" + output);
        }
        return last;
    }

    static double parseRate(String summary) {
        Matcher matcher = Pattern.compile("([0-9.]+) records/sec").matcher(summary);
        if (!matcher.find()) {
            throw new IllegalStateException("no records/sec in: " + summary);
        }
        return Double.parseDouble(matcher.group(1));
    }

    static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
