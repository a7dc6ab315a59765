package io.hookline.gateway.cloudevents;

import io.hookline.gateway.HookTopics;
import org.junit.jupiter.api.extension.RegisterExtension;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.hookline.gateway.KafkaTestResource;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.CloudEventDetail;
import io.hookline.schema.EventType;
import io.hookline.schema.RejectedHook;
import io.hookline.schema.RunOutcome;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.hookline.schema.topics.Topics;

/** POST /events: CloudEvents in both HTTP modes, the generic JSON body, signatures and every refusal. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class EventsTest {

    static final Topics TOPICS = Topics.withDefaultPrefix();

    static final String TOKEN = "test-token-apps-events-0123456789";
    static final String SIGNED = "test-token-signed-events-0123456789";
    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    @RegisterExtension
    static final HookTopics topics = new HookTopics();

    BackupEvent eventOfJob(String job) {
        return topics.event(e -> e.getJob().equals(job));
    }

    @Test
    void aBinaryModeCloudEventIsAccepted() {
        String job = "pg-" + UUID.randomUUID().toString().substring(0, 8);
        given().header("Authorization", "Bearer " + TOKEN)
                .header("ce-specversion", "1.0").header("ce-id", "evt-1").header("ce-source", "/cron/db1")
                .header("ce-type", "io.hookline.backup.run.failed").header("ce-subject", job)
                .header("ce-time", "2026-11-21T02:00:00Z").header("ce-region", "eu")
                .contentType("application/json").body("{\"host\":\"db1\",\"message\":\"pg_dump: connection refused\"}")
                .post("/events").then().statusCode(200).body(equalTo("OK"));

        BackupEvent event = eventOfJob(job);
        assertEquals(EventType.RUN_FAILED, event.getType());
        assertEquals("apps/db1/" + job, event.getJobKey());
        assertEquals("pg_dump: connection refused", event.getErrorMessage());
        assertEquals(Instant.parse("2026-11-21T02:00:00Z"), event.getOccurredAt());
        assertEquals("eu", ((CloudEventDetail) event.getDetail()).getExtensions().get("region"));
    }

    @Test
    void aStructuredModeCloudEventIsAccepted() {
        String job = "files-" + UUID.randomUUID().toString().substring(0, 8);
        given().contentType("application/cloudevents+json")
                .body("{\"specversion\":\"1.0\",\"id\":\"e2\",\"source\":\"/restic/nas\",\"type\":\"com.example.backup\","
                        + "\"subject\":\"" + job + "\",\"data\":{\"status\":\"succeeded\",\"bytes\":1024,\"files\":3,"
                        + "\"restorePoint\":{\"id\":\"snap-9f2\",\"tags\":[\"daily\"]}}}")
                .post("/events/" + TOKEN).then().statusCode(200);

        BackupEvent event = eventOfJob(job);
        assertEquals(EventType.RUN_SUCCEEDED, event.getType());
        assertEquals(1024L, event.getBytes());
        assertEquals("snap-9f2", event.getRestorePoint().getId());
        assertEquals("com.example.backup", ((CloudEventDetail) event.getDetail()).getType());
    }

    @Test
    void theGenericJsonBodyIsAccepted() {
        String job = "tar-" + UUID.randomUUID().toString().substring(0, 8);
        given().header("Authorization", "Bearer " + TOKEN).contentType("application/json")
                .body("{\"job\":\"" + job + "\",\"host\":\"fs1\",\"status\":\"warning\",\"run\":\"r-7\",\"durationMs\":61000,"
                        + "\"message\":\"2 files changed while read\",\"labels\":{\"team\":\"infra\"}}")
                .post("/events").then().statusCode(200);

        BackupEvent event = eventOfJob(job);
        assertEquals(RunOutcome.WARNING, event.getOutcome());
        assertEquals("r-7", event.getRunId());
        assertEquals(61_000L, event.getDurationMs());
        assertEquals("infra", event.getLabels().get("team"));
    }

    @Test
    void incompleteOrMalformedEventsAreRefusedNamingWhatIsMissing() {
        given().header("Authorization", "Bearer " + TOKEN).header("ce-specversion", "1.0").header("ce-type", "x")
                .body("{}").post("/events").then().statusCode(400).body(equalTo("hookline: the CloudEvent has no id, source"));
        given().header("Authorization", "Bearer " + TOKEN).contentType("application/json").body("{\"job\":")
                .post("/events").then().statusCode(400);
        given().header("Authorization", "Bearer " + TOKEN).contentType("application/json").body("{\"status\":\"failed\"}")
                .post("/events").then().statusCode(400).body(equalTo("hookline: no job: the JSON needs \"job\""));
        given().header("Authorization", "Bearer " + TOKEN).contentType("application/json")
                .body("{\"job\":\"j\",\"status\":\"exploded\"}").post("/events").then().statusCode(400);
        given().header("Authorization", "Bearer " + TOKEN).contentType("application/cloudevents-batch+json").body("[]")
                .post("/events").then().statusCode(415);
        given().contentType("application/json").body("{\"job\":\"j\",\"status\":\"failed\"}")
                .post("/events").then().statusCode(401)
                .body(equalTo("hookline: no token: put it in the URL or send Authorization: Bearer <token>"));
        given().header("Authorization", "Bearer nope-not-a-token-0000").contentType("application/json")
                .body("{\"job\":\"j\",\"status\":\"failed\"}").post("/events").then().statusCode(404);
        given().header("Authorization", "Bearer " + TOKEN).contentType("application/json")
                .body("{\"job\":\"j\",\"status\":\"failed\",\"message\":\"" + "x".repeat(1_100_000) + "\"}")
                .post("/events").then().statusCode(413);
    }

    static String signature(String id, long timestamp, String body) {
        return io.hookline.runtime.webhooks.StandardWebhooks.signatureHeader(SECRET, id, Long.toString(timestamp), body);
    }

    @Test
    void aSignedSourceAcceptsOnlyCorrectFreshSignatures() {
        String job = "signed-" + UUID.randomUUID().toString().substring(0, 8);
        String body = "{\"job\":\"" + job + "\",\"status\":\"succeeded\"}";
        long now = Instant.now().getEpochSecond();

        given().header("Authorization", "Bearer " + SIGNED).contentType("application/json")
                .header("webhook-id", "msg_1").header("webhook-timestamp", now)
                .header("webhook-signature", "v1,bm90IGl0 " + signature("msg_1", now, body))
                .body(body).post("/events").then().statusCode(200);
        assertEquals(EventType.RUN_SUCCEEDED, eventOfJob(job).getType());

        given().header("Authorization", "Bearer " + SIGNED).contentType("application/json")
                .header("webhook-id", "msg_2").header("webhook-timestamp", now)
                .header("webhook-signature", signature("msg_2", now, body))
                .body(body.replace("succeeded", "failed")).post("/events").then().statusCode(401)
                .body(equalTo("hookline: webhook-signature does not match the body signed with this source's secret"));
        given().header("Authorization", "Bearer " + SIGNED).contentType("application/json")
                .header("webhook-id", "msg_3").header("webhook-timestamp", now - 3600)
                .header("webhook-signature", signature("msg_3", now - 3600, body))
                .body(body).post("/events").then().statusCode(401);
        given().header("Authorization", "Bearer " + SIGNED).contentType("application/json").body(body)
                .post("/events").then().statusCode(401);

        RejectedHook refusal = topics.rejection(h -> "bad-signature".equals(h.getReason()));
        assertEquals("signed", refusal.getSourceName());
        assertTrue(refusal.getRaw().getHeaders().keySet().stream().noneMatch(h -> h.equals("authorization")
                || h.equals("webhook-signature")), refusal.getRaw().getHeaders().toString());
    }
}
