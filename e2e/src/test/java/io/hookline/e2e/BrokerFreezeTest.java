package io.hookline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hookline.devstack.LocalKafka;
import io.hookline.schema.ActionKind;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.ChainCause;
import io.hookline.schema.Command;
import io.hookline.schema.serde.AvroSerde;

/**
 * The broker hangs (SIGSTOP: connections stay open, nothing answers) for a minute while XSIBackup hooks keep
 * arriving at 100 a second. Every hook the gateway answered OK is on hookline.events afterwards; every other
 * caller got a 503 with Retry-After, at once once the broker had acknowledged nothing for the stall time (3 s),
 * and never later than the acknowledgement time-out; and once the broker goes on, hooks are accepted again. A host
 * agent whose command's record the gateway does not hold in memory polls while the broker hangs: it is told 503 with
 * Retry-After, saying the command could not be read, and gets its command once the broker goes on.
 */
class BrokerFreezeTest {

    static final Path ROOT = LocalRunTest.ROOT;
    static final String TOKEN = "e2e-freeze-token-0123456789abcdef";
    static final String AGENT_TOKEN = "e2e-freeze-agent-token-0123456789";
    static final Duration ACK_TIMEOUT = Duration.ofSeconds(10);
    static final Duration STALL = Duration.ofSeconds(3);
    static final Duration BEFORE = Duration.ofSeconds(5);
    static final Duration FROZEN = Duration.ofSeconds(60);
    static final Duration AFTER = Duration.ofSeconds(15);
    static final int PER_SECOND = 100;

    @TempDir
    Path home;

    Processes processes;

    @AfterEach
    void stopAll() {
        if (processes != null) {
            processes.close();
        }
    }

    /** One hook as its caller saw it. */
    record Answer(int pid, long sentNanos, long answeredNanos, int status, String body, String retryAfter) {
        double seconds() {
            return (answeredNanos - sentNanos) / 1e9;
        }
    }

