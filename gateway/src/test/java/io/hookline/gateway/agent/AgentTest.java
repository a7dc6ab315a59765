package io.hookline.gateway.agent;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.hookline.devstack.SharedKafka;
import io.hookline.gateway.HookTopics;
import io.hookline.gateway.KafkaTestResource;
import io.hookline.schema.ActionKind;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.ChainCause;
import io.hookline.schema.Command;
import io.hookline.schema.EventType;
import io.hookline.schema.RunOutcome;
import io.hookline.schema.SourceKind;
import io.hookline.schema.UpstreamRun;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.topics.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The real sh agent ({@code shims/agent/hookline-agent}) against the running gateway and broker: commands are
 * written to hookline.commands as the processor writes them, and what the agent did is read back from
 * hookline.events and from the files its actions wrote.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class AgentTest {

    static final Topics TOPICS = Topics.withDefaultPrefix();
    static KafkaProducer<String, byte[]> producer;

    @RegisterExtension
    static final HookTopics topics = new HookTopics();

    @TestHTTPResource("/")
    URL root;

    @Inject
    CommandBoard board;

    @TempDir
    Path dir;

    @BeforeAll
    static void connect() {
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", SharedKafka.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void disconnect() {
        producer.close();
    }

    static String token(String agent) {
        return "test-token-agent-" + agent + "-0123456789";
    }

    /** A command as the processor writes it, for an upstream run of esxi-prod/nightly. */
    static Command command(String agent, String action, Map<String, String> parameters, Instant notBefore) {
        String id = "cmd_" + UUID.randomUUID().toString().replace("-", "");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        UpstreamRun upstream = UpstreamRun.newBuilder().setJobKey("esxi-prod/nightly").setRunId("4711")
                .setEventId("ev-" + id).setOutcome(RunOutcome.SUCCEEDED).setFinishedAt(now).build();
        return Command.newBuilder()
                .setCommandId(id)
                .setCreatedAt(now)
                .setCause(ChainCause.newBuilder().setCommandId(id).setRule("offsite").setDepth(1)
                        .setUpstream(List.of(upstream)).build())
                .setKind(ActionKind.AGENT)
                .setAgent(agent)
                .setAction(action)
                .setJobKey(agent + "/" + action)
                .setParameters(parameters)
                .setNotBefore(notBefore)
                .setExpiresAt(now.plus(Duration.ofHours(1)))
                .build();
    }

    static Command send(Command command) throws Exception {
        producer.send(new ProducerRecord<>(TOPICS.commands(), command.getAgent(),
                AvroSerde.of(Command.class).encode(command))).get(10, TimeUnit.SECONDS);
        return command;
    }

    /** The agent, its configuration in the test's folder, as an operator writes it. */
    Path agent(String agent, String... actions) throws Exception {
        Path script = dir.resolve("hookline-agent");
        Files.copy(Path.of("../shims/agent/hookline-agent").toAbsolutePath(), script);
        script.toFile().setExecutable(true);
        StringBuilder conf = new StringBuilder("# written by AgentTest\r\nHOOKLINE_URL=" + root.toString()
                .replaceAll("/$", "") + "\nHOOKLINE_AGENT_TOKEN=\"" + token(agent) + "\"\nHOOKLINE_AGENT_STATE="
                + dir.resolve("state") + "\nHOOKLINE_AGENT_WAIT=5\n");
        for (String action : actions) {
            conf.append("action ").append(action).append('\n');
        }
        Files.writeString(dir.resolve("hookline-agent.conf"), conf);
        return script;
    }

    record Run(int exitCode, String log) {
    }

    /** One poll of the agent and the commands it got ({@code --once}). */
    Run once(Path script) throws Exception {
        return once(new ProcessBuilder("sh", script.toString(), "--once"));
    }

    /** One poll of the agent started by {@code builder} (as another user, say). */
    Run once(ProcessBuilder builder) throws Exception {
        builder.redirectErrorStream(true);
        environment(builder);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the agent did not end its one poll");
        return new Run(process.exitValue(), output);
    }

    /** The agent's environment: no HOOKLINE_ variable of the test's own, a temporary folder of the test's. */
    private void environment(ProcessBuilder builder) throws Exception {
        builder.environment().keySet().removeIf(key -> key.startsWith("HOOKLINE_"));
        builder.environment().put("TMPDIR", Files.createDirectories(dir.resolve("tmp")).toString());
    }

    BackupEvent lifeEvent(Command command, EventType type) {
        return topics.event(e -> e.getType() == type && e.getCommand() != null
                && e.getCommand().getCause().getCommandId().equals(command.getCommandId()));
    }

    @Test
    void theAgentRunsAConfiguredActionWithTheRunsParametersAndReportsItsEnd() throws Exception {
        Path out = dir.resolve("copied");
        Path script = agent("nas01", "restic-copy = printf '%s|%s|%s|%s\\n' \"$HOOKLINE_JOB\" \"$HOOKLINE_RUN_ID\" "
                + "\"$HOOKLINE_REPO\" \"$HOOKLINE_COMMAND_ID\" >> '" + out + "'; echo copied 3 snapshots");
        Command command = send(command("nas01", "restic-copy", Map.of("job", "esxi-prod/nightly", "run-id", "4711",
                "repo", "s3:offsite $(touch /tmp/never) `id`"), Instant.now()));

        Run run = once(script);

        assertEquals(0, run.exitCode(), run.log());
        assertEquals("esxi-prod/nightly|4711|s3:offsite $(touch /tmp/never) `id`|" + command.getCommandId() + "\n",
                Files.readString(out), "parameters arrive as values, never run as code");
        assertEquals("nas01/restic-copy", lifeEvent(command, EventType.COMMAND_DELIVERED).getJobKey());
        BackupEvent started = lifeEvent(command, EventType.RUN_STARTED);
        assertEquals(SourceKind.AGENT, started.getSourceKind());
        assertEquals(command.getCommandId(), started.getRunId());
        BackupEvent end = lifeEvent(command, EventType.RUN_SUCCEEDED);
        assertEquals(RunOutcome.SUCCEEDED, end.getOutcome());
        assertEquals(0, end.getCommand().getExitCode());
        assertEquals("copied 3 snapshots", end.getCommand().getOutput());
        assertEquals("offsite", end.getCommand().getCause().getRule(), "the cause is the processor's, not the agent's");
        assertEquals("esxi-prod/nightly", end.getCommand().getCause().getUpstream().get(0).getJobKey());
        BackupEvent seen = topics.event(e -> e.getType() == EventType.AGENT_SEEN && e.getJobKey().equals("nas01/agent"));
        assertEquals(List.of("restic-copy"), seen.getAgent().getActions());
        assertEquals("1.0.0", seen.getAgent().getVersion());
    }

    @Test
    void aFailingActionReportsItsExitCodeAndLastLineWithSecretsScrubbed() throws Exception {
        Path script = agent("nas02", "prune = echo 'pruning'; echo 'restic forget --password=hunter2 failed: locked'; exit 3");
        Command command = send(command("nas02", "prune", Map.of(), Instant.now()));

        once(script);

        BackupEvent end = lifeEvent(command, EventType.RUN_FAILED);
        assertEquals(RunOutcome.FAILED, end.getOutcome());
        assertEquals("3", end.getErrorCode());
        assertTrue(end.getErrorMessage().startsWith("exit code 3: restic forget --password=***"), end.getErrorMessage());
        assertFalse(end.toString().contains("hunter2"), "no secret reaches the topic: " + end);
        assertTrue(end.getCommand().getOutput().startsWith("pruning\n"), end.getCommand().getOutput());
    }

    @Test
    void anActionTheConfigurationDoesNotListIsRefusedAndNeverRun() throws Exception {
        Path marker = dir.resolve("ran");
        Path script = agent("nas03", "verify = touch '" + marker + "'");
        Command command = send(command("nas03", "rm-everything", Map.of(), Instant.now()));

        Run run = once(script);

        BackupEvent refused = lifeEvent(command, EventType.COMMAND_REFUSED);
        assertEquals(RunOutcome.FAILED, refused.getOutcome());
        assertTrue(refused.getErrorMessage().contains("refused action rm-everything: action 'rm-everything' is not in "
                + "this agent's configuration"), refused.getErrorMessage());
        assertTrue(refused.getErrorMessage().contains("it offers: verify"), refused.getErrorMessage());
        assertFalse(Files.exists(marker));
        assertTrue(run.log().contains("refused"), run.log());
    }

    @Test
    void aCommandReadTwiceIsHeldOnceAndOnceReportedOnIsNotDeliveredByTheSecondRead() throws Exception {
        Command command = command("nas06", "copy", Map.of(), Instant.now());
        byte[] record = AvroSerde.of(Command.class).encode(command);
        org.apache.kafka.clients.producer.RecordMetadata written = producer.send(new ProducerRecord<>(
                TOPICS.commands(), command.getAgent(), record)).get(10, TimeUnit.SECONDS);
        awaitKnown(command);
        int pending = board.pending("nas06");

        // As when the board's reader starts again and reads the topic from its lookback.
        board.add(command, record, written.partition(), written.offset());

        assertEquals(pending, board.pending("nas06"), "held once");
        String body = given().header("Authorization", "Bearer " + token("nas06")).get("/agent/v1/commands?wait=0")
                .then().statusCode(200).extract().asString();
        assertEquals(1, body.lines().filter(line -> line.equals("command " + command.getCommandId())).count(), body);
        given().header("Authorization", "Bearer " + token("nas06")).formParam("reason", "not here")
                .post("/agent/v1/commands/" + command.getCommandId() + "/refused").then().statusCode(200);
        given().header("Authorization", "Bearer " + token("nas06")).formParam("reason", "not here")
                .post("/agent/v1/commands/" + command.getCommandId() + "/refused").then().statusCode(200);
        assertEquals(pending - 1, board.pending("nas06"), "a report twice counts once");

        board.add(command, record, written.partition(), written.offset());

        assertEquals(pending - 1, board.pending("nas06"), "reported on: the second read does not queue it again");
        given().header("Authorization", "Bearer " + token("nas06")).get("/agent/v1/commands?wait=0").then()
                .statusCode(204);
    }

    @Test
    void aCommandDeliveredAgainRunsOnceAndIsSaidHandledSoNotDeliveredAThirdTime() throws Exception {
        Path out = dir.resolve("runs");
        Path script = agent("nas04", "copy = echo run >> '" + out + "'");
        Command command = send(command("nas04", "copy", Map.of(), Instant.now()));
        once(script);
        assertEquals("run\n", Files.readString(out));

        // As after a gateway restart: the board is read again and the agent gets the same command a second time.
        board.forgetReports("nas04");
        Run again = once(script);

        assertEquals("run\n", Files.readString(out), "the journal kept it from running twice");
        assertTrue(again.log().contains("delivered again"), again.log());
        assertEquals(2, topics.events().awaitCount(e -> e.getType() == EventType.COMMAND_DELIVERED
                && e.getCommand() != null && e.getCommand().getCause().getCommandId().equals(command.getCommandId()), 2,
                Duration.ofSeconds(20)).size(), "delivered twice, each recorded (the fold counts the second as a retry)");

        // It said the command was handled: not waiting any more, not delivered again, and nothing written of it.
        assertEquals(0, board.pending("nas04"), "handled, no longer waiting");
        given().header("Authorization", "Bearer " + token("nas04")).get("/agent/v1/commands?wait=0").then()
                .statusCode(204);
        assertEquals(1, topics.events().drain(Duration.ofSeconds(2)).stream().filter(e -> e.getCommand() != null
                && e.getCommand().getCause().getCommandId().equals(command.getCommandId())
                && e.getType() == EventType.RUN_SUCCEEDED).count(), "its end recorded once");
        given().header("Authorization", "Bearer " + token("nas04"))
                .post("/agent/v1/commands/cmd_00000000000000000000000000000000/handled").then().statusCode(404)
                .body(org.hamcrest.Matchers.containsString("no command cmd_00000000000000000000000000000000 is known here"));
        // Said twice (the agent handed it again by another restart): the same answer, nothing more.
        given().header("Authorization", "Bearer " + token("nas04"))
                .post("/agent/v1/commands/" + command.getCommandId() + "/handled").then().statusCode(200);
        assertEquals(0, board.pending("nas04"), "handled twice, still not waiting");
        // A body of 10 MB is refused by the HTTP limit (2M), as for any report, and changes nothing (asked with
        // Expect: 100-continue, so that the refusal is read rather than the connection's reset while it is sent).
        java.net.http.HttpResponse<String> huge = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(root.toString().replaceAll("/$", "") + "/agent/v1/commands/"
                                + command.getCommandId() + "/handled"))
                        .header("Authorization", "Bearer " + token("nas04"))
                        .header("Content-Type", "application/x-www-form-urlencoded").expectContinue(true)
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("reason=" + "x".repeat(10_000_000)))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(413, huge.statusCode(), huge.body());
        given().header("Authorization", "Bearer " + token("nas04")).get("/agent/v1/commands?wait=0").then()
                .statusCode(204);
        // A stranger, and another agent, cannot mark it handled; an id that is not one is refused before a look-up.
        given().post("/agent/v1/commands/" + command.getCommandId() + "/handled").then().statusCode(401);
        given().header("Authorization", "Bearer " + token("nas06"))
                .post("/agent/v1/commands/" + command.getCommandId() + "/handled").then().statusCode(403)
                .body(org.hamcrest.Matchers.containsString("is for agent nas04, not nas06"));
        given().header("Authorization", "Bearer " + token("nas04")).post("/agent/v1/commands/" + "x".repeat(3_000)
                + "/handled").then().statusCode(400).body(org.hamcrest.Matchers.containsString("is not a command id"));
    }

    @Test
    void anAgentStoppedWhileItsActionRunsReportsItInterruptedAndDoesNotRunItAgain() throws Exception {
        Path marker = dir.resolve("finished");
        Path script = agent("nas05", "long-copy = sleep 30 && touch '" + marker + "'");
        Command command = send(command("nas05", "long-copy", Map.of(), Instant.now()));
        ProcessBuilder builder = new ProcessBuilder("sh", script.toString(), "--once").redirectErrorStream(true)
                .redirectOutput(dir.resolve("first.log").toFile());
        environment(builder);
        Process first = builder.start();
        try {
            lifeEvent(command, EventType.RUN_STARTED);
        } finally {
            // kill -9 of the agent and its action, as a host that lost power
            first.descendants().forEach(ProcessHandle::destroyForcibly);
            first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }

        Run restarted = once(script);

        BackupEvent end = lifeEvent(command, EventType.RUN_FAILED);
        assertEquals(RunOutcome.ABORTED, end.getOutcome());
        assertEquals("the agent restarted while action long-copy ran; it was not run again", end.getErrorMessage());
        assertNull(end.getCommand().getExitCode());
        assertFalse(Files.exists(marker), "not run a second time");
        assertTrue(restarted.log().contains("reported as interrupted"), restarted.log());
        try (var left = Files.list(dir.resolve("tmp"))) {
            assertEquals(List.of(), left.toList(), "what the killed agent left in its temporary folder");
        }
    }

    @Test
    void aSecondAgentOnTheSameStateFolderDoesNotStartAndTheFirstRunsOn() throws Exception {
        Path marker = dir.resolve("ran");
        Path script = agent("nas06", "mark = touch '" + marker + "'");
        Path firstLog = dir.resolve("first.log");
        ProcessBuilder builder = new ProcessBuilder("sh", script.toString(), "--once").redirectErrorStream(true)
                .redirectOutput(firstLog.toFile());
        environment(builder);
        int waiting = board.waitingPolls();
        Process first = builder.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> board.waitingPolls() > waiting);

            // As a cron job's next --once while the last one still runs.
            Run second = once(script);

            assertEquals(3, second.exitCode(), second.log());
            assertTrue(second.log().contains("another hookline-agent (pid " + first.pid() + ") uses the state folder "
                    + dir.resolve("state") + "; not started"), second.log());
            Command command = send(command("nas06", "mark", Map.of(), Instant.now()));
            assertTrue(first.waitFor(30, TimeUnit.SECONDS), "the first agent ended its one poll");
            assertEquals(0, first.exitValue(), Files.readString(firstLog));
            assertEquals(RunOutcome.SUCCEEDED, lifeEvent(command, EventType.RUN_SUCCEEDED).getOutcome());
            assertTrue(Files.exists(marker), "the first agent ran the action: " + Files.readString(firstLog));
        } finally {
            first.destroyForcibly();
        }
        assertEquals(0, once(script).exitCode(), "the state folder is free again once the first agent ended");
    }

    @Test
    void anotherUsersRunningAgentIsNotTakenForAGoneOne() throws Exception {
        // kill -0 is refused (EPERM) for another user's process though it runs. Two users are needed: the agent
        // runs as nobody, which root may arrange (the build runs as root on CI).
        assumeTrue(runsAsRoot() && Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "needs root and setpriv to run the agent as another user");
        Path script = agent("nas07", "mark = true");
        Path state = Files.createDirectories(dir.resolve("state"));
        Path lock = Files.createDirectories(state.resolve("lock"));
        // root's agent, as far as the lock and /proc can tell: its command line names hookline-agent.
        Process holder = new ProcessBuilder("sh", "-c", "sleep 120; exit 0", "hookline-agent").start();
        try {
            Files.writeString(lock.resolve("pid"), holder.pid() + "\n");
            ProcessBuilder asNobody = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                    "--clear-groups", "sh", script.toString(), "--once");
            Path tmp = Files.createDirectories(dir.resolve("tmp"));
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            for (Path open : List.of(state, lock, tmp)) {
                Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            }

            Run second = once(asNobody);

            assertEquals(3, second.exitCode(), second.log());
            assertTrue(second.log().contains("another hookline-agent (pid " + holder.pid() + ") uses the state folder "
                    + state + "; not started"), second.log());
            assertEquals(holder.pid() + "\n", Files.readString(lock.resolve("pid")), "the lock is still the other agent's");
        } finally {
            holder.destroyForcibly();
        }
    }

    private static boolean runsAsRoot() throws Exception {
        Process id = new ProcessBuilder("id", "-u").start();
        return new String(id.getInputStream().readAllBytes()).strip().equals("0") && id.waitFor() == 0;
    }

    @Test
    void aLongPollWaitsAndIsAnsweredAsSoonAsACommandArrives() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest poll = HttpRequest.newBuilder(URI.create(root + "agent/v1/commands?wait=30"))
                .header("Authorization", "Bearer " + token("nas06")).timeout(Duration.ofSeconds(40)).build();
        CompletableFuture<HttpResponse<String>> waiting = http.sendAsync(poll, HttpResponse.BodyHandlers.ofString());
        TimeUnit.SECONDS.sleep(1);
        assertFalse(waiting.isDone(), "nothing for nas06 yet: the poll waits");

        Command command = send(command("nas06", "verify", Map.of("job", "esxi-prod/nightly"), Instant.now()));
        HttpResponse<String> answer = waiting.get(20, TimeUnit.SECONDS);

        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals("command " + command.getCommandId() + "\naction verify\nexpires "
                + command.getExpiresAt().getEpochSecond() + "\nparam job esxi-prod/nightly\nend\n", answer.body());
        given().header("Authorization", "Bearer " + token("nas06")).post("/agent/v1/commands/" + command.getCommandId()
                + "/refused").then().statusCode(200);
    }

    @Test
    void aThousandIdleLongPollsWaitTogetherAndAreEachAnswered() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest poll = HttpRequest.newBuilder(URI.create(root + "agent/v1/commands?wait=4"))
                .header("Authorization", "Bearer " + token("nas03")).timeout(Duration.ofSeconds(60)).build();
        List<CompletableFuture<HttpResponse<Void>>> polls = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            polls.add(http.sendAsync(poll, HttpResponse.BodyHandlers.discarding()));
        }
        int most = 0;
        for (int i = 0; i < 40 && most < 1000; i++) {
            most = Math.max(most, board.waitingPolls());
            TimeUnit.MILLISECONDS.sleep(100);
        }
        assertEquals(1000, most, "every poll waits at once, on one view of the topic");

        List<Integer> statuses = new ArrayList<>();
        for (CompletableFuture<HttpResponse<Void>> answer : polls) {
            statuses.add(answer.get(60, TimeUnit.SECONDS).statusCode());
        }
        assertEquals(List.of(204), statuses.stream().distinct().toList(), "nothing came: each is answered 204");
        assertEquals(0, board.waitingPolls());
    }

    @Test
    void anAgentsBacklogComesAPollAtATimeTheFirstDueFirst() throws Exception {
        // Twelve commands due (a night of chains while the agent was away), each a second after the one before; a
        // poll answers at most hookline.agents.max-commands-per-poll (5 in the tests), the first due first. Their
        // records (a few hundred bytes each) do not fit hookline.agents.records-in-memory (2K in the tests): the
        // first ones are read again from hookline.commands to be delivered.
        double readBefore = metric("hookline_agent_commands_records_read_total");
        Instant first = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS);
        List<String> due = new ArrayList<>();
        for (int i = 11; i >= 0; i--) {
            due.add(0, send(command("nas07", "restic-copy", Map.of(), first.plusSeconds(i))).getCommandId());
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> board.pending("nas07") == 12);
        List<String> answered = new ArrayList<>();
        for (int poll = 0; poll < 3; poll++) {
            String body = given().header("Authorization", "Bearer " + token("nas07")).get("/agent/v1/commands?wait=0")
                    .then().statusCode(200).extract().asString();
            List<String> ids = body.lines().filter(line -> line.startsWith("command "))
                    .map(line -> line.substring("command ".length())).toList();
            assertEquals(poll < 2 ? 5 : 2, ids.size(), "poll " + poll + ": " + body);
            answered.addAll(ids);
            // Each delivered one is recorded as such; the agent starts it (or, here, refuses it).
            for (String id : ids) {
                given().header("Authorization", "Bearer " + token("nas07")).post("/agent/v1/commands/" + id
                        + "/refused").then().statusCode(200);
            }
        }
        assertEquals(due, answered, "each once, the first due first");
        given().header("Authorization", "Bearer " + token("nas07")).get("/agent/v1/commands?wait=0").then()
                .statusCode(204);
        assertTrue(metric("hookline_agent_commands_records_read_total") - readBefore >= 1,
                "records read again: " + (metric("hookline_agent_commands_records_read_total") - readBefore));
        assertTrue(metric("hookline_agent_commands_records_memory_bytes") <= 2048,
                "bytes held: " + metric("hookline_agent_commands_records_memory_bytes"));
    }

    /** A metric's value from /q/metrics. */
    static double metric(String name) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not in /q/metrics"));
    }

    @Test
    void aCommandWaitsForItsTimeAndAnOldTokenStillPolls() throws Exception {
        Command later = send(command("nas01", "restic-copy", Map.of(), Instant.now().plusSeconds(3)));
        given().header("Authorization", "Bearer old-token-agent-nas01-0123456789").get("/agent/v1/commands?wait=0")
                .then().statusCode(204);
        given().header("Authorization", "Bearer old-token-agent-nas01-0123456789").get("/agent/v1/commands?wait=20")
                .then().statusCode(200).body(containsString("command " + later.getCommandId()));
        given().header("Authorization", "Bearer " + token("nas01"))
                .post("/agent/v1/commands/" + later.getCommandId() + "/refused").then().statusCode(200);
    }

    @Test
    void wrongAndHostileCallsGetAClearErrorAndAreRecorded() throws Exception {
        Command mine = send(command("nas02", "copy", Map.of(), Instant.now()));
        Command expired = command("nas02", "copy", Map.of(), Instant.now().minusSeconds(7200));
        expired.setExpiresAt(Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS));
        send(expired);
        awaitKnown(expired);
        List<String[]> calls = new ArrayList<>();
        calls.add(new String[] {"GET", "/agent/v1/commands", null, "401", "no token"});
        calls.add(new String[] {"GET", "/agent/v1/commands?wait=600", token("nas02"), "400", "wait is whole seconds from 0 to 60"});
        calls.add(new String[] {"POST", "/agent/v1/commands/cmd_" + "0".repeat(32) + "/started", token("nas02"), "404",
                "no command cmd_" + "0".repeat(32) + " is known here"});
        calls.add(new String[] {"POST", "/agent/v1/commands/x;rm -rf/started", token("nas02"), "400", "is not a command id"});
        calls.add(new String[] {"POST", "/agent/v1/commands/" + mine.getCommandId() + "/started", token("nas03"), "403",
                "is for agent nas02, not nas03"});
        calls.add(new String[] {"POST", "/agent/v1/commands/" + expired.getCommandId() + "/started", token("nas02"), "409",
                "expired at"});
        calls.add(new String[] {"POST", "/agent/v1/commands/" + mine.getCommandId() + "/finished?", token("nas02"), "400",
                "exit must be the action's exit code"});
        for (String[] call : calls) {
            var request = given().body(call[1].endsWith("?") ? "exit=-5" : "");
            if (call[2] != null) {
                request = request.header("Authorization", "Bearer " + call[2]);
            }
            String path = call[1].replaceAll("\\?$", "");
            var response = call[0].equals("GET") ? request.get(path) : request.post(path.replace(" ", "%20"));
            response.then().statusCode(Integer.parseInt(call[3])).body(containsString(call[4]));
            String id = response.header("Hookline-Rejection");
            assertNotNull(id, "recorded on hookline.rejected: " + call[1]);
            topics.rejection(r -> r.getRejectionId().equals(id));
        }
    }

    @Test
    void whatAnAgentSaysOfItselfIsKeptShort() throws Exception {
        String version = "9." + "9".repeat(10_000);
        given().header("Authorization", "Bearer " + token("nas05")).header("Hookline-Agent-Version", version)
                .header("Hookline-Agent-Actions", "ok," + "x".repeat(3_000) + ",bad name,also-ok")
                .get("/agent/v1/commands?wait=0").then().statusCode(204);
        BackupEvent seen = topics.event(e -> e.getType() == EventType.AGENT_SEEN && e.getAgent() != null
                && e.getAgent().getVersion() != null && e.getAgent().getVersion().startsWith("9.99"));
        assertEquals(64, seen.getAgent().getVersion().length());
        assertEquals(List.of("also-ok", "ok"), seen.getAgent().getActions());

        Command command = send(command("nas05", "copy", Map.of(), Instant.now()));
        awaitKnown(command);
        given().header("Authorization", "Bearer " + token("nas05")).formParam("reason", "no. " + "r".repeat(100_000))
                .post("/agent/v1/commands/" + command.getCommandId() + "/refused").then().statusCode(200);
        BackupEvent refused = lifeEvent(command, EventType.COMMAND_REFUSED);
        assertTrue(refused.getErrorMessage().length() < 1_100, "a refusal's reason is cut: "
                + refused.getErrorMessage().length());
    }

    private void awaitKnown(Command command) throws InterruptedException {
        for (int i = 0; i < 100 && board.find(command.getCommandId()).join().isEmpty(); i++) {
            TimeUnit.MILLISECONDS.sleep(100);
        }
        assertTrue(board.find(command.getCommandId()).join().isPresent(), "the board never read " + command.getCommandId());
    }
}
