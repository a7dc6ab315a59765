package io.hookline.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;

import io.hookline.devstack.LocalKafka;
import io.hookline.runtime.topics.TopicBootstrap;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.topics.Topics;

/**
 * What the read API costs when chains have issued many commands that wait for an agent (a site offline over a
 * weekend, the 30 days /api/commands keeps): {@code --commands} successful runs of as many upstream jobs, spread
 * over {@code --targets} chain rules, each queue a command for agent {@code nas} that never polls. Then the lists an
 * operator reads are timed (median of 10, as {@code bench/processor} times its lists): the agents page, the queued
 * commands, one agent's commands, and the page of an upstream job, which lists what it triggered. With
 * {@code --instances 2}, two processors share the jobs and the commands, and each list is asked of the first: a
 * command's status is then often the other instance's word.
 *
 * Last, the processor's RSS is followed for {@code --idle-seconds} with nothing asked of it: what the lists' work left
 * committed, and whether the JVM gives it back.
 *
 * <pre>bench/commands [--commands 100000] [--targets 1] [--processor-heap 256m] [--instances 1] [--idle-seconds 60]</pre>
 */
public final class ChainedCommands {

    static final String USAGE = "bench/commands [--commands 100000] [--targets 1] [--processor-heap 256m] [--instances 1]"
            + " [--idle-seconds 60]";

    public static void main(String[] args) throws Exception {
        BenchOptions.run(USAGE, args, ChainedCommands::bench);
    }

    static void bench(BenchOptions options) throws Exception {
        Path root = options.root();
        int commands = options.count("commands", 100_000, 1, 1_000_000);
        int targets = options.count("targets", 1, 1, 1000);
        String heap = options.heap("processor-heap", "256m");
        int instances = options.count("instances", 1, 1, 2);
        int idleSeconds = options.count("idle-seconds", 60, 0, 3600);
        Path work = WorkDir.create("hookline-bench-commands-");
        StringBuilder rules = new StringBuilder("chains:\n");
        for (int t = 0; t < targets; t++) {
            rules.append("  - name: copy-").append(t).append("\n    when: {job: \"up/t").append(t)
                    .append("/*\", on: succeeded}\n    expire-after: 24h\n    run: [{agent: nas, action: copy, job: copy-")
                    .append(t).append("}]\n");
        }
        Path rulesFile = work.resolve("rules.yaml");
        Files.writeString(rulesFile, rules);

        LocalKafka kafka = WorkDir.broker(work);
        Process processor = null;
        Process second = null;
        try {
            kafka.start(Duration.ofSeconds(120));
            Topics topics = Topics.withDefaultPrefix();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                TopicBootstrap.ensure(admin, topics.specs(-1), 3, (short) 1, 30_000);
            }
            int port = LocalKafka.freePort();
            HttpClient client = HttpClient.newHttpClient();
            if (instances == 1) {
                processor = ProcessorAtScale.startProcessor(root, work, kafka, port, rulesFile, heap);
            } else {
                int secondPort = LocalKafka.freePort();
                processor = ProcessorAtScale.startProcessor(root, work, kafka, port, rulesFile, heap, "bench-a", true);
                second = ProcessorAtScale.startProcessor(root, work, kafka, secondPort, rulesFile, heap, "bench-b",
                        true);
                ProcessorAtScale.awaitStreamsRunning(client, secondPort, second, Duration.ofMinutes(5));
            }
            ProcessorAtScale.awaitStreamsRunning(client, port, processor, Duration.ofMinutes(5));
            long started = System.nanoTime();
            ProcessorAtScale.write(kafka, topics.events(), upstreamRuns(commands, targets));
            long issuedAt = awaitIssued(client, port, processor, commands, Duration.ofMinutes(30));
            System.out.printf(Locale.ROOT, "%,d upstream runs over %d chain rules: %,d commands queued for agent nas "
                    + "in %.1f s%s%n", commands, targets, commands, (issuedAt - started) / 1e9,
                    instances == 1 ? "" : ", kept by two processors; each list asked of the first");
            TimeUnit.SECONDS.sleep(5);
            long[] memory = AgentLongPolls.memory(client, port, processor.pid());

            System.out.println();
            System.out.printf(Locale.ROOT, "The read API with %,d commands waiting (median of 10 requests each):%n",
                    commands);
            System.out.println("  /api/agents: " + ProcessorAtScale.timed(client, port, "/api/agents", "agent",
                    "agents"));
            System.out.println("  /api/commands?status=queued&limit=100: " + ProcessorAtScale.timed(client, port,
                    "/api/commands?status=queued&limit=100", "commandId", "commands"));
            System.out.println("  /api/commands?agent=nas&limit=100: " + ProcessorAtScale.timed(client, port,
                    "/api/commands?agent=nas&limit=100", "commandId", "commands"));
            System.out.println("  /api/jobs/up/t0/j0 (an upstream job's page, with what it triggered): "
                    + ProcessorAtScale.timed(client, port, "/api/jobs/up/t0/j0", "commandId", "commands"));
            System.out.printf(Locale.ROOT, "Memory (-Xmx%s)%s: heap after GC %.1f MB, RSS %.1f MB%n", heap,
                    instances == 1 ? "" : " of the first processor", memory[0] / 1e6, memory[1] / 1e6);
            long afterReads = AgentLongPolls.rss(processor.pid());
            long lowest = afterReads;
            long last = afterReads;
            for (int s = 0; s < idleSeconds; s++) {
                TimeUnit.SECONDS.sleep(1);
                last = AgentLongPolls.rss(processor.pid());
                lowest = Math.min(lowest, last);
            }
            System.out.printf(Locale.ROOT, "RSS right after the reads %.1f MB; after %d s idle %.1f MB (lowest %.1f MB)%n",
                    afterReads / 1e6, idleSeconds, last / 1e6, lowest / 1e6);
        } finally {
            for (Process started : java.util.Arrays.asList(processor, second)) {
                if (started != null) {
                    started.destroy();
                    started.waitFor(30, TimeUnit.SECONDS);
                }
            }
            kafka.stop();
        }
    }

    /** One successful run of each upstream job up/t{i % targets}/j{i}: each triggers one command. */
    static Iterable<BackupEvent> upstreamRuns(int count, int targets) {
        Instant start = Instant.now().minusSeconds(3600);
        return () -> new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return i < count;
            }

            @Override
            public BackupEvent next() {
                int n = i++;
                return ProcessorAtScale.succeeded("up/t" + (n % targets) + "/j" + n, "run-" + n,
                        start.plusMillis(n));
            }
        };
    }

    /** When /api/commands first counts {@code count} commands. */
    static long awaitIssued(HttpClient client, int port, Process processor, int count, Duration timeout)
            throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/commands?limit=1"))
                .header("Authorization", "Bearer " + ProcessorAtScale.API_TOKEN).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!processor.isAlive()) {
                throw new IllegalStateException("the processor exited with " + processor.exitValue());
            }
            HttpResponse<String> answer = client.send(request, HttpResponse.BodyHandlers.ofString());
            last = answer.statusCode() + " " + answer.headers().firstValue("X-Total-Count").orElse("?");
            if (answer.statusCode() == 200 && answer.headers().firstValue("X-Total-Count").orElse("")
                    .equals(Integer.toString(count))) {
                return System.nanoTime();
            }
            TimeUnit.SECONDS.sleep(1);
        }
        throw new IllegalStateException(count + " commands not issued in " + timeout + "; last: " + last);
    }
}