    @Test
    void aFrozenBrokerLosesNoAcknowledgedHookAndCallersGet503WithinTheAckTimeout() throws Exception {
        processes = new Processes(home);
        int kafkaPort = LocalRunTest.freePortPair();
        int gatewayPort = LocalKafka.freePort();
        try (LocalKafka kafka = new LocalKafka(home.resolve("kafka"), kafkaPort, kafkaPort + 1).start(Duration.ofMinutes(2))) {
            Process gateway = processes.java("gateway", List.of("-Xmx256m", "-Dquarkus.http.port=" + gatewayPort,
                    "-Dkafka.bootstrap.servers=" + kafka.bootstrapServers(),
                    "-Dhookline.gateway.ack-timeout=" + ACK_TIMEOUT.toSeconds() + "s",
                    "-Dhookline.gateway.broker-stall=" + STALL.toSeconds() + "s",
                    "-Dhookline.sources.freeze-xsi.kind=xsibackup", "-Dhookline.sources.freeze-xsi.token=" + TOKEN,
                    "-Dhookline.sources.freeze-xsi.rate-limit=1000",
                    "-Dhookline.sources.freeze-agent.kind=agent", "-Dhookline.sources.freeze-agent.token=" + AGENT_TOKEN,
                    // No command's record is held in memory: delivering one reads it again from hookline.commands.
                    "-Dhookline.agents.records-in-memory=0",
                    "-jar", ROOT.resolve("gateway/target/quarkus-app/quarkus-run.jar").toString()));
            processes.awaitReady("gateway", gatewayPort, gateway);
            HttpClient agentHttp = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            Command command = waitingCommand(kafka.bootstrapServers(), agentHttp, gatewayPort);

            // Open loop: a hook every 10 ms whatever the answers, as backup hosts do; each its own run (PID).
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .executor(Executors.newFixedThreadPool(4)).build();
            ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
            List<CompletableFuture<?>> pending = new ArrayList<>();
            ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
            int total = (int) ((BEFORE.toMillis() + FROZEN.toMillis() + AFTER.toMillis()) * PER_SECOND / 1000);
            long start = System.nanoTime();
            long[] frozenAt = new long[2];
            for (int i = 0; i < total; i++) {
                int pid = 70_000 + i;
                long at = start + i * (1_000_000_000L / PER_SECOND);
                clock.schedule(() -> {
                    long sent = System.nanoTime();
                    CompletableFuture<?> call = http.sendAsync(hook(gatewayPort, pid), HttpResponse.BodyHandlers.ofString())
                            .handle((response, error) -> {
                                long answered = System.nanoTime();
                                answers.add(response == null ? new Answer(pid, sent, answered, -1, String.valueOf(error), null)
                                        : new Answer(pid, sent, answered, response.statusCode(), response.body(),
                                                response.headers().firstValue("Retry-After").orElse(null)));
                                return null;
                            });
                    synchronized (pending) {
                        pending.add(call);
                    }
                }, at - System.nanoTime(), TimeUnit.NANOSECONDS);
            }
            sleepUntil(start + BEFORE.toNanos());
            kafka.freeze();
            frozenAt[0] = System.nanoTime();
            HttpResponse<String> frozenPoll;
            double frozenPollSeconds;
            HttpResponse<String> frozenReport;
            try {
                sleepUntil(frozenAt[0] + TimeUnit.SECONDS.toNanos(15));
                long polled = System.nanoTime();
                frozenPoll = agentHttp.send(agentPoll(gatewayPort), HttpResponse.BodyHandlers.ofString());
                frozenPollSeconds = (System.nanoTime() - polled) / 1e9;
                // A report on it needs its record too (the command it names is looked up): the same answer.
                frozenReport = agentHttp.send(agentRefusal(gatewayPort, command), HttpResponse.BodyHandlers.ofString());
                sleepUntil(frozenAt[0] + FROZEN.toNanos());
            } finally {
                kafka.thaw();
                frozenAt[1] = System.nanoTime();
            }
            sleepUntil(start + BEFORE.toNanos() + FROZEN.toNanos() + AFTER.toNanos() + TimeUnit.MILLISECONDS.toNanos(200));
            clock.shutdown();
            assertTrue(clock.awaitTermination(10, TimeUnit.SECONDS), "every hook sent");
            List<CompletableFuture<?>> calls;
            synchronized (pending) {
                calls = new ArrayList<>(pending);
            }
            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(2 * ACK_TIMEOUT.toSeconds(), TimeUnit.SECONDS);

            // The agent: told to come back while the broker hung, given its command once it went on.
            assertEquals(503, frozenPoll.statusCode(), frozenPoll.body());
            assertEquals("10", frozenPoll.headers().firstValue("Retry-After").orElse(null));
            assertEquals("hookline: commands could not be read from the event log (hookline.commands did not answer "
                    + "within 10.0 s); try again later", frozenPoll.body());
            assertTrue(frozenPollSeconds >= 9.5 && frozenPollSeconds <= 14, "the poll took " + frozenPollSeconds + " s");
            assertEquals(503, frozenReport.statusCode(), frozenReport.body());
            assertEquals("10", frozenReport.headers().firstValue("Retry-After").orElse(null));
            assertEquals(frozenPoll.body(), frozenReport.body());
            HttpResponse<String> thawedPoll = agentHttp.send(agentPoll(gatewayPort), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, thawedPoll.statusCode(), thawedPoll.body());
            assertTrue(thawedPoll.body().lines().anyMatch(line -> line.equals("command " + command.getCommandId())),
                    thawedPoll.body());
            HttpResponse<String> thawedReport = agentHttp.send(agentRefusal(gatewayPort, command),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, thawedReport.statusCode(), thawedReport.body());
            assertEquals(204, agentHttp.send(agentPoll(gatewayPort), HttpResponse.BodyHandlers.discarding()).statusCode(),
                    "reported on: not delivered again");

            List<Answer> all = new ArrayList<>(answers);
            assertEquals(total, all.size(), "every caller got an answer");
            List<Answer> accepted = all.stream().filter(a -> a.status() == 200).toList();
            List<Answer> refused = all.stream().filter(a -> a.status() == 503).toList();
            List<Answer> other = all.stream().filter(a -> a.status() != 200 && a.status() != 503).limit(5).toList();
            assertEquals(List.of(), other, "answers other than 200 OK and 503");
            accepted.forEach(a -> assertEquals("OK", a.body(), "XSIBackup's acknowledgement text"));

            // Nothing acknowledged is lost.
            Set<String> logged = runIds(kafka.bootstrapServers());
            TreeSet<Integer> lost = new TreeSet<>();
            accepted.forEach(a -> {
                if (!logged.contains(Integer.toString(a.pid()))) {
                    lost.add(a.pid());
                }
            });
            assertEquals(new TreeSet<>(), lost, "hooks answered OK but missing from hookline.events");

            // While it hung, callers were told so within the time-out, with a time to come back.
            assertTrue(refused.size() >= (FROZEN.toSeconds() - ACK_TIMEOUT.toSeconds()) * PER_SECOND * 9 / 10,
                    "hooks sent while the broker hung are refused, not accepted: " + refused.size() + " refused");
            double slowestRefusal = refused.stream().mapToDouble(Answer::seconds).max().orElse(0);
            assertTrue(slowestRefusal <= ACK_TIMEOUT.toSeconds() + 2.0,
                    "a 503 came " + slowestRefusal + " s after its hook, the time-out is " + ACK_TIMEOUT);
            // After the stall time, at once (but for one probe at a time), not after the whole time-out.
            long prompt = refused.stream().filter(a -> a.seconds() < 1.0).count();
            assertTrue(prompt >= (FROZEN.toSeconds() - STALL.toSeconds() - 5) * PER_SECOND * 9 / 10,
                    "503s within a second of their hook: " + prompt + " of " + refused.size());
            double medianRefusal = refused.stream().mapToDouble(Answer::seconds).sorted().skip(refused.size() / 2)
                    .findFirst().orElse(Double.NaN);
            refused.forEach(a -> {
                assertEquals("30", a.retryAfter(), "Retry-After on a 503");
                assertTrue(a.body().contains("not processed"), a.body());
            });
            double slowestAccept = accepted.stream().mapToDouble(Answer::seconds).max().orElse(0);
            assertTrue(slowestAccept <= ACK_TIMEOUT.toSeconds() + 2.0, "an OK came " + slowestAccept + " s after its hook");

            // Once the broker goes on, hooks are accepted again: the last 10 s of hooks all OK.
            long settled = frozenAt[1] + TimeUnit.SECONDS.toNanos(10);
            List<Answer> late = all.stream().filter(a -> a.sentNanos() > settled).toList();
            assertTrue(!late.isEmpty() && late.stream().allMatch(a -> a.status() == 200),
                    "hooks sent 10 s after the thaw: " + late.stream().filter(a -> a.status() != 200).count() + " of "
                            + late.size() + " not accepted");
            double firstOkAfterThaw = all.stream().filter(a -> a.status() == 200 && a.answeredNanos() > frozenAt[1])
                    .filter(a -> a.sentNanos() > frozenAt[1])
                    .mapToDouble(a -> (a.answeredNanos() - frozenAt[1]) / 1e9).min().orElse(Double.NaN);
            System.out.printf("broker frozen %d s at %d hooks/s: %d hooks, %d answered OK (all %d on hookline.events, "
                    + "%d records there), %d answered 503 (%d within 1 s, median %.3f s, slowest %.1f s), slowest OK %.1f s, "
                    + "first OK of a hook sent after the thaw %.1f s after it; an agent's poll for a command whose record "
                    + "was not in memory: %d after %.1f s while frozen (a report on it %d), %d with the command after the thaw%n",
                    FROZEN.toSeconds(), PER_SECOND, total, accepted.size(), accepted.size(), logged.size(),
                    refused.size(), prompt, medianRefusal, slowestRefusal, slowestAccept, firstOkAfterThaw,
                    frozenPoll.statusCode(), frozenPollSeconds, frozenReport.statusCode(), thawedPoll.statusCode());
        }
    }

