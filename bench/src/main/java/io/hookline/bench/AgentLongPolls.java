package io.hookline.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.hookline.devstack.LocalKafka;
import io.hookline.schema.ActionKind;
import io.hookline.schema.ChainCause;
import io.hookline.schema.Command;
import io.hookline.schema.serde.AvroSerde;

/**
 * What idle host agents cost the gateway: {@code --agents} agents (default 1,000), each with its own token, each
 * holding a long poll open on a real gateway and broker. Prints the gateway's heap (after a GC) and RSS before and
 * while they wait, and how long a command written to hookline.commands takes to reach the one agent it is for. With
 * {@code --commands N}, N commands not due for an hour wait for the agents first (a night's chains for agents that are
 * away), and the gateway's heap and RSS are printed with them held too. With {@code --drain N}, N commands due now for
 * one more agent are written before that backlog, so that their records are past what the gateway holds in memory
 * (hookline.agents.records-in-memory) and are read again from the topic; that agent then polls and reports on each
 * (refuses it) until none is left, and the time it took is printed. With {@code --follow N}, that agent then gets N
 * commands one at a time, as chains issue them: each written, delivered to its waiting poll and reported on before
 * the next; the median and slowest of those round trips are printed (with
 * {@code -Dhookline.agents.records-in-memory=0} in HOOKLINE_BENCH_GATEWAY_OPTS, each record just written is read
 * again from the topic's end).
 */
public final class AgentLongPolls {

    static final String USAGE = "bench/agent-polls [--agents 1000] [--commands 0] [--drain 0] [--follow 0]";
    static final String DRAINING = "agent-drain";

    public static void main(String[] args) throws Exception {
        BenchOptions.run(USAGE, args, AgentLongPolls::bench);
    }

    static void bench(BenchOptions options) throws Exception {
        Path root = options.root();
        int agents = options.count("agents", 1000, 1, 10_000);
        int backlog = options.count("commands", 0, 0, 1_000_000);
        int drain = options.count("drain", 0, 0, 1_000_000);
        int follow = options.count("follow", 0, 0, 100_000);
        Path work = WorkDir.create("hookline-bench-agents-");
        StringBuilder sources = new StringBuilder();
        for (int i = 0; i < agents; i++) {
            sources.append("hookline.sources.agent-").append(i).append(".kind=agent\n")
                    .append("hookline.sources.agent-").append(i).append(".token=").append(token(i)).append('\n');
        }
        sources.append("hookline.sources.").append(DRAINING).append(".kind=agent\n")
                .append("hookline.sources.").append(DRAINING).append(".token=").append(token(-1)).append('\n')
                // Its reports come as fast as the bench sends them, not as actions end: no rate limit to meet.
                .append("hookline.sources.").append(DRAINING).append(".rate-limit=1000000\n")
                .append("hookline.sources.").append(DRAINING).append(".rate-burst=1000000\n");
        Path config = work.resolve("agents.properties");
        Files.writeString(config, sources);

        LocalKafka kafka = WorkDir.broker(work);
        Process gateway = null;
        try {
            kafka.start(Duration.ofSeconds(120));
            int port = LocalKafka.freePort();
            Path jar = root.resolve("gateway/target/quarkus-app/quarkus-run.jar");
            // HOOKLINE_BENCH_GATEWAY_OPTS as in bench/run (an -Xmx there wins), e.g. the options the image runs with.
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx512m", "-Dquarkus.http.port=" + port,
                    "-Dkafka.bootstrap.servers=" + kafka.bootstrapServers(),
                    "-Djava.io.tmpdir=" + Files.createDirectories(work.resolve("tmp")),
                    "-Dquarkus.config.locations=" + config, "-Dquarkus.log.category.\"io.hookline\".level=WARN"));
            command.addAll(WorkDir.jvmOptions("HOOKLINE_BENCH_GATEWAY_OPTS"));
            command.addAll(List.of("-jar", jar.toString()));
            gateway = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(work.resolve("gateway.log").toFile()).start();
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            XsiBackupThroughput.awaitReady(client, port, gateway);
            TimeUnit.SECONDS.sleep(3);
            long[] idle = memory(client, port, gateway.pid());
            if (drain > 0) {
                write(kafka, drain, i -> chained(DRAINING, i, Instant.now()));
            }
            long[] held = backlog + drain == 0 ? null : backlog(client, port, gateway.pid(), kafka, agents, backlog,
                    drain);
            String drained = drain == 0 ? null : drain(client, port, drain);
            String followed = follow == 0 ? null : follow(kafka, client, port, follow);

