package io.hookline.bench;

import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;

import io.hookline.devstack.LocalKafka;

/**
 * From a failing hook's arrival at the gateway to its alert's arrival at a webhook receiver: a broker, the
 * packaged gateway and processor, and a receiver in this JVM. Failed XSIBackup runs, each of its own job (so each
 * is a new alert, sent at once: no grouping), are sent at a fixed rate over keep-alive connections; each is timed
 * from the moment it is sent to the moment the receiver reads its alert. Kafka's EndToEndLatency (produce acks=all, consume, one
 * record at a time) runs on the same broker as the peer. The first 60 s (--warmup-seconds) are sent at the same rate but
 * not measured: until then the JIT compilers of gateway and processor take a large part of the two cores. The measured
 * part starts on a schedule of its own once the warm-up's alerts have all arrived. Each process's CPU while the
 * measured hooks are sent is read from /proc.
 */
public final class HookToAlert {

    private static final Pattern JOB = Pattern.compile("\"jobKey\":\"bench/esxi-alert/a(\\d+)\"");

    static final String USAGE = "bench/alerts [--rate 1000] [--seconds 30] [--warmup-seconds 60]";

    public static void main(String[] args) throws Exception {
        BenchOptions.run(USAGE, args, HookToAlert::bench);
    }

    /** The bench keeps two times for each hook it sends, in its own heap (-Xmx512m). */
    static final long MAX_HOOKS = 20_000_000;

    /** How many hooks a run sends, refused before anything starts when the bench could not keep their times. */
    static int hooks(int rate, int warmupSeconds, int seconds) {
        long hooks = (long) rate * ((long) warmupSeconds + seconds);
        if (hooks > MAX_HOOKS) {
            throw new BenchOptions.Refused("--rate × (--warmup-seconds + --seconds) is " + hooks
                    + " hooks; the bench keeps the times of at most " + MAX_HOOKS);
        }
        return (int) hooks;
    }

