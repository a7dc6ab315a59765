package io.hookline.processor.chains;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.hookline.devstack.TopicReader;
import io.hookline.processor.EventWriter;
import io.hookline.processor.Events;
import io.hookline.processor.KafkaTestResource;
import io.hookline.processor.TestRules;
import io.hookline.processor.notify.TestReceivers;
import io.hookline.schema.AgentDetail;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.Command;
import io.hookline.schema.EventType;
import io.hookline.schema.RunOutcome;
import io.hookline.schema.SourceKind;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.topics.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A chain on the real broker and the real Kafka Streams application: the command on hookline.commands, its life as
 * the gateway reports it, and what /api/commands, /api/agents and /api/jobs show of it, linked both ways.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class ChainsApiTest {

    static final Topics TOPICS = Topics.withDefaultPrefix();

    @Test
    void manyCommandsAreListedNewestFirstAPageOfThemWithTheCountOfAll() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 6);
        String agent = "vault-" + tag;
        TestRules.use("""
                receivers:
                  - {name: console, type: console}
                default-receiver: console
                chains:
                  - name: copy-%s
                    when: {job: "esxi-prod/many-%s-*", on: succeeded}
                    run: [{agent: %s, action: restic-copy}]
                """.formatted(tag, tag, agent));
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        try (EventWriter writer = new EventWriter();
                TopicReader<Command> commands = TopicReader.of(TOPICS.commands(), AvroSerde.of(Command.class)::decode)) {
            for (int i = 0; i < 5; i++) {
                writer.write(TOPICS.events(), Events.succeeded("esxi-prod/many-" + tag + "-" + i, "1", t0.plusSeconds(i),
                        60_000));
            }
            commands.awaitCount(c -> agent.equals(c.getAgent()), 5, Duration.ofSeconds(60));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/commands?agent=" + agent + "&limit=10")
                .then().statusCode(200).header("X-Total-Count", "5").body("commandId", hasSize(5)));
        var all = given().get("/api/commands?agent=" + agent + "&limit=10").then().extract();
        List<String> ids = all.jsonPath().getList("commandId");
        List<Instant> created = all.jsonPath().getList("createdAt", String.class).stream().map(Instant::parse).toList();
        for (int i = 1; i < created.size(); i++) {
            org.junit.jupiter.api.Assertions.assertFalse(created.get(i).isAfter(created.get(i - 1)),
                    "not newest first: " + created);
        }
        // A page of two: the two newest, the count of all five.
        given().get("/api/commands?agent=" + agent + "&limit=2").then().statusCode(200)
                .header("X-Total-Count", "5").body("commandId", equalTo(ids.subList(0, 2)));
        // Filtered by status (which comes from each command's job), the same.
        given().get("/api/commands?agent=" + agent + "&status=queued&limit=3").then().statusCode(200)
                .header("X-Total-Count", "5").body("commandId", equalTo(ids.subList(0, 3)))
                .body("status", equalTo(List.of("queued", "queued", "queued")));
        given().get("/api/commands?agent=" + agent + "&status=succeeded").then().statusCode(200)
                .header("X-Total-Count", "0").body("commandId", hasSize(0));
    }

    @Test
    void aChainedRunIsLinkedToItsCauseBothWaysAndItsAgentIsListed() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 6);
        String upstreamJob = "esxi-prod/nightly-" + tag;
        String agent = "nas-" + tag;
        TestRules.use("""
                receivers:
                  - {name: console, type: console}
                default-receiver: console
                chains:
                  - name: offsite-%s
                    when: {job: "%s", on: succeeded}
                    run: [{agent: %s, action: restic-copy}]
                """.formatted(tag, upstreamJob, agent));
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Command command;
        try (EventWriter writer = new EventWriter();
                TopicReader<Command> commands = TopicReader.of(TOPICS.commands(), AvroSerde.of(Command.class)::decode)) {
            writer.write(TOPICS.events(), Events.succeeded(upstreamJob, "77", t0, 60_000));
            command = commands.await(c -> agent.equals(c.getAgent()), Duration.ofSeconds(60));
            given().get("/api/commands?agent=" + agent).then().statusCode(200)
                    .body("commandId", equalTo(List.of(command.getCommandId())))
                    .body("[0].status", equalTo("queued"))
                    .body("[0].upstream[0].jobKey", equalTo(upstreamJob));

            // What the gateway writes when the agent polls, starts and finishes.
            writer.write(TOPICS.events(), agentPoll(agent, t0.plusSeconds(1)));
            writer.write(TOPICS.events(), ChainTopologyTest.agentEvent(command, EventType.RUN_STARTED, ":started", null,
                    t0.plusSeconds(2)));
            writer.write(TOPICS.events(), ChainTopologyTest.agentEvent(command, EventType.RUN_SUCCEEDED, ":finished",
                    RunOutcome.SUCCEEDED, t0.plusSeconds(3)));
        }

        String chained = agent + "/restic-copy";
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/jobs/" + chained).then()
                .statusCode(200).body("runs", equalTo(1)));
        given().get("/api/jobs/" + chained).then()
                .body("lastRun.causedBy.rule", equalTo("offsite-" + tag))
                .body("lastRun.causedBy.upstream[0].jobKey", equalTo(upstreamJob))
                .body("lastRun.causedBy.upstream[0].runId", equalTo("77"))
                .body("commands[0].status", equalTo("succeeded"));
        // The same, on its own: what another instance asks of the one that holds the job.
        given().get("/api/jobs/" + chained + "?only=commands").then().statusCode(200)
                .body("commandId", equalTo(List.of(command.getCommandId())))
                .body("[0].status", equalTo("succeeded"))
                .body("[0].upstream[0].runId", equalTo("77"));
        given().get("/api/jobs/" + agent + "/never-ran?only=commands").then().statusCode(404)
                .body("error", equalTo("no job with key '" + agent + "/never-ran' has sent an event"));
        // Many jobs an ask, as another instance reads the statuses of a list: each job's commands, or unknown.
        given().queryParam("job", chained, agent + "/never-ran", chained).get("/api/commands/addressed").then()
                .statusCode(200)
                .body("commands.keySet()", equalTo(java.util.Set.of(chained)))
                .body("commands['" + chained + "'].commandId", equalTo(List.of(command.getCommandId())))
                .body("commands['" + chained + "'][0].status", equalTo("succeeded"))
                .body("commands['" + chained + "'][0].exitCode", equalTo(0))
                .body("unknown", equalTo(List.of(agent + "/never-ran")));
        given().get("/api/jobs/" + chained + "?only=runs").then().statusCode(400)
                .body("error", equalTo("only must be 'commands' or 'triggered', not 'runs'"));
        given().get("/api/jobs/" + chained + "?only=" + "x".repeat(10_000)).then().statusCode(400)
                .body("error", equalTo("only must be 'commands' or 'triggered', not '" + "x".repeat(40) + "\u2026'"));
        given().get("/api/jobs/" + upstreamJob).then()
                .body("triggered", hasSize(1))
                .body("triggered[0].jobKey", equalTo(chained))
                .body("triggered[0].status", equalTo("succeeded"));
        given().get("/api/commands?job=" + upstreamJob + "&status=succeeded").then()
                .body("commandId", equalTo(List.of(command.getCommandId())));
        given().get("/api/agents").then().statusCode(200)
                .body("agent", hasItem(agent))
                .body("find { it.agent == '" + agent + "' }.status", equalTo("online"))
                .body("find { it.agent == '" + agent + "' }.actions", equalTo(List.of("restic-copy")))
                .body("find { it.agent == '" + agent + "' }.version", equalTo("1.0.0"))
                .body("find { it.agent == '" + agent + "' }.commandsWaiting", equalTo(0));
    }

    @Test
    void eachUpstreamJobsPageListsTheCommandsItsRunsTriggeredAFanInsToo() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 6);
        String agent = "vault-" + tag;
        String jobs = "esxi-prod/fan-" + tag + "-";
        TestRules.use("""
                receivers:
                  - {name: console, type: console}
                default-receiver: console
                chains:
                  - name: copy-%1$s
                    when: {job: "%2$s*", on: succeeded}
                    run: [{agent: %3$s, action: restic-copy}]
                  - name: verify-%1$s
                    after:
                      - {job: "%2$s0", on: succeeded}
                      - {job: "%2$s1", on: succeeded}
                    run: [{agent: %3$s, action: verify}]
                """.formatted(tag, jobs, agent));
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        int upstream = 6;
        try (EventWriter writer = new EventWriter();
                TopicReader<Command> commands = TopicReader.of(TOPICS.commands(), AvroSerde.of(Command.class)::decode)) {
            // Six jobs, spread over the partitions: each one's copy is kept with it, the fan-in's where it met.
            for (int i = 0; i < upstream; i++) {
                writer.write(TOPICS.events(), Events.succeeded(jobs + i, "1", t0.plusSeconds(i), 60_000));
            }
            commands.awaitCount(c -> agent.equals(c.getAgent()), upstream + 1, Duration.ofSeconds(60));
        }
        for (int i = 0; i < upstream; i++) {
            String job = jobs + i;
            List<String> rules = i < 2 ? List.of("copy-" + tag, "verify-" + tag) : List.of("copy-" + tag);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals(rules, given().get("/api/jobs/" + job)
                    .then().statusCode(200).extract().jsonPath().getList("triggered.rule", String.class).stream()
                    .sorted().toList(), job));
            given().get("/api/jobs/" + job).then()
                    .body("triggered.every { it.upstream.any { u -> u.jobKey == '" + job + "' } }", equalTo(true))
                    .body("triggered.status", everyItem(equalTo("queued")));
        }
        // What another instance asks of this one for a job page: the fan-in's commands kept here, the status left to
        // the asker (which holds the job); a job no fan-in waits for, none.
        given().get("/api/jobs/" + jobs + "1?only=triggered").then().statusCode(200)
                .body("rule", equalTo(List.of("verify-" + tag)))
                .body("[0].status", equalTo(null));
        given().get("/api/jobs/" + jobs + "4?only=triggered").then().statusCode(200).body("size()", equalTo(0));
        // A key as long as a job key may be, asked twice: nothing kept for it, the same answer each time.
        String longKey = "esxi-prod/" + "x".repeat(2_038);
        for (int i = 0; i < 2; i++) {
            given().get("/api/jobs/" + longKey + "?only=triggered").then().statusCode(200).body("size()", equalTo(0));
        }
    }

    @Test
    void aWebhookActionIsSignedSentFoldedAsARunAndAFailedOneIsADeadLetter() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 6);
        String upstreamJob = "esxi-prod/weekly-" + tag;
        String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        TestRules.use("""
                receivers:
                  - {name: console, type: console}
                  - {name: ci-%1$s, type: webhook, url: "%2$s", secret: "%3$s"}
                  - {name: broken-%1$s, type: webhook, url: "%4$s"}
                default-receiver: console
                chains:
                  - name: build-%1$s
                    when: {job: "%5$s", on: finished}
                    run:
                      - {webhook: ci-%1$s, parameters: {pipeline: restore-test}}
                      - {webhook: broken-%1$s}
                """.formatted(tag, TestRules.url("/ci-" + tag), secret, TestRules.url("/gone"), upstreamJob));
        try (EventWriter writer = new EventWriter()) {
            writer.write(TOPICS.events(), Events.failed(upstreamJob, "9", Instant.now(), "tape full"));
        }

        TestReceivers.Request call = await().atMost(Duration.ofSeconds(60)).until(
                () -> TestReceivers.get().requests("/ci-" + tag).stream().findFirst().orElse(null), r -> r != null);
        var body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(call.body());
        assertEquals("chain.command", body.get("type").asText());
        assertEquals("build-" + tag, body.at("/data/rule").asText());
        assertEquals("restore-test", body.at("/data/parameters/pipeline").asText());
        assertEquals("failed", body.at("/data/parameters/outcome").asText());
        assertEquals(upstreamJob, body.at("/data/upstream/0/jobKey").asText());
        String commandId = body.at("/data/commandId").asText();
        assertEquals(commandId, call.headers().get("webhook-id"), "the command's id is the idempotency key");
        assertEquals(io.hookline.runtime.webhooks.StandardWebhooks.signatureHeader(secret, commandId,
                call.headers().get("webhook-timestamp"), call.body()), call.headers().get("webhook-signature"));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/jobs/webhook/ci-" + tag).then()
                .statusCode(200).body("runs", equalTo(1)));
        given().get("/api/jobs/webhook/ci-" + tag).then()
                .body("lastRun.outcome", equalTo("succeeded"))
                .body("lastRun.causedBy.rule", equalTo("build-" + tag))
                .body("commands[0].status", equalTo("succeeded"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/jobs/webhook/broken-" + tag)
                .then().statusCode(200).body("lastRun.outcome", equalTo("failed"))
                .body("lastRun.errorMessage", org.hamcrest.Matchers.startsWith("webhook broken-" + tag
                        + " not delivered after 1 attempt(s)")));
        given().get("/api/dead-letters").then().body("command.rule", hasItem("build-" + tag));
    }

    @Test
    void aWrongFilterIsRefusedWithASentence() {
        given().get("/api/commands?status=sleeping").then().statusCode(400)
                .body("error", org.hamcrest.Matchers.containsString("status must be one of"));
        given().get("/api/commands?limit=0").then().statusCode(400)
                .body("error", equalTo("limit must be from 1 to 1000, not 0"));
        given().get("/api/commands?limit=99999999999999999999").then().statusCode(400)
                .body("error", equalTo("limit must be a whole number from 1 to 1000, not '99999999999999999999'"));
        given().get("/api/commands/addressed").then().statusCode(400)
                .body("error", equalTo("name at least one job: ?job=<job key>, repeated for more"));
        given().get("/api/commands/addressed?" + "job=a&".repeat(1001)).then().statusCode(400)
                .body("error", equalTo("at most 1000 jobs an ask, not 1001"));
        // A key no job has, however long, is answered as unknown, as often as it is asked.
        for (int twice = 0; twice < 2; twice++) {
            given().queryParam("job", "x".repeat(10_000)).get("/api/commands/addressed").then().statusCode(200)
                    .body("commands.size()", equalTo(0))
                    .body("unknown", equalTo(List.of("x".repeat(10_000))));
        }
    }

    static BackupEvent agentPoll(String agent, Instant at) {
        return Events.event(agent + "/agent", EventType.AGENT_SEEN, null, at)
                .setSourceKind(SourceKind.AGENT)
                .setSourceName(agent)
                .setJob("agent")
                .setHost("nas.example.org")
                .setAgent(AgentDetail.newBuilder().setVersion("1.0.0").setActions(List.of("restic-copy")).build())
                .build();
    }
}
