package io.hookline.processor.notify;

import io.hookline.processor.TestRules;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.hookline.devstack.TopicReader;
import io.hookline.processor.EventWriter;
import io.hookline.processor.Events;
import io.hookline.processor.KafkaTestResource;
import io.hookline.schema.DeliveryAttempt;
import io.hookline.schema.DeliveryOutcome;
import io.hookline.schema.serde.AvroSerde;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.hookline.schema.topics.Topics;

/** Alerts delivered to real local HTTP receivers, routed, signed, retried, recorded on hookline.deliveries. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class DeliveryTest {

    static final Topics TOPICS = Topics.withDefaultPrefix();

    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    final ObjectMapper json = new ObjectMapper();

    List<JsonNode> webhookBodies(String path, String jobKey) throws Exception {
        List<JsonNode> bodies = new ArrayList<>();
        for (TestReceivers.Request request : TestReceivers.get().requests(path)) {
            JsonNode body = json.readTree(request.body());
            if (jobKey.equals(body.path("data").path("jobKey").asText())) {
                bodies.add(body);
            }
        }
        return bodies;
    }

    List<DeliveryAttempt> attemptsFor(String alertKey, int atLeast) {
        AvroSerde<DeliveryAttempt> serde = AvroSerde.of(DeliveryAttempt.class);
        try (TopicReader<DeliveryAttempt> deliveries = TopicReader.of(TOPICS.deliveries(), serde::decode)) {
            return deliveries.awaitCount(attempt -> alertKey.equals(attempt.getGroupKey()), atLeast, Duration.ofSeconds(60));
        }
    }

    @Test
    void aCriticalAlertReachesSlackAndTheSignedWebhookAndItsResolveReachesBoth() throws Exception {
        TestRules.use("""
                receivers:
                  - {name: ops-webhook, type: webhook, url: "%s", secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw}
                  - {name: team-slack, type: slack, url: "%s"}
                routes:
                  - {match: {severity: critical}, receiver: team-slack, continue: true}
                  - {receiver: ops-webhook}
                """.formatted(TestRules.url("/hook"), TestRules.url("/slack")));
        String job = "esxi-prod/esxi01/" + UUID.randomUUID().toString().substring(0, 8);
        Instant t0 = Instant.now().minusSeconds(120);
        try (EventWriter writer = new EventWriter()) {
            writer.write(TOPICS.events(), Events.failed(job, "1", t0, "disk full"));
            await().atMost(Duration.ofSeconds(60)).until(() -> webhookBodies("/hook", job).size() == 1);
            writer.write(TOPICS.events(), Events.succeeded(job, "2", t0.plusSeconds(60), 1000));
            await().atMost(Duration.ofSeconds(60)).until(() -> webhookBodies("/hook", job).size() == 2);
        }
        List<JsonNode> hooks = webhookBodies("/hook", job);
        assertEquals("alert.firing", hooks.get(0).path("type").asText());
        assertEquals("critical", hooks.get(0).path("data").path("severity").asText());
        assertEquals("alert.resolved", hooks.get(1).path("type").asText());

        TestReceivers.Request firing = TestReceivers.get().requests("/hook").stream()
                .filter(r -> r.body().contains(job) && r.body().contains("alert.firing")).findFirst().orElseThrow();
        // Verified with the shared signer the gateway uses to check what sources send.
        String expected = io.hookline.runtime.webhooks.StandardWebhooks.signatureHeader(SECRET,
                firing.headers().get("webhook-id"), firing.headers().get("webhook-timestamp"), firing.body());
        assertEquals(expected, firing.headers().get("webhook-signature"));

        List<String> slack = TestReceivers.get().requests("/slack").stream().map(TestReceivers.Request::body)
                .filter(b -> b.contains(job)).toList();
        assertEquals(2, slack.size(), slack.toString());
        assertTrue(slack.get(0).contains(":red_circle: FIRING critical failed: " + job + " failed at"), slack.get(0));
        assertTrue(slack.get(1).contains(":large_green_circle: RESOLVED"), slack.get(1));
    }

    @Test
    void aFailingReceiverIsRetriedWithTheSameIdempotencyKeyAndEveryAttemptIsRecorded() throws Exception {
        TestRules.use("""
                receivers:
                  - {name: flaky, type: webhook, url: "%s", max-attempts: 5}
                default-receiver: flaky
                """.formatted(TestRules.url("/flaky")));
        String job = "borg/" + UUID.randomUUID().toString().substring(0, 8);
        try (EventWriter writer = new EventWriter()) {
            writer.write(TOPICS.events(), Events.failed(job, "1", Instant.now(), "lock timeout"));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> webhookBodies("/flaky", job).size() == 3);
        List<String> ids = TestReceivers.get().requests("/flaky").stream().filter(r -> r.body().contains(job))
                .map(r -> r.headers().get("webhook-id")).distinct().toList();
        assertEquals(1, ids.size(), "one idempotency key for all tries: " + ids);

        List<DeliveryAttempt> attempts = attemptsFor(job + "/failed", 3);
        assertEquals(List.of(DeliveryOutcome.RETRYING, DeliveryOutcome.RETRYING, DeliveryOutcome.DELIVERED),
                attempts.stream().map(DeliveryAttempt::getOutcome).toList());
        assertEquals(ids.get(0), attempts.get(2).getNotificationId());
        assertEquals(503, attempts.get(0).getHttpStatus());
        assertTrue(Duration.between(attempts.get(0).getAt(), attempts.get(1).getAt()).toMillis() >= 900,
                "Retry-After: 1 was honoured");
    }

    @Test
    void aReceiverThatIsGoneIsNotRetried() throws Exception {
        TestRules.use("""
                receivers:
                  - {name: gone, type: webhook, url: "%s"}
                default-receiver: gone
                """.formatted(TestRules.url("/gone")));
        String job = "borg/" + UUID.randomUUID().toString().substring(0, 8);
        try (EventWriter writer = new EventWriter()) {
            writer.write(TOPICS.events(), Events.failed(job, "1", Instant.now(), "x"));
        }
        List<DeliveryAttempt> attempts = attemptsFor(job + "/failed", 1);
        assertEquals(DeliveryOutcome.GAVE_UP, attempts.get(0).getOutcome());
        assertEquals(410, attempts.get(0).getHttpStatus());
        assertEquals(1, webhookBodies("/gone", job).size());
    }

    @Test
    void anOperatorCanSendATestMessageToAnyReceiver() throws Exception {
        TestRules.use("""
                receivers:
                  - {name: team-slack, type: slack, url: "%s"}
                  - {name: gone, type: webhook, url: "%s"}
                """.formatted(TestRules.url("/slack"), TestRules.url("/gone")));
        given().post("/api/receivers/team-slack/test").then().statusCode(200).body("delivered", equalTo(true));
        assertTrue(TestReceivers.get().requests("/slack").stream()
                .anyMatch(r -> r.body().contains("[TEST] FIRING info other: a test message from Hookline to receiver team-slack")));
        given().post("/api/receivers/gone/test").then().statusCode(502).body("httpStatus", equalTo(410));
        given().post("/api/receivers/nobody/test").then().statusCode(404);
    }
}
