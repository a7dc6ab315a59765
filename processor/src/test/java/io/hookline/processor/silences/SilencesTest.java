package io.hookline.processor.silences;

import org.junit.jupiter.api.BeforeEach;
import io.hookline.processor.TestRules;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.hookline.processor.EventWriter;
import io.hookline.processor.Events;
import io.hookline.processor.Deliveries;
import io.hookline.processor.KafkaTestResource;
import io.hookline.schema.DeliveryAttempt;
import io.hookline.schema.DeliveryOutcome;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.hookline.schema.topics.Topics;

/** Silences mute what matches, are recorded as such, and never stop the resolve of an alert that was sent. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class SilencesTest {

    static final Topics TOPICS = Topics.withDefaultPrefix();

    /** Every alert goes to the signed webhook that Deliveries reads. */
    @BeforeEach
    void rules() {
        TestRules.use("""
                receivers:
                  - {name: ops-webhook, type: webhook, url: "%s", secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw}
                default-receiver: ops-webhook
                """.formatted(TestRules.url("/hook")));
    }

    @Test
    void aSilenceDuringAFailureMutesTheRepeatButNotTheResolveAfterIt() throws Exception {
        String job = "borg/silenced-" + UUID.randomUUID().toString().substring(0, 8);
        Instant t0 = Instant.now().minusSeconds(300);
        try (EventWriter writer = new EventWriter()) {
            writer.write(TOPICS.events(), Events.failed(job, "1", t0, "lock timeout"));
            await().atMost(Duration.ofSeconds(60)).until(() -> Deliveries.webhookCalls(job, "alert.firing") == 1);

            String id = given().contentType(ContentType.JSON)
                    .body(Map.of("matchers", Map.of("job", job), "duration", "2h", "comment", "repo maintenance",
                            "createdBy", "ops"))
                    .post("/api/silences").then().statusCode(201).extract().path("id");
            given().get("/api/alerts?status=firing").then()
                    .body("find { it.alertKey == '" + job + "/failed' }.silencedBy", equalTo(id));

            writer.write(TOPICS.events(), Events.failed(job, "2", t0.plusSeconds(60), "lock timeout"));
            List<DeliveryAttempt> silenced = Deliveries.deliveries(job + "/failed", DeliveryOutcome.SILENCED);
            assertTrue(silenced.get(0).getMessage().startsWith("silenced by " + id + ": repo maintenance"),
                    silenced.get(0).getMessage());

            writer.write(TOPICS.events(), Events.succeeded(job, "3", t0.plusSeconds(120), 1000));
            await().atMost(Duration.ofSeconds(60)).until(() -> Deliveries.webhookCalls(job, "alert.resolved") == 1);
        }
        assertEquals(0, Deliveries.webhookCalls(job, "alert.repeated"), "the repeat was muted");
    }

    @Test
    void aRecurringMaintenanceWindowMutesWhileItIsOpen() throws Exception {
        String job = "esxi-lab/window-" + UUID.randomUUID().toString().substring(0, 8);
        given().contentType(ContentType.JSON)
                .body(Map.of("matchers", Map.of("job", job), "recurring", "daily 00:00-23:59", "timeZone", "Europe/Berlin"))
                .post("/api/silences").then().statusCode(201);
        try (EventWriter writer = new EventWriter()) {
            writer.write(TOPICS.events(), Events.failed(job, "1", Instant.now(), "x"));
        }
        assertEquals(DeliveryOutcome.SILENCED, Deliveries.deliveries(job + "/failed", DeliveryOutcome.SILENCED).get(0).getOutcome());
        assertEquals(0, Deliveries.webhookCalls(job, "alert.firing"));
    }

    @Test
    void silencesAreListedDeletedAndRefusedWithASentenceWhenWrong() {
        String id = given().contentType(ContentType.JSON).body(Map.of("matchers", Map.of("source", "esxi-*"), "duration", "30m"))
                .post("/api/silences").then().statusCode(201).extract().path("id");
        given().get("/api/silences").then().statusCode(200).body("id", hasItem(id))
                .body("find { it.id == '" + id + "' }.activeNow", equalTo(true));
        given().delete("/api/silences/" + id).then().statusCode(204);
        given().get("/api/silences").then().body("find { it.id == '" + id + "' }.activeNow", equalTo(false))
                .body("find { it.id == '" + id + "' }.expired", equalTo(true));
        given().delete("/api/silences/sil_0000000000000000").then().statusCode(404)
                .body("error", equalTo("no silence 'sil_0000000000000000'"));

        given().contentType(ContentType.JSON).body(Map.of("matchers", Map.of("colour", "red")))
                .post("/api/silences").then().statusCode(400)
                .body("error", equalTo("matcher 'colour' is not one of [condition, host, job, kind, severity, source]"));
        given().contentType(ContentType.JSON).body(Map.of()).post("/api/silences").then().statusCode(400)
                .body("error", equalTo("a silence needs matchers (or untilResolved: <alert key>): it would mute everything"));
        given().contentType(ContentType.JSON).body(Map.of("matchers", Map.of("job", "x"), "duration", "soon"))
                .post("/api/silences").then().statusCode(400).body("error", equalTo("duration 'soon' is not like 30m, 2h or 1d"));
        given().contentType(ContentType.JSON).body(Map.of("matchers", Map.of("job", "x"), "recurring", "Caturday 1:00-2:00"))
                .post("/api/silences").then().statusCode(400);
    }

    @jakarta.inject.Inject
    Silences silences;

    /**
     * A silence ended by DELETE (or by its alert's resolve) stays listed as expired for hookline.silences.keep-ended
     * (5 days), so a create sent again with its Idempotency-Key, whose first answer was lost, finds it instead of
     * muting again; then it is removed, and the key makes a new one.
     */
    @Test
    void anEndedSilenceStaysListedAndItsIdempotencyKeyFindsItUntilItIsRemoved() {
        String key = "ended-" + UUID.randomUUID();
        Map<String, Object> body = Map.of("matchers", Map.of("job", "ended/" + key), "duration", "2h");
        String id = given().contentType(ContentType.JSON).header("Idempotency-Key", key).body(body)
                .post("/api/silences").then().statusCode(201).extract().path("id");
        given().delete("/api/silences/" + id).then().statusCode(204);
        String find = "find { it.id == '" + id + "' }";
        String endsAt = given().get("/api/silences").then().body(find + ".expired", equalTo(true))
                .body(find + ".activeNow", equalTo(false)).extract().path(find + ".endsAt");
        assertTrue(Duration.between(Instant.parse(endsAt), Instant.now()).abs().toSeconds() < 60,
                "ended now, not at its 2 h: " + endsAt);

        // Ended again: nothing changes. Created again with the same key: the same silence, still ended.
        given().delete("/api/silences/" + id).then().statusCode(204);
        given().contentType(ContentType.JSON).header("Idempotency-Key", key).body(body)
                .post("/api/silences").then().statusCode(200).body("id", equalTo(id));
        given().get("/api/silences").then().body(find + ".expired", equalTo(true)).body(find + ".endsAt", equalTo(endsAt))
                .body("findAll { it.matchers.job == 'ended/" + key + "' }.size()", equalTo(1));

        // Kept for 5 days after its end, then removed from hookline.silences; the key then makes a new one.
        Instant ended = Instant.parse(endsAt);
        assertDoesNotThrow(() -> silences.sweep(ended.plus(Duration.ofDays(5)).minusSeconds(1)));
        given().get("/api/silences").then().body("id", hasItem(id));
        assertDoesNotThrow(() -> silences.sweep(ended.plus(Duration.ofDays(5))));
        given().get("/api/silences").then().body("id", not(hasItem(id)));
        given().contentType(ContentType.JSON).header("Idempotency-Key", key).body(body)
                .post("/api/silences").then().statusCode(201).body("id", equalTo(id));
        given().get("/api/silences").then().body(find + ".activeNow", equalTo(true));

        // Another operator's key of the same text is another silence, made by them.
        String other = given().contentType(ContentType.JSON).header("Idempotency-Key", key)
                .header("Authorization", "Bearer test-second-operator-token-0123456789").body(body)
                .post("/api/silences").then().statusCode(201).extract().path("id");
        assertTrue(!other.equals(id), "the second operator's silence is " + other);
        given().get("/api/silences").then().body("find { it.id == '" + other + "' }.createdBy", equalTo("test-second"))
                .body(find + ".createdBy", equalTo("test-operator"));
    }

    @Test
    void aSilenceOfThirtyStarsAndABangIsCheapAndAlertsStillArrive() throws Exception {
        // As a regex this pattern backtracks for longer than the universe exists on a long job key.
        String pathological = "*".repeat(30) + "!";
        given().contentType(ContentType.JSON).body(Map.of("matchers", Map.of("job", pathological), "duration", "1h"))
                .post("/api/silences").then().statusCode(201);
        String job = "esxi-prod/" + "a".repeat(400) + "-" + UUID.randomUUID().toString().substring(0, 8);
        try (EventWriter writer = new EventWriter()) {
            writer.write(TOPICS.events(), Events.failed(job, "1", Instant.now(), "disk full"));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> Deliveries.webhookCalls(job, "alert.firing") == 1);
    }

    @Test
    void everythingASilenceStoresHasALengthLimitNamedInTheRefusal() {
        given().contentType(ContentType.JSON).body(Map.of("matchers", Map.of("job", "j".repeat(10_000))))
                .post("/api/silences").then().statusCode(400)
                .body("error", equalTo("matcher job is 10000 characters long; a glob of at most 256 characters"));
        given().contentType(ContentType.JSON).body(Map.of("matchers", Map.of("job", "x"), "recurring", " ".repeat(1_000_000)))
                .post("/api/silences").then().statusCode(400)
                .body("error", equalTo("recurring is 1000000 characters long; at most 100"));
        given().contentType(ContentType.JSON).body(Map.of("matchers", Map.of("job", "x"), "comment", "c".repeat(5_000)))
                .post("/api/silences").then().statusCode(400)
                .body("error", equalTo("comment is 5000 characters long; at most 1000"));
        given().get("/api/alerts?group=" + "g".repeat(3_000)).then().statusCode(400);
    }
}
