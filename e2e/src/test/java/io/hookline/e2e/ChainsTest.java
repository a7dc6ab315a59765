package io.hookline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hookline.devstack.LocalKafka;

/**
 * Chains through the whole stack: the real broker, gateway, processor and sh agent, as separate processes. Under
 * load while the processor is killed (SIGKILL, not a stop) again and again, at whatever step each trigger is in
 * (folding the upstream run, writing the command, folding the agent's reports), every upstream run's command runs
 * exactly once; a fan-in runs once every upstream succeeded, and not while one has failed; an enforced retention
 * policy prunes through the agent's prune action and the deletion is folded back into the job; and on the same stack,
 * alert delivery stopped by a second member under its id shows on its gauge and its health until it reads again.
 */
class ChainsTest {

    static final Path ROOT = LocalRunTest.ROOT;
    static final String TOKEN = "e2e-chain-token-0123456789abcdef";
    static final String OPERATOR = "e2e-chain-operator-0123456789abcdef";
    static final int RUNS = 120;
    static final int KILLS = 5;
    static final int FAILURES = 60;

    @TempDir
    Path home;

    final HttpClient http = HttpClient.newHttpClient();

    Processes processes;

    @org.junit.jupiter.api.BeforeEach
    void processes() {
        processes = new Processes(home);
    }

    @org.junit.jupiter.api.AfterEach
    void stopAll() {
        processes.close();
    }

    Process java(String name, List<String> arguments) throws IOException {
        return processes.java(name, arguments);
    }

    void awaitReady(String name, int port, Process process) throws Exception {
        processes.awaitReady(name, port, process);
    }

    Process processor(String bootstrap, int port, Path rules) throws IOException {
        return java("processor", List.of("-Xmx384m", "-Dquarkus.http.port=" + port, "-Dkafka.bootstrap.servers=" + bootstrap,
                "-Dhookline.state-dir=" + home.resolve("processor-state"), "-Dhookline.instance-id=e2e-chain",
                "-Dhookline.rules=" + rules, "-Dhookline.api.users.e2e.role=operate",
                "-Dhookline.api.users.e2e.token=" + OPERATOR,
                "-jar", ROOT.resolve("processor/target/quarkus-app/quarkus-run.jar").toString()));
    }

