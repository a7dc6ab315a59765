package io.hookline.processor.notify;

import io.hookline.processor.TestRules;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.hookline.processor.EventWriter;
import io.hookline.processor.Events;
import io.hookline.processor.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.hookline.schema.topics.Topics;

/** A notification out of attempts becomes a dead letter; replayed once the receiver is back, it is delivered and leaves the list. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class DeadLetterTest {

    static final Topics TOPICS = Topics.withDefaultPrefix();

    @Test
    void afterAReceiversOutageItsDeadLettersArePagedAndReplayedAllAtOnce() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String receiver = "pager-" + tag;
        TestRules.use("""
                receivers:
                  - {name: %s, type: webhook, url: "%s", max-attempts: 1}
                default-receiver: %s
                """.formatted(receiver, TestRules.url("/switch/" + tag), receiver));
        Instant t0 = Instant.now();
        List<String> jobs = new java.util.ArrayList<>();
        try (EventWriter writer = new EventWriter()) {
            for (int i = 0; i < 5; i++) {
                jobs.add("borg/outage-" + tag + "-" + i);
                writer.write(TOPICS.events(), Events.failed(jobs.get(i), "1", t0, "x"));
            }
        }
        String mine = "/api/dead-letters?receiver=" + receiver;
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get(mine).then().statusCode(200)
                .header("X-Total-Count", "5"));

        // Two a page, oldest first, the receiver's filter kept in the Link.
        List<String> paged = new java.util.ArrayList<>();
        List<Instant> deadAt = new java.util.ArrayList<>();
        String next = mine + "&limit=2";
        while (next != null) {
            var page = given().urlEncodingEnabled(false).get(next).then().statusCode(200)
                    .header("X-Total-Count", "5").extract();
            paged.addAll(page.jsonPath().getList("alertKey"));
            page.jsonPath().getList("deadAt", String.class).forEach(at -> deadAt.add(Instant.parse(at)));
            String link = page.header("Link");
            next = link == null ? null : link.substring(1, link.indexOf('>'));
            org.junit.jupiter.api.Assertions.assertTrue(link == null || link.contains("receiver=" + receiver), link);
        }
        org.junit.jupiter.api.Assertions.assertEquals(jobs.stream().map(j -> j + "/failed").sorted().toList(),
                paged.stream().sorted().toList());
        org.junit.jupiter.api.Assertions.assertEquals(deadAt.stream().sorted().toList(), deadAt, "oldest first");

        // The receiver is back: one call replays all five, each under its own key; the same call again at once
        // (a double click) sends none of them twice.
        TestReceivers.get().switchOn(tag);
        given().post("/api/dead-letters/replay?receiver=" + receiver).then().statusCode(202)
                .body("replaying", equalTo(5));
        given().post("/api/dead-letters/replay?receiver=" + receiver).then().statusCode(202)
                .body("replaying", equalTo(0));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get(mine).then()
                .header("X-Total-Count", "0").body("size()", equalTo(0)));
        // Ten requests in all, the first tries and the replays, and still ten a while later.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() ->
                TestReceivers.get().requests("/switch/" + tag).size() == 10);
        List<TestReceivers.Request> delivered = TestReceivers.get().requests("/switch/" + tag);
        for (String job : jobs) {
            List<String> keys = delivered.stream().filter(r -> r.body().contains(job + "/failed"))
                    .map(r -> r.headers().get("webhook-id")).toList();
            org.junit.jupiter.api.Assertions.assertEquals(2, keys.size(), job + ": the try and the replay");
            org.junit.jupiter.api.Assertions.assertEquals(keys.get(0), keys.get(1), job + ": one idempotency key");
        }

        given().post("/api/dead-letters/replay?receiver=nobody-" + tag).then().statusCode(404)
                .body("error", equalTo("no receiver 'nobody-" + tag + "' in the rules"));
        // A name of 10,000 characters is named, cut short, in a sentence (not the HTTP server's bare 414).
        given().post("/api/dead-letters/replay?receiver=" + "r".repeat(10_000)).then().statusCode(404)
                .body("error", org.hamcrest.Matchers.endsWith("…' in the rules"))
                .body("error.length()", org.hamcrest.Matchers.lessThan(300));
        given().get("/api/dead-letters?limit=0").then().statusCode(400)
                .body("error", equalTo("limit must be a whole number from 1 to 1000, not '0'"));
        given().get("/api/dead-letters?after=soon").then().statusCode(400)
                .body("error", org.hamcrest.Matchers.startsWith("after must be the cursor a Link header gives"));
    }

    @Test
    void anExhaustedNotificationIsKeptAndAReplayDeliversItWithTheSameIdempotencyKey() throws Exception {
        TestRules.use("""
                receivers:
                  - {name: switchable, type: webhook, url: "%s", max-attempts: 1}
                default-receiver: switchable
                """.formatted(TestRules.url("/switch")));
        String job = "borg/" + UUID.randomUUID().toString().substring(0, 8);
        try (EventWriter writer = new EventWriter()) {
            writer.write(TOPICS.events(), Events.failed(job, "1", Instant.now(), "x"));
        }
        String alertKey = job + "/failed";
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/dead-letters").then()
                .statusCode(200).body("alertKey", hasItem(alertKey)));
        String id = given().get("/api/dead-letters").then()
                .body("find { it.alertKey == '" + alertKey + "' }.lastStatus", equalTo(500))
                .body("find { it.alertKey == '" + alertKey + "' }.attempts", equalTo(1))
                .body("find { it.alertKey == '" + alertKey + "' }.groupKey", equalTo(alertKey))
                .body("find { it.alertKey == '" + alertKey + "' }.alertKeys", equalTo(java.util.List.of(alertKey)))
                .extract().path("find { it.alertKey == '" + alertKey + "' }.notificationId");

        TestReceivers.get().switchOn();
        given().post("/api/dead-letters/" + id + "/replay").then().statusCode(202);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/dead-letters").then()
                .body("alertKey", not(hasItem(alertKey))));
        List<String> ids = TestReceivers.get().requests("/switch").stream().filter(r -> r.body().contains(job))
                .map(r -> r.headers().get("webhook-id")).toList();
        org.junit.jupiter.api.Assertions.assertEquals(List.of(id, id), ids, "the first try and the replay, one key");
        given().post("/api/dead-letters/" + id + "/replay").then().statusCode(404);
    }
}