    static void bench(BenchOptions options) throws Exception {
        Path root = options.root();
        int rate = options.count("rate", 1000, 1, 100_000);
        int seconds = options.count("seconds", 30, 1, 3600);
        int warmupSeconds = options.count("warmup-seconds", 60, 0, 3600);
        int total = hooks(rate, warmupSeconds, seconds);
        int warm = rate * warmupSeconds;
        Path work = WorkDir.create("hookline-bench-alerts-");

        long[] sent = new long[total];
        long[] arrived = new long[total];
        AtomicLong deliveries = new AtomicLong();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        receiver.setExecutor(Executors.newFixedThreadPool(4));
        receiver.createContext("/alerts", exchange -> {
            long now = System.nanoTime();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Matcher job = JOB.matcher(body);
            if (job.find() && body.contains("\"type\":\"alert.firing\"")) {
                int i = Integer.parseInt(job.group(1));
                if (i < total && arrived[i] == 0) {
                    arrived[i] = now;
                }
            }
            deliveries.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();

        Path rules = work.resolve("rules.yaml");
        Files.writeString(rules, """
                receivers:
                  - {name: bench, type: webhook, url: "http://127.0.0.1:%d/alerts"}
                default-receiver: bench
                """.formatted(receiver.getAddress().getPort()));

        LocalKafka kafka = WorkDir.broker(work);
        Process gateway = null;
        Process processor = null;
        try {
            kafka.start(Duration.ofSeconds(120));
            int gatewayPort = LocalKafka.freePort();
            int processorPort = LocalKafka.freePort();
            // Every hook is a job of its own: far more than a source's default max-jobs.
            gateway = XsiBackupThroughput.startGateway(root, work, kafka, gatewayPort, "512m",
                    List.of("-Dhookline.sources.bench.max-jobs=" + (total + 1000)));
            processor = ProcessorAtScale.startProcessor(root, work, kafka, processorPort, rules, "256m");
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .executor(Executors.newFixedThreadPool(2)).build();
            XsiBackupThroughput.awaitReady(client, gatewayPort, gateway);
            XsiBackupThroughput.awaitReady(client, processorPort, processor);
            long[] idle = AgentLongPolls.memory(client, processorPort, processor.pid());
            System.out.printf(Locale.ROOT, "up; %d failing hooks a second, each its own job: %d s of warm-up, then %d s "
                    + "measured%n", rate, warmupSeconds, seconds);

            String base = "/hooks/xsibackup/" + XsiBackupThroughput.TOKEN + "/error?";
            long[] pids = {kafka.pid().orElse(-1), gateway.pid(), processor.pid(), ProcessHandle.current().pid()};
            long[][] cpu = new long[2][];
            Thread cpuWatch = new Thread(() -> {
                try {
                    cpu[0] = cpuWhenSent(sent, warm, pids);
                    cpu[1] = cpuWhenSent(sent, total - 1, pids);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "cpu-watch");
            cpuWatch.setDaemon(true);
            cpuWatch.start();
            // The warm-up on a schedule of its own, then its alerts awaited: while the JIT compilers of four JVMs
            // share two cores, the warm-up may fall behind, and a measured part that inherited its backlog would
            // measure a burst above the rate instead of the rate.
            PacedHooks hooks = new PacedHooks("127.0.0.1", gatewayPort, 16);
            long refused = hooks.send(0, warm, rate, i -> base + query(i), sent);
            double warmSeconds = (sent[warm - 1] - sent[0]) / 1e9;
            long drainFrom = System.nanoTime();
            while (countArrived(arrived, 0, warm) < warm - refused
                    && System.nanoTime() - drainFrom < TimeUnit.SECONDS.toNanos(60)) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            System.out.printf(Locale.ROOT, "warm-up: %,d hooks in %.1f s (%.0f a second), %d not answered OK; its last "
                    + "alert %.1f s after its last hook%n", warm, warmSeconds, (warm - 1) / warmSeconds, refused,
                    (System.nanoTime() - sent[warm - 1]) / 1e9);
            refused = hooks.send(warm, total, rate, i -> base + query(i), sent);
            cpuWatch.join(1_000);
            long lateSince = System.nanoTime();
            while (countArrived(arrived, warm, total) < total - warm - refused
                    && System.nanoTime() - lateSince < TimeUnit.SECONDS.toNanos(60)) {
                TimeUnit.MILLISECONDS.sleep(200);
            }
            double sendSeconds = (sent[total - 1] - sent[warm]) / 1e9;

            long[] latencies = new long[total - warm];
            int n = 0;
            for (int i = warm; i < total; i++) {
                if (arrived[i] != 0 && sent[i] != 0) {
                    latencies[n++] = arrived[i] - sent[i];
                }
            }
            long[] seen = Arrays.copyOf(latencies, n);
            Arrays.sort(seen);
            // Every hook's alert still fires (nothing resolves them): what the processor holds for them.
            long[] firing = AgentLongPolls.memory(client, processorPort, processor.pid());
            int firingCount = countArrived(arrived, 0, total);
            String peer = endToEndLatency(kafka, 1208);

            System.out.println();
            System.out.printf(Locale.ROOT, "Hook to alert: %,d failing XSIBackup hooks in %.1f s (%.0f a second), %d not "
                    + "answered OK%n", total - warm, sendSeconds, (total - warm - 1) / sendSeconds, refused);
            System.out.printf(Locale.ROOT, "  alerts at the webhook receiver: %,d of %,d (%,d deliveries in all, warm-up "
                    + "included)%n", n, total - warm, deliveries.get());
            if (n > 0) {
                System.out.printf(Locale.ROOT, "  from the hook's sending to the alert's arrival: p50 %.1f ms, p99 %.1f ms, "
                        + "max %.1f ms%n", pct(seen, 50) / 1e6, pct(seen, 99) / 1e6, seen[n - 1] / 1e6);
            }
            if (cpu[0] != null && cpu[1] != null) {
                String[] names = {"broker", "gateway", "processor", "bench (sender and receiver)"};
                StringBuilder line = new StringBuilder("  CPU while the measured hooks were sent:");
                for (int p = 0; p < pids.length; p++) {
                    long used = cpu[1][p] - cpu[0][p];
                    line.append(String.format(Locale.ROOT, "%s %s %.0f %% of a core (%.0f µs a hook)", p == 0 ? "" : ",",
                            names[p], 100.0 * used / 1e9 / sendSeconds, used / 1e3 / (total - warm)));
                }
                System.out.println(line);
            }
            System.out.printf(Locale.ROOT, "  processor heap after GC: %.1f MB before the first hook, %.1f MB with %,d alerts "
                    + "firing (%.2f KB each); RSS %.1f MB, then %.1f MB%n", idle[0] / 1e6, firing[0] / 1e6, firingCount,
                    (firing[0] - idle[0]) / 1e3 / firingCount, idle[1] / 1e6, firing[1] / 1e6);
            System.out.println("Kafka EndToEndLatency, same broker, 1208-byte records, acks=all, one at a time:");
            System.out.println("  " + peer.strip().replace("\n", "\n  "));
        } finally {
            receiver.stop(0);
            for (Process process : new Process[] {processor, gateway}) {
                if (process != null) {
                    process.destroy();
                    process.waitFor(30, TimeUnit.SECONDS);
                }
            }
            kafka.stop();
        }
        // The HTTP client's and the receiver's threads would keep the JVM alive.
        System.exit(0);
    }

    static String query(int i) {
        String cmd = XsiBackupThroughput.b64("--backup-point=/vmfs/volumes/backup --backup-vms=\"VM1\" --backup-id=a" + i);
        return XsiBackupThroughput.b64("PID=" + (500_000 + i) + "|t=30|hostname=esxi-alert|cmd=" + cmd + "|err="
                + XsiBackupThroughput.b64("VM1: snapshot failed"));
    }

    /** Each process's CPU time (ns, from /proc) as soon as hook {@code index} has been sent. */
    static long[] cpuWhenSent(long[] sent, int index, long[] pids) throws InterruptedException {
        while (sent[index] == 0) {
            TimeUnit.MILLISECONDS.sleep(1);
        }
        long[] nanos = new long[pids.length];
        for (int p = 0; p < pids.length; p++) {
            nanos[p] = XsiBackupThroughput.cpuNanos(pids[p]);
        }
        return nanos;
    }

    static int countArrived(long[] arrived, int from, int to) {
        int count = 0;
        for (int i = from; i < to; i++) {
            if (arrived[i] != 0) {
                count++;
            }
        }
        return count;
    }

    static long pct(long[] sorted, double p) {
        int index = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100.0 * sorted.length) - 1));
        return sorted[index];
    }

    /** Kafka's own end-to-end latency tool: produce one record (acks=all), consume it, 10,000 times. */
    static String endToEndLatency(LocalKafka kafka, int size) throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "org.apache.kafka.tools.EndToEndLatency",
                kafka.bootstrapServers(), "bench.end-to-end-latency", "10000", "all", Integer.toString(size));
        Process tool = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(tool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        tool.waitFor();
        StringBuilder summary = new StringBuilder();
        for (String line : output.split("\n")) {
            if (line.startsWith("Avg latency") || line.startsWith("Percentiles")) {
                summary.append(line).append('\n');
            }
        }
        if (summary.isEmpty()) {
            throw new IllegalStateException("EndToEndLatency printed no summary:\n" + output);
        }
        return summary.toString();
    }
}