            List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
            for (int i = 0; i < agents; i++) {
                polls.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/agent/v1/commands?wait=60")).header("Authorization", "Bearer " + token(i))
                        .timeout(Duration.ofSeconds(90)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            TimeUnit.SECONDS.sleep(8);
            long[] waiting = memory(client, port, gateway.pid());
            long stillWaiting = polls.stream().filter(p -> !p.isDone()).count();

            int chosen = agents / 2;
            HttpResponse<String> delivered;
            long reachedMs;
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                    kafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
                producer.partitionsFor("hookline.commands");
                long sent = System.nanoTime();
                producer.send(new ProducerRecord<>("hookline.commands", "agent-" + chosen,
                        AvroSerde.of(Command.class).encode(command("agent-" + chosen)))).get(10, TimeUnit.SECONDS);
                delivered = polls.get(chosen).get(30, TimeUnit.SECONDS);
                reachedMs = (System.nanoTime() - sent) / 1_000_000;
            }
            long othersAnswered = polls.stream().filter(CompletableFuture::isDone).count() - 1;

            System.out.println();
            System.out.printf(Locale.ROOT, "%d agents, one long poll each (wait=60), on one gateway:%n", agents);
            System.out.printf(Locale.ROOT, "  waiting at once: %d%n", stillWaiting);
            long[] beforePolls = held != null ? held : idle;
            System.out.printf(Locale.ROOT, "  heap after GC: %.1f MB idle, %.1f MB with the polls waiting: %.1f KB per poll%n",
                    beforePolls[0] / 1e6, waiting[0] / 1e6, (waiting[0] - beforePolls[0]) / 1e3 / agents);
            System.out.printf(Locale.ROOT, "  RSS: %.1f MB idle, %.1f MB with the polls waiting%n", beforePolls[1] / 1e6,
                    waiting[1] / 1e6);
            if (held != null) {
                System.out.printf(Locale.ROOT, "  (idle: with %,d commands waiting for the agents (those of --commands not due for an hour); "
                        + "without them, heap after GC %.1f MB, RSS %.1f MB: %.0f bytes of heap a command)%n",
                        backlog + drain, idle[0] / 1e6, idle[1] / 1e6, (held[0] - idle[0]) / (double) (backlog + drain));
            }
            if (drained != null) {
                System.out.println("  " + drained);
            }
            if (followed != null) {
                System.out.println("  " + followed);
            }
            System.out.printf(Locale.ROOT, "  a command for agent-%d reached its poll %d ms after it was written (status %d); other polls "
                    + "answered meanwhile: %d%n", chosen, reachedMs, delivered.statusCode(), othersAnswered);
        } finally {
            if (gateway != null) {
                gateway.destroy();
                gateway.waitFor(30, TimeUnit.SECONDS);
            }
            kafka.stop();
        }
    }

    /**
     * Writes {@code count} chained commands, spread over the agents and due in an hour, waits until the gateway holds
     * them all (hookline_agent_commands_pending) and answers its memory then.
     */
    static long[] backlog(HttpClient client, int port, long pid, LocalKafka kafka, int agents, int count, int before)
            throws Exception {
        Instant due = Instant.now().plusSeconds(3600);
        write(kafka, count, i -> chained("agent-" + (i % agents), i, due));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        double pending = 0;
        while (pending < count + before && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(500);
            for (String line : client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body().split("\n")) {
                if (line.startsWith("hookline_agent_commands_pending ")) {
                    pending = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        }
        if (pending < count + before) {
            throw new IllegalStateException("the gateway holds " + (long) pending + " of the " + (count + before)
                    + " commands written after 5 minutes");
        }
        return memory(client, port, pid);
    }

    static void write(LocalKafka kafka, int count, java.util.function.IntFunction<Command> command) {
        AvroSerde<Command> serde = AvroSerde.of(Command.class);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                kafka.bootstrapServers(), "linger.ms", 5), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                Command next = command.apply(i);
                producer.send(new ProducerRecord<>("hookline.commands", next.getAgent(), serde.encode(next)));
            }
            producer.flush();
        }
    }

    /**
     * The draining agent polls (wait=0) and refuses each command it gets, as an agent whose configuration lacks the
     * action would, until a poll answers none: how long that took and how many records the gateway read again.
     */
    static String drain(HttpClient client, int port, int count) throws Exception {
        double readBefore = metric(client, port, "hookline_agent_commands_records_read_total");
        long start = System.nanoTime();
        int polls = 0;
        int reported = 0;
        while (true) {
            HttpResponse<String> poll = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/agent/v1/commands?wait=0")).header("Authorization", "Bearer " + token(-1)).build(),
                    HttpResponse.BodyHandlers.ofString());
            polls++;
            if (poll.statusCode() == 204) {
                break;
            }
            if (poll.statusCode() != 200) {
                throw new IllegalStateException("a poll of the draining agent answered " + poll.statusCode() + ": "
                        + poll.body());
            }
            for (String line : poll.body().split("\n")) {
                if (!line.startsWith("command ")) {
                    continue;
                }
                HttpResponse<String> refused = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + port + "/agent/v1/commands/" + line.substring("command ".length()).strip() + "/refused"))
                        .header("Authorization", "Bearer " + token(-1))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("reason=bench")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (refused.statusCode() != 200) {
                    throw new IllegalStateException("a report answered " + refused.statusCode() + ": "
                            + refused.body());
                }
                reported++;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double read = metric(client, port, "hookline_agent_commands_records_read_total") - readBefore;
        if (reported != count) {
            throw new IllegalStateException("the draining agent got " + reported + " of its " + count + " commands");
        }
        return String.format(Locale.ROOT, "drained: %,d commands due for one agent delivered and reported on in %.1f s "
                + "(%,.0f a second, %,d polls); their records read again from hookline.commands: %,.0f", count,
                seconds, count / seconds, polls, read);
    }

    /**
     * The draining agent gets {@code count} commands one at a time: each written, delivered to the agent's waiting
     * poll (wait=30) and refused before the next is written. Prints the round trips' median and slowest.
     */
    static String follow(LocalKafka kafka, HttpClient client, int port, int count) throws Exception {
        double readBefore = metric(client, port, "hookline_agent_commands_records_read_total");
        AvroSerde<Command> serde = AvroSerde.of(Command.class);
        long[] trips = new long[count];
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                kafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            producer.partitionsFor("hookline.commands");
            for (int i = 0; i < count; i++) {
                CompletableFuture<HttpResponse<String>> poll = client.sendAsync(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + port + "/agent/v1/commands?wait=30")).header("Authorization", "Bearer "
                        + token(-1)).build(), HttpResponse.BodyHandlers.ofString());
                Command command = chained(DRAINING, i, Instant.now());
                long sent = System.nanoTime();
                producer.send(new ProducerRecord<>("hookline.commands", DRAINING, serde.encode(command)))
                        .get(10, TimeUnit.SECONDS);
                HttpResponse<String> delivered = poll.get(40, TimeUnit.SECONDS);
                if (delivered.statusCode() != 200 || !delivered.body().contains("command " + command.getCommandId())) {
                    throw new IllegalStateException("the poll answered " + delivered.statusCode() + " without command "
                            + command.getCommandId() + ": " + delivered.body());
                }
                HttpResponse<String> refused = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + port + "/agent/v1/commands/" + command.getCommandId() + "/refused"))
                        .header("Authorization", "Bearer " + token(-1))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("reason=bench")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (refused.statusCode() != 200) {
                    throw new IllegalStateException("a report answered " + refused.statusCode() + ": " + refused.body());
                }
                trips[i] = System.nanoTime() - sent;
            }
        }
        java.util.Arrays.sort(trips);
        double read = metric(client, port, "hookline_agent_commands_records_read_total") - readBefore;
        return String.format(Locale.ROOT, "followed: %,d commands one at a time, each written, delivered to its waiting "
                + "poll and reported on: median %.1f ms, slowest %.1f ms; records read again from hookline.commands: "
                + "%,.0f", count, trips[count / 2] / 1e6, trips[count - 1] / 1e6, read);
    }

    static double metric(HttpClient client, int port, String name) throws Exception {
        for (String line : client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body().split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    /**
     * A command as a chain rule writes it for a run of its upstream job: the run that caused it and the parameters
     * the processor gives every command (the job, its run, outcome, exit code, bytes, newest restore point).
     */
    static Command chained(String agent, int run, Instant due) {
        String id = "cmd_" + java.util.UUID.randomUUID().toString().replace("-", "");
        String job = "esxi-prod/esxi01/vm-" + run;
        Instant finished = due.minusSeconds(600);
        Map<String, String> parameters = new java.util.LinkedHashMap<>();
        parameters.put("job", job);
        parameters.put("run-id", Integer.toString(40_000 + run));
        parameters.put("outcome", "succeeded");
        parameters.put("exit-code", "0");
        parameters.put("bytes", Long.toString(48_318_382_080L + run));
        parameters.put("restore-point", "20261205-0100-" + run);
        parameters.put("restore-point-location", "/vmfs/volumes/backup/vm-" + run + "/20261205010000");
        return Command.newBuilder().setCommandId(id).setCreatedAt(finished)
                .setCause(ChainCause.newBuilder().setCommandId(id).setRule("offsite-copy").setDepth(1)
                        .setUpstream(List.of(io.hookline.schema.UpstreamRun.newBuilder().setJobKey(job)
                                .setRunId(Integer.toString(40_000 + run)).setEventId(java.util.UUID.randomUUID()
                                        .toString()).setOutcome(io.hookline.schema.RunOutcome.SUCCEEDED)
                                .setFinishedAt(finished).build())).build())
                .setKind(ActionKind.AGENT).setAgent(agent).setAction("restic-copy").setJobKey(agent + "/restic-copy")
                .setParameters(parameters).setNotBefore(due).setExpiresAt(due.plusSeconds(3600)).build();
    }

    /** The token of agent-N, or of the draining agent for -1. */
    static String token(int agent) {
        return agent < 0 ? "bench-agent-token-drain-0123456789" : "bench-agent-token-" + agent + "-0123456789";
    }

    static Command command(String agent) {
        String id = "cmd_" + java.util.UUID.randomUUID().toString().replace("-", "");
        Instant now = Instant.now();
        return Command.newBuilder().setCommandId(id).setCreatedAt(now)
                .setCause(ChainCause.newBuilder().setCommandId(id).setRule("bench").setDepth(1).setUpstream(List.of())
                        .build())
                .setKind(ActionKind.AGENT).setAgent(agent).setAction("copy").setJobKey(agent + "/copy")
                .setParameters(Map.of()).setNotBefore(now).setExpiresAt(now.plusSeconds(3600)).build();
    }

    /** The gateway's heap in use after a full GC (from /q/metrics) and its resident set (from /proc). */
    static long[] memory(HttpClient client, int port, long pid) throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        new ProcessBuilder(jcmd, Long.toString(pid), "GC.run").redirectErrorStream(true).start().waitFor(30,
                TimeUnit.SECONDS);
        TimeUnit.MILLISECONDS.sleep(500);
        String metrics = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        long heap = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                heap += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return new long[] {heap, rss(pid)};
    }

    static long rss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        return -1;
    }
}