    static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Successes that start a chain, and among them failures of other jobs, each its own alert, while the processor is
     * SIGKILLed five times. Every run's command runs once; the webhook receiver gets every job's alert, and an alert
     * it gets again (a delivery the kill interrupted before it was recorded) carries the same idempotency key
     * ({@code webhook-id}): no alert is lost and none becomes two notifications.
     */
    @Test
    void everyTriggerRunsOnceAndEveryAlertIsOneNotificationThoughTheProcessorIsKilledAtAnyStep() throws Exception {
        int kafkaPort = LocalRunTest.freePortPair();
        int gatewayPort = LocalKafka.freePort();
        int processorPort = LocalKafka.freePort();
        Map<String, Set<String>> keysByAlert = new java.util.concurrent.ConcurrentHashMap<>();
        Map<String, Long> firstArrival = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicInteger deliveries = new AtomicInteger();
        com.sun.net.httpserver.HttpServer receiver = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        receiver.createContext("/alerts", exchange -> {
            com.fasterxml.jackson.databind.JsonNode body = json.readTree(exchange.getRequestBody().readAllBytes());
            String step = body.path("type").asText() + " " + body.path("data").path("alertKey").asText();
            keysByAlert.computeIfAbsent(step, k -> java.util.concurrent.ConcurrentHashMap.newKeySet())
                    .add(exchange.getRequestHeaders().getFirst("webhook-id"));
            firstArrival.putIfAbsent(step, System.nanoTime());
            deliveries.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        Path rules = home.resolve("rules.yaml");
        Files.writeString(rules, """
                receivers:
                  - {name: sink, type: webhook, url: "http://127.0.0.1:%d/alerts", max-attempts: 20}
                default-receiver: sink
                chains:
                  - name: copy-after-load
                    when: {job: "load-xsi/esxi-load/*", on: succeeded}
                    expire-after: 30m
                    run:
                      - {agent: load-agent, action: count}
                """.formatted(receiver.getAddress().getPort()));
        Path ran = home.resolve("ran.txt");
        Files.writeString(home.resolve("agent.conf"), "HOOKLINE_URL=http://127.0.0.1:" + gatewayPort
                + "\nHOOKLINE_AGENT_TOKEN=" + TOKEN + "\nHOOKLINE_AGENT_STATE=" + home.resolve("agent")
                + "\nHOOKLINE_AGENT_WAIT=5\naction count = echo \"$HOOKLINE_JOB $HOOKLINE_RUN_ID\" >> '" + ran + "'\n");

        try (LocalKafka kafka = new LocalKafka(home.resolve("kafka"), kafkaPort, kafkaPort + 1).start(Duration.ofMinutes(2))) {
            String bootstrap = kafka.bootstrapServers();
            startStack(bootstrap, gatewayPort, processorPort, rules);
            Process processor = this.runningProcessor;

            // The load, about 7 hooks a second, each acknowledged: RUNS successful XSIBackup runs over five jobs,
            // and after every second one a failed run of a job of its own (FAILURES of them).
            AtomicInteger sent = new AtomicInteger();
            java.util.SortedSet<String> expected = new java.util.TreeSet<>();
            for (int i = 0; i < RUNS; i++) {
                expected.add("load-xsi/esxi-load/j" + (i % 5) + " " + (20_000 + i));
            }
            java.util.SortedSet<String> expectedAlerts = new java.util.TreeSet<>();
            for (int f = 0; f < FAILURES; f++) {
                expectedAlerts.add("alert.firing load-xsi/esxi-fail/f" + f + "/failed");
            }
            java.util.function.IntPredicate failure = i -> i % 3 == 2;
            // Kill the processor while hooks arrive, commands run and alerts go out, at moments that differ.
            List<Integer> killedAfter = hooksWhileKilling(gatewayPort, bootstrap, processorPort, rules, processor, sent,
                    RUNS + FAILURES, i -> failure.test(i) ? "error" : "success", i -> failure.test(i)
                            ? "PID=" + (80_000 + i / 3) + "|t=30|hostname=esxi-fail|cmd=" + b64("--backup-point=/vmfs/volumes/nas"
                                    + " --backup-vms=\"VM1\" --backup-id=f" + i / 3) + "|err=" + b64("VM1: snapshot failed")
                            : "PID=" + (20_000 + i - i / 3) + "|t=30|hostname=esxi-load|cmd=" + b64("--backup-point=/vmfs/volumes/nas"
                                    + " --backup-vms=\"VM" + (i - i / 3) % 5 + "\" --backup-id=j" + (i - i / 3) % 5),
                    KILLS, 1_500, 600);
            assertEquals(RUNS + FAILURES, sent.get(), "every hook acknowledged");

            // Every run's command ran once, and every alert arrived: wait for all, then a while longer for repeats.
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
            while ((lines(ran).size() < RUNS || !keysByAlert.keySet().containsAll(expectedAlerts))
                    && System.nanoTime() < deadline) {
                TimeUnit.SECONDS.sleep(1);
            }
            TimeUnit.SECONDS.sleep(10);
            List<String> runs = lines(ran);
            Map<String, Integer> counts = new TreeMap<>();
            runs.forEach(line -> counts.merge(line, 1, Integer::sum));
            counts.values().removeIf(count -> count == 1);
            assertEquals(Map.of(), counts, "actions that ran more than once (kills after " + killedAfter + " hooks)");
            assertEquals(expected, new java.util.TreeSet<>(runs), "every upstream run's action ran");

            // Alerts go out again soon after a crash: the restarted processor takes its partitions of hookline.alerts
            // back at once (a new member of the delivery group waited 45 s for the killed one's session to expire).
            long lastAlertAfterRestart = TimeUnit.NANOSECONDS.toSeconds(
                    firstArrival.values().stream().mapToLong(Long::longValue).max().orElseThrow() - lastReady);
            assertTrue(lastAlertAfterRestart < 30, "the last alert arrived " + lastAlertAfterRestart
                    + " s after the last restart was ready");

            // And hookline.commands, as a read_committed consumer sees it, holds each command once.
            List<String> ids = commandIds(bootstrap);
            assertEquals(RUNS, ids.size(), "commands on hookline.commands");
            assertEquals(RUNS, new HashSet<>(ids).size(), "distinct commands on hookline.commands");

            // The receiver: each failure's alert, nothing else, and each under one key however often it came.
            assertEquals(expectedAlerts, new java.util.TreeSet<>(keysByAlert.keySet()),
                    "alert steps at the webhook (kills after " + killedAfter + " hooks)");
            Map<String, Set<String>> twoKeys = new TreeMap<>(keysByAlert);
            twoKeys.values().removeIf(keys -> keys.size() == 1);
            assertEquals(Map.of(), twoKeys, "alerts sent as more than one notification (their webhook-ids)");

            // What the read API keeps in memory (the jobs by status and host, the open alerts and their count) is
            // rebuilt from the stores at each start: after five kills it holds every job and alert once.
            java.util.SortedSet<String> failingJobs = new java.util.TreeSet<>();
            java.util.SortedSet<String> firingAlerts = new java.util.TreeSet<>();
            for (int f = 0; f < FAILURES; f++) {
                failingJobs.add("load-xsi/esxi-fail/f" + f);
                firingAlerts.add("load-xsi/esxi-fail/f" + f + "/failed");
            }
            HttpResponse<String> failingList = get(processorPort, "/api/jobs?status=failing&limit=1000");
            assertEquals(Integer.toString(FAILURES), failingList.headers().firstValue("X-Total-Count").orElse(""));
            java.util.SortedSet<String> listed = new java.util.TreeSet<>();
            json.readTree(failingList.body()).forEach(job -> listed.add(job.path("jobKey").asText()));
            assertEquals(failingJobs, listed, "the failing jobs after the restarts");
            java.util.SortedSet<String> onHost = new java.util.TreeSet<>();
            json.readTree(get(processorPort, "/api/jobs?host=esxi-load&status=ok").body())
                    .forEach(job -> onHost.add(job.path("jobKey").asText()));
            assertEquals(new java.util.TreeSet<>(List.of("load-xsi/esxi-load/j0", "load-xsi/esxi-load/j1",
                    "load-xsi/esxi-load/j2", "load-xsi/esxi-load/j3", "load-xsi/esxi-load/j4")), onHost);
            HttpResponse<String> firingList = get(processorPort, "/api/alerts?status=firing&limit=1000");
            assertEquals(Integer.toString(FAILURES), firingList.headers().firstValue("X-Total-Count").orElse(""));
            java.util.SortedSet<String> firing = new java.util.TreeSet<>();
            json.readTree(firingList.body()).forEach(alert -> firing.add(alert.path("alertKey").asText()));
            assertEquals(firingAlerts, firing, "the firing alerts after the restarts");
            long failingCount = 0;
            for (com.fasterxml.jackson.databind.JsonNode row : json.readTree(get(processorPort, "/api/jobs/summary")
                    .body())) {
                if (row.path("field").asText().equals("status") && row.path("value").asText().equals("failing")) {
                    failingCount = row.path("count").asLong();
                }
            }
            assertEquals(FAILURES, failingCount, "the overview's failing count");
            System.out.printf("chain and alerts under %d SIGKILLs of the processor (after %s of %d hooks): %d commands, "
                    + "%d actions run, none twice; %d alerts at the webhook, each under one key, in %d deliveries, the last "
                    + "%d s after the last restart%n", KILLS, killedAfter, RUNS + FAILURES, ids.size(), runs.size(),
                    keysByAlert.size(), deliveries.get(), lastAlertAfterRestart);
        } finally {
            receiver.stop(0);
        }
    }

    /** An XSIBackup run of {@code job} on esxi-fan, answered OK once the broker has it. */
    void hook(int gatewayPort, String job, int pid, boolean ok) throws Exception {
        String cmd = b64("--backup-point=/vmfs/volumes/nas --backup-vms=\"VM1\" --backup-id=" + job);
        String query = b64("PID=" + pid + "|t=30|hostname=esxi-fan|cmd=" + cmd + (ok ? "" : "|err=" + b64("VM1: snapshot failed")));
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort
                + "/hooks/xsibackup/" + TOKEN + (ok ? "/success?" : "/error?") + query)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("OK", answer.body());
    }

    /**
     * A fan-in and an enforced retention policy through the real agent, on one stack (each start of a broker,
     * gateway, processor and agent costs about 20 s; their jobs are on different hosts and the policy matches only
     * its own).
     */
    @Test
    void aFanInAndAnEnforcedPolicyRunThroughTheRealAgent() throws Exception {
        int kafkaPort = LocalRunTest.freePortPair();
        int gatewayPort = LocalKafka.freePort();
        int processorPort = LocalKafka.freePort();
        Path backups = Files.createDirectories(home.resolve("vmfs/volumes/backup"));
        Path elsewhere = Files.createDirectories(home.resolve("vmfs/volumes/other"));
        Path rules = home.resolve("rules.yaml");
        Files.writeString(rules, """
                receivers:
                  - {name: console, type: console}
                default-receiver: console
                chains:
                  - name: verify-both
                    after:
                      - {job: "load-xsi/esxi-fan/copy-a", on: succeeded}
                      - {job: "load-xsi/esxi-fan/copy-b", on: succeeded}
                    within: 1h
                    run:
                      - {agent: load-agent, action: verify}
                retention:
                  - match: "load-xsi/esxi-prune/*"
                    keep-last: 2
                    enforce: true
                    prune: {agent: load-agent, action: prune-xsibackup}
                """);
        Path ran = home.resolve("verified.txt");
        // The agent's own configuration names the only root its prune may touch.
        Files.writeString(home.resolve("agent.conf"), "HOOKLINE_URL=http://127.0.0.1:" + gatewayPort
                + "\nHOOKLINE_AGENT_TOKEN=" + TOKEN + "\nHOOKLINE_AGENT_STATE=" + home.resolve("agent")
                + "\nHOOKLINE_AGENT_WAIT=5\naction verify = echo \"$HOOKLINE_UPSTREAM_JOBS after $HOOKLINE_RUN_ID\" >> '"
                + ran + "'\naction prune-xsibackup = sh '" + ROOT.resolve("shims/agent/prune/hookline-prune-folder")
                + "' --xsibackup --window 2 '" + backups + "'\n");
        try (LocalKafka kafka = new LocalKafka(home.resolve("kafka"), kafkaPort, kafkaPort + 1).start(Duration.ofMinutes(2))) {
            startStack(kafka.bootstrapServers(), gatewayPort, processorPort, rules);
            aFanInRunsItsActionOnceWhenEveryUpstreamSucceededAndNotWhileOneFailed(gatewayPort, processorPort, ran);
            commandsWaitingWhenTheGatewayIsKilledAreEachRunOnceAfterItsRestart(kafka.bootstrapServers(), gatewayPort,
                    processorPort, ran);
            anEnforcedPolicyPrunesThroughTheRealAgentAndItsResultIsFoldedBack(gatewayPort, processorPort, backups,
                    elsewhere);
            aSecondProcessorUnderTheSameInstanceIdShowsOnTheGaugeAndTheHealthUntilDeliveryReadsAgain(
                    kafka.bootstrapServers(), processorPort);
        }
    }

    /**
     * A consumer that joins alert delivery's group under the processor's own static member id, as a second processor
     * started with the same hookline.instance-id does, stops the processor's delivery: hookline_delivery_stopped is 1
     * for hookline.alerts and /q/health/ready is down naming what to do, until delivery reads again by itself.
     */
    void aSecondProcessorUnderTheSameInstanceIdShowsOnTheGaugeAndTheHealthUntilDeliveryReadsAgain(String bootstrap,
            int processorPort) throws Exception {
        String gauge = "hookline_delivery_stopped{topic=\"hookline.alerts\"}";
        assertEquals("0.0", metric(processorPort, gauge), "delivery reads before the intruder joins");
        Map<String, Object> config = Map.of("bootstrap.servers", bootstrap, "group.id", "hookline-dispatcher",
                "group.instance.id", "e2e-chain-dispatcher", "enable.auto.commit", "false");
        boolean stopped = false;
        try (KafkaConsumer<String, byte[]> intruder = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            intruder.subscribe(List.of("hookline.alerts"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!stopped && System.nanoTime() < deadline) {
                try {
                    intruder.poll(Duration.ofMillis(100));
                } catch (org.apache.kafka.common.errors.FencedInstanceIdException taken) {
                    break; // the processor's next consumer took the member id back
                }
                if ("1.0".equals(metric(processorPort, gauge))) {
                    stopped = true;
                    HttpResponse<String> ready = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + processorPort + "/q/health/ready")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(503, ready.statusCode(), ready.body());
                    assertTrue(ready.body().contains("another processor runs with the same hookline.instance-id: give"
                            + " each its own"), ready.body());
                }
            }
        }
        assertTrue(stopped, "the gauge showed delivery stopped");
        assertTrue(Files.readString(home.resolve("processor.log")).contains("hookline-dispatcher stopped reading"
                + " hookline.alerts: FencedInstanceIdException"), "the processor logged why");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!"0.0".equals(metric(processorPort, gauge)) && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(200);
        }
        assertEquals("0.0", metric(processorPort, gauge), "delivery reads again by itself");
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + processorPort
                + "/q/health/ready")).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
    }

    /** The value of one sample on the processor's /q/metrics, or null when it is not there. */
    String metric(int processorPort, String sample) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + processorPort + "/q/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        return text.lines().filter(line -> line.startsWith(sample + " ")).map(line -> line.substring(sample.length() + 1))
                .findFirst().orElse(null);
    }

    void aFanInRunsItsActionOnceWhenEveryUpstreamSucceededAndNotWhileOneFailed(int gatewayPort, int processorPort,
            Path ran) throws Exception {
        // copy-b's failure is folded (its run is the job's last) before its success arrives; had the failure
        // completed the fan-in, its command would run before the success's and show in the file below.
        hook(gatewayPort, "copy-a", 31_001, true);
        // The jobs' events lie in different partitions, each folded by its own task, which need not have
        // started together: copy-a's success is folded (and its step sent to the fan-in) before copy-b's runs
        // are sent, so that copy-b's success is the step that completes the fan-in.
        view(processorPort, "load-xsi/esxi-fan/copy-a", job -> job.path("lastRun").path("runId").asText().equals("31001"));
        hook(gatewayPort, "copy-b", 31_002, false);
        view(processorPort, "load-xsi/esxi-fan/copy-b", job -> job.path("lastRun").path("runId").asText().equals("31002"));
        assertEquals(List.of(), lines(ran), "copy-b failed: verify-both waits");

        hook(gatewayPort, "copy-b", 31_003, true);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (lines(ran).isEmpty() && System.nanoTime() < deadline) {
            TimeUnit.SECONDS.sleep(1);
        }
        TimeUnit.SECONDS.sleep(8);
        assertEquals(List.of("load-xsi/esxi-fan/copy-a,load-xsi/esxi-fan/copy-b after 31003"), lines(ran),
                "verified once, after the run of copy-b that completed the fan-in");
    }

    /**
     * Commands queued while the agent is away, then the gateway SIGKILLed: the new gateway (holding no record in
     * memory) reads hookline.commands again, holds where each record is, reads each again to deliver it, and the agent
     * runs each once; the commands it had run before the kill, delivered again, it says it handled.
     */
    void commandsWaitingWhenTheGatewayIsKilledAreEachRunOnceAfterItsRestart(String bootstrap, int gatewayPort,
            int processorPort, Path ran) throws Exception {
        // The agent away: its shell and the poll it waits in (curl would poll on without the shell).
        List<ProcessHandle> poll = runningAgent.descendants().toList();
        runningAgent.destroy();
        poll.forEach(ProcessHandle::destroy);
        assertTrue(runningAgent.waitFor(30, TimeUnit.SECONDS), "the agent stopped");
        int before = lines(ran).size();
        for (int round = 0; round < 2; round++) {
            int a = 31_101 + 2 * round;
            hook(gatewayPort, "copy-a", a, true);
            view(processorPort, "load-xsi/esxi-fan/copy-a", job -> job.path("lastRun").path("runId").asText()
                    .equals(Integer.toString(a)));
            hook(gatewayPort, "copy-b", a + 1, true);
            view(processorPort, "load-xsi/esxi-fan/copy-b", job -> job.path("lastRun").path("runId").asText()
                    .equals(Integer.toString(a + 1)));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!"2.0".equals(metric(gatewayPort, "hookline_agent_commands_pending"))
                && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(250);
        }
        assertEquals("2.0", metric(gatewayPort, "hookline_agent_commands_pending"),
                "the two fan-ins' commands wait at the gateway");

        runningGateway.destroyForcibly();
        assertTrue(runningGateway.waitFor(30, TimeUnit.SECONDS), "the gateway was killed");
        Process gateway = gateway(bootstrap, gatewayPort, true);
        awaitReady("gateway", gatewayPort, gateway);
        runningGateway = gateway;
        runningAgent = agent();

        List<String> expected = List.of("load-xsi/esxi-fan/copy-a,load-xsi/esxi-fan/copy-b after 31102",
                "load-xsi/esxi-fan/copy-a,load-xsi/esxi-fan/copy-b after 31104");
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (lines(ran).size() < before + 2 && System.nanoTime() < deadline) {
            TimeUnit.SECONDS.sleep(1);
        }
        TimeUnit.SECONDS.sleep(8);
        List<String> after = lines(ran).subList(before, lines(ran).size());
        assertEquals(expected, after.stream().sorted().toList(), "each waiting command ran once after the restart");
        assertEquals("0.0", metric(gatewayPort, "hookline_agent_commands_pending"), "none left waiting");
        String read = metric(gatewayPort, "hookline_agent_commands_records_read_total");
        assertTrue(read != null && Double.parseDouble(read) >= 2, "their records were read again: " + read);
    }

    void anEnforcedPolicyPrunesThroughTheRealAgentAndItsResultIsFoldedBack(int gatewayPort, int processorPort,
            Path backups, Path elsewhere) throws Exception {
        java.time.format.DateTimeFormatter stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHHmmss")
                .withZone(java.time.ZoneOffset.UTC);
        // Three nights of one job, each run's folder named by its start as XSIBackup names it (t=30 s before
        // the hook); and three of a job whose backup point is not the agent's root.
        List<Path> folders = new ArrayList<>();
        for (int night = 1; night <= 3; night++) {
            Path folder = Files.createDirectories(backups.resolve(stamp.format(java.time.Instant.now()
                    .minusSeconds(30)) + "/VM1"));
            folders.add(folder.getParent());
            xsiHook(gatewayPort, "nightly", 41_000 + night, backups);
            Files.createDirectories(elsewhere.resolve(Integer.toString(night)));
            xsiHook(gatewayPort, "other", 42_000 + night, elsewhere);
            TimeUnit.MILLISECONDS.sleep(5_100);
        }

        com.fasterxml.jackson.databind.JsonNode nightly = retention(processorPort, "load-xsi/esxi-prune/nightly",
                view -> view.path("restorePoints").size() == 2 && view.path("pendingPrunes").isEmpty());
        assertFalse(Files.exists(folders.get(0)), "the oldest night's folder was deleted by the agent");
        assertTrue(Files.isDirectory(folders.get(1)) && Files.isDirectory(folders.get(2)), "the two kept ones stay");
        assertEquals(List.of("xsibackup-41003", "xsibackup-41002"), ids(nightly));

        com.fasterxml.jackson.databind.JsonNode other = retention(processorPort, "load-xsi/esxi-prune/other",
                view -> view.path("pendingPrunes").size() == 1
                        && view.path("pendingPrunes").get(0).path("status").asText().equals("failed"));
        assertEquals(3, other.path("restorePoints").size(), "a refused prune deletes nothing: " + other);
        String error = other.path("pendingPrunes").get(0).path("error").asText();
        assertTrue(error.contains("refused") && error.contains("is not " + backups), error);
        assertTrue(other.path("pendingPrunes").get(0).path("retryAt").asText().length() > 0);
        for (int night = 1; night <= 3; night++) {
            assertTrue(Files.isDirectory(elsewhere.resolve(Integer.toString(night))));
        }
        String alerts = get(processorPort, "/api/alerts").body();
        assertTrue(alerts.contains("load-agent/prune-xsibackup"), "the failed prune alerts: " + alerts);
        System.out.printf("retention through the sh agent: %s pruned and its folder deleted; a prune outside the "
                + "agent's root refused, kept, retried at %s%n", "xsibackup-41001",
                other.path("pendingPrunes").get(0).path("retryAt").asText());
    }

    @Test
    void everyPruneIsRunOnceAndFoldedBackThoughTheProcessorIsKilledAgainAndAgain() throws Exception {
        int kafkaPort = LocalRunTest.freePortPair();
        int gatewayPort = LocalKafka.freePort();
        int processorPort = LocalKafka.freePort();
        int nights = 40;
        Path rules = home.resolve("rules.yaml");
        Files.writeString(rules, """
                receivers:
                  - {name: console, type: console}
                default-receiver: console
                retention:
                  - match: "load-xsi/esxi-kill/*"
                    keep-last: 2
                    enforce: true
                    prune: {agent: load-agent, action: prune-count}
                """);
        Path pruned = home.resolve("pruned.txt");
        Files.writeString(home.resolve("agent.conf"), "HOOKLINE_URL=http://127.0.0.1:" + gatewayPort
                + "\nHOOKLINE_AGENT_TOKEN=" + TOKEN + "\nHOOKLINE_AGENT_STATE=" + home.resolve("agent")
                + "\nHOOKLINE_AGENT_WAIT=5\naction prune-count = echo \"$HOOKLINE_RESTORE_POINT\" >> '" + pruned + "'\n");
        try (LocalKafka kafka = new LocalKafka(home.resolve("kafka"), kafkaPort, kafkaPort + 1).start(Duration.ofMinutes(2))) {
            String bootstrap = kafka.bootstrapServers();
            startStack(bootstrap, gatewayPort, processorPort, rules);
            Process processor = this.runningProcessor;
            AtomicInteger sent = new AtomicInteger();
            List<Integer> killedAfter = hooksWhileKilling(gatewayPort, bootstrap, processorPort, rules, processor, sent,
                    nights, i -> "PID=" + (60_001 + i) + "|t=30|hostname=esxi-kill|cmd=" + b64("--backup-point=/vmfs/volumes/nas"
                            + " --backup-vms=\"VM1\" --backup-id=nightly"), 3, 1_800, 900);
            assertEquals(nights, sent.get(), "every hook acknowledged");

            // keep-last 2 of 40: the 38 oldest pruned, each exactly once, and gone from the job.
            com.fasterxml.jackson.databind.JsonNode view = retention(processorPort, "load-xsi/esxi-kill/nightly",
                    v -> v.path("restorePoints").size() == 2 && v.path("pendingPrunes").isEmpty());
            assertEquals(List.of("xsibackup-" + (60_000 + nights), "xsibackup-" + (60_000 + nights - 1)), ids(view));
            TimeUnit.SECONDS.sleep(8);
            Map<String, Integer> counts = new TreeMap<>();
            lines(pruned).forEach(line -> counts.merge(line, 1, Integer::sum));
            java.util.Set<String> expected = new java.util.TreeSet<>();
            for (int night = 1; night <= nights - 2; night++) {
                expected.add("xsibackup-" + (60_000 + night));
            }
            assertEquals(expected, counts.keySet(), "every pruned point's action ran (kills after " + killedAfter + ")");
            counts.values().removeIf(count -> count == 1);
            assertEquals(Map.of(), counts, "prunes that ran more than once");
            List<String> ids = commandIds(bootstrap);
            assertEquals(ids.size(), new HashSet<>(ids).size(), "each prune once on hookline.commands");
            assertEquals(nights - 2, ids.size(), "one command per pruned point");
            System.out.printf("retention under %d SIGKILLs of the processor (after %s of %d hooks): %d prunes, "
                    + "each run once and folded back%n", killedAfter.size(), killedAfter, nights, ids.size());
        }
    }

    /**
     * Sends {@code count} successful XSIBackup hooks ({@code query.apply(i)}, each retried until acknowledged) while
     * the processor is SIGKILLed {@code kills} times, the first after {@code firstMs}, each next {@code stepMs}
     * later than the one before; answers how many hooks had been acknowledged at each kill.
     */
    List<Integer> hooksWhileKilling(int gatewayPort, String bootstrap, int processorPort, Path rules, Process processor,
            AtomicInteger sent, int count, java.util.function.IntFunction<String> query, int kills, long firstMs,
            long stepMs) throws Exception {
        return hooksWhileKilling(gatewayPort, bootstrap, processorPort, rules, processor, sent, count, i -> "success",
                query, kills, firstMs, stepMs);
    }

    /** The same with XSIBackup's hook for each ({@code success} or {@code error}). */
    List<Integer> hooksWhileKilling(int gatewayPort, String bootstrap, int processorPort, Path rules, Process processor,
            AtomicInteger sent, int count, java.util.function.IntFunction<String> hookName,
            java.util.function.IntFunction<String> query, int kills, long firstMs, long stepMs) throws Exception {
        Thread load = new Thread(() -> {
            try {
                for (int i = 0; i < count; i++) {
                    HttpRequest hook = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort
                            + "/hooks/xsibackup/" + TOKEN + "/" + hookName.apply(i) + "?" + b64(query.apply(i))))
                            .timeout(Duration.ofSeconds(30)).build();
                    while (true) {
                        HttpResponse<String> answer = http.send(hook, HttpResponse.BodyHandlers.ofString());
                        if (answer.statusCode() == 200 && answer.body().equals("OK")) {
                            break;
                        }
                        TimeUnit.MILLISECONDS.sleep(200);
                    }
                    sent.incrementAndGet();
                    TimeUnit.MILLISECONDS.sleep(120);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "load");
        load.start();
        List<Integer> killedAfter = new ArrayList<>();
        Process running = processor;
        for (int kill = 0; kill < kills; kill++) {
            TimeUnit.MILLISECONDS.sleep(firstMs + kill * stepMs);
            killedAfter.add(sent.get());
            running.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            running = processor(bootstrap, processorPort, rules);
            awaitReady("processor", processorPort, running);
            lastReady = System.nanoTime();
        }
        load.join(TimeUnit.MINUTES.toMillis(5));
        return killedAfter;
    }

    /** A successful XSIBackup run of {@code job} on esxi-prune into {@code backupPoint}, 30 s long. */
    void xsiHook(int gatewayPort, String job, int pid, Path backupPoint) throws Exception {
        String cmd = b64("--backup-point=" + backupPoint + " --backup-vms=\"VM1\" --backup-id=" + job);
        String query = b64("PID=" + pid + "|t=30|hostname=esxi-prune|cmd=" + cmd);
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort
                + "/hooks/xsibackup/" + TOKEN + "/success?" + query)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("OK", answer.body());
    }

    HttpResponse<String> get(int processorPort, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + processorPort + path))
                .header("Authorization", "Bearer " + OPERATOR).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GET /api/jobs/{key}/retention once it satisfies the condition (90 s at most). */
    com.fasterxml.jackson.databind.JsonNode retention(int processorPort, String jobKey,
            java.util.function.Predicate<com.fasterxml.jackson.databind.JsonNode> condition) throws Exception {
        return view(processorPort, jobKey + "/retention", condition);
    }

    /** GET /api/jobs/{path} once it satisfies the condition (90 s at most). */
    com.fasterxml.jackson.databind.JsonNode view(int processorPort, String path,
            java.util.function.Predicate<com.fasterxml.jackson.databind.JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = get(processorPort, "/api/jobs/" + path);
            last = response.statusCode() + " " + response.body();
            if (response.statusCode() == 200) {
                com.fasterxml.jackson.databind.JsonNode view = new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(response.body());
                if (condition.test(view)) {
                    return view;
                }
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        throw new AssertionError(path + " never as expected: " + last + "\nagent log:\n"
                + Files.readString(home.resolve("agent.log")));
    }

    static List<String> ids(com.fasterxml.jackson.databind.JsonNode view) {
        List<String> ids = new ArrayList<>();
        view.path("restorePoints").forEach(point -> ids.add(point.path("id").asText()));
        return ids;
    }

    /** The gateway, the processor and the sh agent (configured by home/agent.conf) on the broker. */
    void startStack(String bootstrap, int gatewayPort, int processorPort, Path rules) throws Exception {
        Process gateway = gateway(bootstrap, gatewayPort, true);
        Process processor = processor(bootstrap, processorPort, rules);
        awaitReady("gateway", gatewayPort, gateway);
        awaitReady("processor", processorPort, processor);
        this.runningGateway = gateway;
        this.runningProcessor = processor;
        this.runningAgent = agent();
    }

    /**
     * The gateway; {@code noRecordsInMemory}: holding none of the commands' records in memory, so that each command
     * it delivers is read again from hookline.commands at its offset, as a gateway with more waiting than
     * hookline.agents.records-in-memory does.
     */
    Process gateway(String bootstrap, int gatewayPort, boolean noRecordsInMemory) throws IOException {
        return java("gateway", List.of("-Xmx256m", "-Dquarkus.http.port=" + gatewayPort,
                "-Dkafka.bootstrap.servers=" + bootstrap,
                "-Dhookline.agents.records-in-memory=" + (noRecordsInMemory ? "0" : "16M"),
                "-Dhookline.sources.load-xsi.kind=xsibackup", "-Dhookline.sources.load-xsi.token=" + TOKEN,
                "-Dhookline.sources.load-xsi.rate-limit=1000",
                "-Dhookline.sources.load-agent.kind=agent", "-Dhookline.sources.load-agent.token=" + TOKEN,
                "-Dhookline.sources.load-agent.rate-limit=1000",
                "-jar", ROOT.resolve("gateway/target/quarkus-app/quarkus-run.jar").toString()));
    }

    /** The sh agent, configured by home/agent.conf, its output appended to home/agent.log. */
    Process agent() throws IOException {
        ProcessBuilder agentBuilder = new ProcessBuilder("sh", ROOT.resolve("shims/agent/hookline-agent").toString(),
                "--config", home.resolve("agent.conf").toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("agent.log").toFile()));
        agentBuilder.environment().keySet().removeIf(key -> key.startsWith("HOOKLINE_"));
        return processes.start(agentBuilder);
    }

    /** The gateway and the agent startStack started. */
    Process runningGateway;
    Process runningAgent;

    /** When the processor hooksWhileKilling last started was ready ({@link System#nanoTime()}). */
    volatile long lastReady;

    /** The processor startStack started. */
    Process runningProcessor;

    static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList() : List.of();
    }

    static List<String> commandIds(String bootstrap) {
        Map<String, Object> config = new HashMap<>(Map.of("bootstrap.servers", bootstrap,
                "group.id", "e2e-commands-" + UUID.randomUUID(), "auto.offset.reset", "earliest",
                "isolation.level", "read_committed"));
        List<String> ids = new ArrayList<>();
        Set<String> seenKeys = new HashSet<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("hookline.commands"));
            long quietSince = System.nanoTime();
            while (System.nanoTime() - quietSince < TimeUnit.SECONDS.toNanos(5)) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    quietSince = System.nanoTime();
                    seenKeys.add(record.key());
                    String id = new String(record.headers().lastHeader("ce_id").value(), StandardCharsets.UTF_8);
                    ids.add(id);
                }
            }
        }
        assertTrue(seenKeys.equals(Set.of("load-agent")) || seenKeys.isEmpty(), "keyed by the agent: " + seenKeys);
        return ids;
    }
}