    /** A command for the agent freeze-agent on hookline.commands, once the gateway holds it. */
    static Command waitingCommand(String bootstrap, HttpClient http, int gatewayPort) throws Exception {
        String id = "cmd_" + java.util.UUID.randomUUID().toString().replace("-", "");
        Instant now = Instant.now();
        Command command = Command.newBuilder().setCommandId(id).setCreatedAt(now)
                .setCause(ChainCause.newBuilder().setCommandId(id).setRule("offsite").setDepth(1).setUpstream(List.of())
                        .build())
                .setKind(ActionKind.AGENT).setAgent("freeze-agent").setAction("copy").setJobKey("freeze-agent/copy")
                .setParameters(Map.of()).setNotBefore(now).setExpiresAt(now.plusSeconds(3600)).build();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("hookline.commands", "freeze-agent",
                    AvroSerde.of(Command.class).encode(command))).get(30, TimeUnit.SECONDS);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body().lines()
                .anyMatch(line -> line.equals("hookline_agent_commands_pending 1.0"))) {
            assertTrue(System.nanoTime() < deadline, "the gateway never held the command");
            TimeUnit.MILLISECONDS.sleep(100);
        }
        return command;
    }

    static HttpRequest agentPoll(int gatewayPort) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + "/agent/v1/commands?wait=0"))
                .header("Authorization", "Bearer " + AGENT_TOKEN).timeout(Duration.ofSeconds(30)).build();
    }

    static HttpRequest agentRefusal(int gatewayPort, Command command) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + "/agent/v1/commands/"
                + command.getCommandId() + "/refused")).header("Authorization", "Bearer " + AGENT_TOKEN)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("reason=copy+is+not+configured"))
                .timeout(Duration.ofSeconds(30)).build();
    }

    static HttpRequest hook(int gatewayPort, int pid) {
        String cmd = b64("--backup-point=/vmfs/volumes/nas --backup-vms=\"VM1\" --backup-id=frozen");
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + "/hooks/xsibackup/" + TOKEN
                + "/success?" + b64("PID=" + pid + "|t=30|hostname=esxi-freeze|cmd=" + cmd)))
                .timeout(Duration.ofSeconds(60)).build();
    }

    /** The run ids (XSIBackup's PIDs) of every event on hookline.events. */
    static Set<String> runIds(String bootstrap) {
        AvroSerde<BackupEvent> serde = AvroSerde.of(BackupEvent.class);
        Set<String> ids = new HashSet<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor("hookline.events").stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    ids.add(serde.decode(record.value()).getRunId());
                }
            }
        }
        return ids;
    }

    static void sleepUntil(long nanos) throws InterruptedException {
        long left = nanos - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
