package io.hookline.processor.retention;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.hookline.processor.EventWriter;
import io.hookline.processor.Events;
import io.hookline.processor.KafkaTestResource;
import io.hookline.processor.TestRules;
import io.hookline.schema.topics.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** A job's retention report and the prune simulator, over HTTP, on the real broker and Streams. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class RetentionApiTest {

    static final Topics TOPICS = Topics.withDefaultPrefix();

    @Test
    void anEnforcedPolicySendsAWebhookTheSignedPruneListAndItsAnswerDeletesThePoints() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 6);
        String job = "restic/nas-" + tag;
        String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        TestRules.use("""
                receivers:
                  - {name: console, type: console}
                  - {name: backup-api-%1$s, type: webhook, url: "%2$s", secret: "%3$s"}
                default-receiver: console
                retention:
                  - match: "%4$s"
                    keep-last: 2
                    enforce: true
                    prune: {webhook: backup-api-%1$s}
                """.formatted(tag, TestRules.url("/prune-" + tag), secret, job));
        Instant start = Instant.now().minus(Duration.ofDays(3)).truncatedTo(ChronoUnit.SECONDS);
        try (EventWriter writer = new EventWriter()) {
            for (int night = 1; night <= 3; night++) {
                writer.write(TOPICS.events(), Events.succeeded(job, "n" + night,
                        start.plus(Duration.ofDays(night - 1)), 1000));
            }
        }

        io.hookline.processor.notify.TestReceivers.Request call = await().atMost(Duration.ofSeconds(60)).until(
                () -> io.hookline.processor.notify.TestReceivers.get().requests("/prune-" + tag).stream().findFirst()
                        .orElse(null), r -> r != null);
        var body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(call.body());
        org.junit.jupiter.api.Assertions.assertEquals("retention.prune", body.get("type").asText());
        org.junit.jupiter.api.Assertions.assertEquals(job, body.at("/data/prune/job").asText());
        org.junit.jupiter.api.Assertions.assertEquals(job, body.at("/data/prune/policy").asText());
        org.junit.jupiter.api.Assertions.assertEquals(1, body.at("/data/prune/attempt").asInt());
        org.junit.jupiter.api.Assertions.assertEquals("rp-n1", body.at("/data/prune/restorePoints/0/id").asText());
        org.junit.jupiter.api.Assertions.assertEquals(start.atOffset(java.time.ZoneOffset.UTC).toString(),
                body.at("/data/prune/restorePoints/0/time").asText());
        org.junit.jupiter.api.Assertions.assertEquals(1, body.at("/data/prune/restorePoints").size());
        String commandId = body.at("/data/commandId").asText();
        org.junit.jupiter.api.Assertions.assertEquals(io.hookline.runtime.webhooks.StandardWebhooks.signatureHeader(
                secret, commandId, call.headers().get("webhook-timestamp"), call.body()),
                call.headers().get("webhook-signature"));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/jobs/" + job + "/retention")
                .then().statusCode(200).body("restorePoints.id", contains("rp-n3", "rp-n2")));
        given().get("/api/jobs/" + job + "/retention").then()
                .body("pendingPrunes", hasSize(0))
                .body("policy.enforce", equalTo(true))
                .body("policy.prune.webhook", equalTo("backup-api-" + tag))
                .body("policy.prune.job", equalTo("webhook/backup-api-" + tag));
        given().get("/api/jobs/webhook/backup-api-" + tag).then().statusCode(200)
                .body("lastRun.outcome", equalTo("succeeded"))
                .body("lastRun.causedBy.rule", equalTo("retention:" + job));
        given().get("/api/commands?job=" + job).then().statusCode(200)
                .body("commandId", hasItem(commandId));
    }

    @Test
    void aJobsRestorePointsAreDecidedByItsPolicyAndTheSimulatorShowsWhatAnotherWouldChange() throws Exception {
        String job = "esxi-prod/ret-" + UUID.randomUUID().toString().substring(0, 6);
        TestRules.use("""
                receivers:
                  - {name: console, type: console}
                default-receiver: console
                retention:
                  - match: "%s"
                    keep-daily: 2
                """.formatted(job));
        Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofHours(2));
        try (EventWriter writer = new EventWriter()) {
            for (int day = 4; day >= 1; day--) {
                writer.write(TOPICS.events(), Events.succeeded(job, "r" + day, today.minus(Duration.ofDays(day)), 1000));
            }
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/jobs/" + job + "/retention")
                .then().statusCode(200).body("restorePoints", hasSize(4)));

        given().get("/api/jobs/" + job + "/retention").then()
                .body("policy.keep-daily", equalTo(2))
                .body("policy.style", equalTo("restic"))
                .body("restorePoints.id", contains("rp-r1", "rp-r2", "rp-r3", "rp-r4"))
                .body("restorePoints.keep", contains(true, true, false, false))
                .body("restorePoints[0].reasons", contains("daily snapshot"))
                .body("restorePoints[2].wouldKeep", contains("daily snapshot"))
                .body("restorePoints[3].location", nullValue())
                .body("pendingPrunes", hasSize(0));

        // A pin keeps the oldest forever; unpinned, the policy decides it again. Both go through the event log.
        given().post("/api/jobs/" + job + "/restore-points/rp-r4/pin").then().statusCode(200)
                .body("pinned", equalTo(true));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/jobs/" + job + "/retention")
                .then().body("restorePoints[3].keep", equalTo(true))
                .body("restorePoints[3].reasons", contains("pinned")).body("restorePoints[3].pinned", equalTo(true)));
        given().delete("/api/jobs/" + job + "/restore-points/rp-r4/pin").then().statusCode(200)
                .body("pinned", equalTo(false));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/jobs/" + job + "/retention")
                .then().body("restorePoints[3].keep", equalTo(false)));
        given().post("/api/jobs/" + job + "/restore-points/rp-none/pin").then().statusCode(404)
                .body("error", equalTo("job " + job + " has no restore point 'rp-none'"));
        given().post("/api/jobs/nobody/never/restore-points/x/pin").then().statusCode(404);

        given().contentType("application/json").body("{\"policy\": {\"keep-daily\": 3}, \"job\": \"" + job + "\"}")
                .post("/api/retention/simulate").then().statusCode(200)
                .body("id", contains("rp-r1", "rp-r2", "rp-r3", "rp-r4"))
                .body("keep", contains(true, true, true, false))
                .body("keptNow", contains(true, true, false, false))
                .body("changes", contains(false, false, true, false));
    }

    @Test
    void aRestorePointWhoseIdIsAPathIsPinnedWithItsIdEncoded() throws Exception {
        String job = "esxi-prod/path-" + UUID.randomUUID().toString().substring(0, 6);
        String id = "/vmfs/volumes/backup/20261201020000";
        try (EventWriter writer = new EventWriter()) {
            var event = Events.succeeded(job, "1", Instant.now().truncatedTo(ChronoUnit.MILLIS), 1000);
            event.getRestorePoint().setId(id);
            writer.write(TOPICS.events(), event);
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/jobs/" + job + "/retention")
                .then().statusCode(200).body("restorePoints[0].id", equalTo(id)));
        given().urlEncodingEnabled(false)
                .post("/api/jobs/" + job + "/restore-points/" + java.net.URLEncoder.encode(id,
                        java.nio.charset.StandardCharsets.UTF_8) + "/pin")
                .then().statusCode(200).body("id", equalTo(id));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/jobs/" + job + "/retention")
                .then().body("restorePoints[0].pinned", equalTo(true)));
    }

    @Test
    void theSimulatorDecidesAsResticForgetDoes() {
        StringBuilder points = new StringBuilder();
        java.time.LocalDate sunday = java.time.LocalDate.of(2019, 9, 1);
        for (int i = 0; i < 12; i++) {
            points.append(i == 0 ? "" : ",").append("{\"id\": \"s").append(i).append("\", \"time\": \"")
                    .append(sunday.plusWeeks(i)).append("T11:00:00+02:00\", \"tags\": []}");
        }
        given().contentType("application/json")
                .body("{\"policy\": {\"keep-daily\": 4}, \"restorePoints\": [" + points + "]}")
                .post("/api/retention/simulate").then().statusCode(200)
                .body("", hasSize(12))
                .body("[0].id", equalTo("s11"))
                .body("[0].time", equalTo("2019-11-17T11:00:00+02:00"))
                .body("keep", contains(true, true, true, true, false, false, false, false, false, false, false, false))
                .body("[3].reasons", contains("daily snapshot"))
                .body("[4].reasons", hasSize(0));
    }

    @Test
    void aBadSimulationIsRefusedNamingWhatIsWrong() {
        List<String[]> cases = List.of(
                new String[] {"{\"policy\": {}, \"restorePoints\": []}", "keeps nothing"},
                new String[] {"{\"policy\": {\"keep-daily\": -2}, \"restorePoints\": []}", "'-2' is not a count"},
                new String[] {"{\"policy\": {\"keep-daily\": 1}, \"restorePoints\": [{\"id\": \"a\", \"time\": "
                        + "\"2016-01-02T15:04:05Z\"}, {\"id\": \"b\", \"time\": \"yesterday\"}]}",
                        "restorePoints[1].time: 'yesterday' is not a time like 2016-01-02T15:04:05Z"},
                new String[] {"{\"policy\": {\"keep-daily\": 1}, \"restorePoints\": [], \"job\": \"a/b\"}", "either"},
                new String[] {"{\"policy\": {\"keep-daily\": 1}, \"job\": \"nobody/never\"}", "no job with key"},
                new String[] {"not json", "not JSON"},
                new String[] {"{\"restorePoints\": []}", "needs \\\"policy\\\""});
        for (String[] bad : cases) {
            var response = given().contentType("application/json").body(bad[0]).post("/api/retention/simulate");
            response.then().statusCode(org.hamcrest.Matchers.anyOf(equalTo(400), equalTo(404)))
                    .body(containsString(bad[1]));
        }
        given().contentType("application/json").body("{\"policy\": {\"keep-dayly\": 1}, \"restorePoints\": []}")
                .post("/api/retention/simulate").then().statusCode(400)
                .body("problems", hasItem(containsString("unknown key 'keep-dayly'")));
    }
}
