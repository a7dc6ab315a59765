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
