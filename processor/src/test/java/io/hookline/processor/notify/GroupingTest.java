package io.hookline.processor.notify;

import io.hookline.processor.TestRules;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.hookline.processor.Deliveries;
import io.hookline.processor.EventWriter;
import io.hookline.processor.Events;
import io.hookline.processor.KafkaTestResource;
import io.hookline.schema.DeliveryAttempt;
import io.hookline.schema.DeliveryOutcome;
import io.hookline.runtime.webhooks.StandardWebhooks;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.hookline.schema.topics.Topics;

/**
 * A storage host goes down and three of its jobs fail: the receiver gets one message with the three alerts (group
 * by host, group-wait 3 s), a reminder while they still fire (repeat-interval 8 s), and one message when they
 * recover, at a real signed webhook and a real SMTP server.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class GroupingTest {

    static final Topics TOPICS = Topics.withDefaultPrefix();

    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    final ObjectMapper json = new ObjectMapper();

    List<TestReceivers.Request> messagesAbout(String host) throws Exception {
        return TestReceivers.get().requests("/grouped").stream()
                .filter(r -> r.body().contains("\"groupLabels\":{\"host\":\"" + host + "\"}")).toList();
    }

    @Test
    void oneMessagePerHostThenAReminderThenOneResolveForTheWholeGroup() throws Exception {
        TestRules.use("""
                receivers:
                  - {name: grouped-hook, type: webhook, url: "%s", secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw}
                  - {name: oncall-mail, type: email, host: 127.0.0.1, port: %d, from: hookline@example.org,
                     to: "oncall@example.org, backup-team@example.org"}
                grouping:
                  group-by: [host]
                  group-wait: 3s
                  group-interval: 3s
                routes:
                  - {receiver: grouped-hook, repeat-interval: 8s, continue: true}
                  - {receiver: oncall-mail, repeat-interval: never}
                """.formatted(TestRules.url("/grouped"), TestRules.smtpPort()));
        String host = "nas-" + UUID.randomUUID().toString().substring(0, 6);
        String other = "nas-" + UUID.randomUUID().toString().substring(0, 6);
        List<String> jobs = List.of("esxi-grp/" + host + "/a", "esxi-grp/" + host + "/b", "esxi-grp/" + host + "/c");
        Instant t0 = Instant.now().minusSeconds(300);
        try (EventWriter writer = new EventWriter()) {
            for (String job : jobs) {
                writer.write(TOPICS.events(), Events.failed(job, "1", t0, "NFS datastore " + host + " not reachable"));
            }
            writer.write(TOPICS.events(), Events.failed("esxi-grp/" + other + "/d", "1", t0, "disk full"));

            await().atMost(Duration.ofSeconds(60)).until(() -> messagesAbout(host).size() == 1 && messagesAbout(other).size() == 1);
            TestReceivers.Request first = messagesAbout(host).get(0);
            JsonNode body = json.readTree(first.body());
            assertEquals("alert.firing", body.path("type").asText());
            JsonNode data = body.path("data");
            assertEquals("grouped-hook{host=" + host + "}", data.path("groupKey").asText());
            assertEquals(jobs.stream().map(j -> j + "/failed").toList(), alertKeys(data));
            data.path("alerts").forEach(a -> assertEquals("firing", a.path("status").asText()));
            assertTrue(data.path("headline").asText().startsWith("FIRING 3 alerts [host=" + host + "]: critical failed: "),
                    data.path("headline").asText());
            assertEquals(StandardWebhooks.signatureHeader(SECRET, first.headers().get("webhook-id"),
                    first.headers().get("webhook-timestamp"), first.body()), first.headers().get("webhook-signature"));
            assertEquals(1, alertKeys(json.readTree(messagesAbout(other).get(0).body()).path("data")).size());

            // The message links to its alerts on the processor, and the link lists exactly them.
            String groupKey = "grouped-hook{host=" + host + "}";
            String link = "https://hookline.example.org/api/alerts?group="
                    + java.net.URLEncoder.encode(groupKey, java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(link, data.path("link").asText());
            io.restassured.RestAssured.given().queryParam("group", groupKey).get("/api/alerts").then().statusCode(200)
                    .body("alertKey", org.hamcrest.Matchers.containsInAnyOrder(jobs.stream().map(j -> j + "/failed")
                            .toArray()));

            // The e-mail receiver groups the same way: one mail (to both its addresses), a block per job.
            await().atMost(Duration.ofSeconds(30)).until(() -> mailsAbout(host).size() == 2);
            assertEquals(1, mailsAbout(host).stream().map(GroupingTest::hooklineId).distinct().count());
            String mail = (String) mailsAbout(host).get(0).getContent();
            for (String job : jobs) {
                assertTrue(mail.contains("Job:       " + job), mail);
            }

            // Nothing changes: a reminder with the same alerts and a new id.
            await().atMost(Duration.ofSeconds(30)).until(() -> messagesAbout(host).size() == 2);
            TestReceivers.Request reminder = messagesAbout(host).get(1);
            assertEquals(alertKeys(data), alertKeys(json.readTree(reminder.body()).path("data")));
            assertNotEquals(first.headers().get("webhook-id"), reminder.headers().get("webhook-id"));

            // Right after a message, the group holds changes for group-interval: the three recoveries go out together.
            for (String job : jobs) {
                writer.write(TOPICS.events(), Events.succeeded(job, "2", t0.plusSeconds(60), 1000));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> messagesAbout(host).stream()
                    .anyMatch(r -> r.body().contains("\"type\":\"alert.resolved\"")));
            writer.write(TOPICS.events(), Events.succeeded("esxi-grp/" + other + "/d", "2", t0.plusSeconds(60), 1000));
        }
        List<TestReceivers.Request> messages = messagesAbout(host);
        JsonNode resolved = json.readTree(messages.get(messages.size() - 1).body()).path("data");
        assertEquals(jobs.stream().map(j -> j + "/failed").toList(), alertKeys(resolved));
        resolved.path("alerts").forEach(a -> assertEquals("resolved", a.path("status").asText()));
        assertTrue(resolved.path("headline").asText().startsWith("RESOLVED 3 alerts [host=" + host + "]"),
                resolved.path("headline").asText());

        List<DeliveryAttempt> delivered = Deliveries.deliveries("grouped-hook{host=" + host + "}", DeliveryOutcome.DELIVERED);
        assertEquals(jobs.stream().map(j -> j + "/failed").toList(), delivered.get(0).getAlertKeys());
        assertEquals("grouped-hook{host=" + host + "}", delivered.get(0).getGroupKey());
    }

    static List<String> alertKeys(JsonNode data) {
        List<String> keys = new ArrayList<>();
        data.path("alerts").forEach(a -> keys.add(a.path("alertKey").asText()));
        return keys;
    }

    static String hooklineId(MimeMessage mail) {
        try {
            return mail.getHeader("X-Hookline-Id")[0];
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<MimeMessage> mailsAbout(String host) throws Exception {
        return java.util.Arrays.stream(TestReceivers.get().smtp().getReceivedMessages())
                .filter(m -> ChannelsTest.subject(m).contains("[host=" + host + "]")).toList();
    }
}
