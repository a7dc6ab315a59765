package io.hookline.processor.notify;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.hookline.processor.EventWriter;
import io.hookline.processor.Events;
import io.hookline.processor.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** One alert fanned out to every kind of channel, each checked at a real local receiver for its exact content. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class ChannelsTest {

    final ObjectMapper json = new ObjectMapper();

    static List<TestReceivers.Request> at(String path, String marker) throws Exception {
        return TestReceivers.get().requests(path).stream()
                .filter(r -> r.body().contains(marker) || r.headers().getOrDefault("title", "").contains(marker)).toList();
    }

    @Test
    void aFailureAndItsRecoveryReachNtfyPagerDutyTeamsSmsAndEmailInTheirOwnFormats() throws Exception {
        String job = "esxi-prod/fanout-" + UUID.randomUUID().toString().substring(0, 8);
        String error = "SQL01: snapshot failed: " + "disk full; ".repeat(40);
        try (EventWriter writer = new EventWriter()) {
            writer.write("hookline.events", Events.failed(job, "1", Instant.now().minusSeconds(60), error));
            await().atMost(Duration.ofSeconds(60)).until(() -> at("/pagerduty", job).size() == 1
                    && at("/ntfy", job).size() == 1 && at("/teams", job).size() == 1 && at("/sms", job.substring(10)).size() == 1
                    && TestReceivers.get().smtp().getReceivedMessages().length >= 2);
            writer.write("hookline.events", Events.succeeded(job, "2", Instant.now(), 1000));
            await().atMost(Duration.ofSeconds(60)).until(() -> at("/pagerduty", job).size() == 2);
        }

        JsonNode trigger = json.readTree(at("/pagerduty", job).get(0).body());
        assertEquals("R0UT1NGKEY0123456789", trigger.path("routing_key").asText());
        assertEquals("trigger", trigger.path("event_action").asText());
        assertEquals(job + "/failed", trigger.path("dedup_key").asText());
        assertEquals("critical", trigger.path("payload").path("severity").asText());
        assertTrue(trigger.path("payload").path("summary").asText().length() <= 1024);
        JsonNode resolve = json.readTree(at("/pagerduty", job).get(1).body());
        assertEquals("resolve", resolve.path("event_action").asText());
        assertEquals(job + "/failed", resolve.path("dedup_key").asText());

        TestReceivers.Request ntfy = at("/ntfy", job).get(0);
        assertEquals("urgent", ntfy.headers().get("priority"));
        assertTrue(ntfy.headers().get("title").startsWith("FIRING critical failed: " + job), ntfy.headers().get("title"));
        assertTrue(ntfy.body().contains("SQL01: snapshot failed"), ntfy.body());

        JsonNode teams = json.readTree(at("/teams", job).get(0).body());
        assertEquals("application/vnd.microsoft.card.adaptive", teams.path("attachments").get(0).path("contentType").asText());
        assertTrue(teams.path("attachments").get(0).path("content").path("body").get(0).path("text").asText()
                .startsWith("FIRING critical failed: " + job));

        TestReceivers.Request sms = at("/sms", job.substring(10)).get(0);
        assertEquals("Basic dGVzdDp0ZXN0", sms.headers().get("authorization"));
        JsonNode smsBody = json.readTree(sms.body());
        assertEquals("+4915112345678", smsBody.path("to").asText());
        assertTrue(smsBody.path("text").asText().length() <= 160, smsBody.path("text").asText());
        String link = "https://hookline.example.org/api/alerts?group="
                + java.net.URLEncoder.encode(job + "/failed", java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(smsBody.path("text").asText().endsWith("... " + link), smsBody.path("text").asText());
        assertEquals(link, trigger.path("links").get(0).path("href").asText());

        MimeMessage mail = java.util.Arrays.stream(TestReceivers.get().smtp().getReceivedMessages())
                .filter(m -> subject(m).contains(job)).findFirst().orElseThrow();
        assertEquals("hookline@example.org", mail.getFrom()[0].toString());
        assertEquals(2, mail.getAllRecipients().length);
        assertTrue(subject(mail).startsWith("FIRING critical failed: " + job), subject(mail));
        assertTrue(subject(mail).length() <= 180);
        assertTrue(((String) mail.getContent()).contains("Details:   " + link), (String) mail.getContent());
        await().atMost(Duration.ofSeconds(60)).until(() -> java.util.Arrays.stream(TestReceivers.get().smtp().getReceivedMessages())
                .anyMatch(m -> subject(m).startsWith("RESOLVED critical failed: " + job + " recovered")));
    }

    static String subject(MimeMessage message) {
        try {
            return message.getSubject();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }
}
