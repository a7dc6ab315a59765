package io.hookline.processor.notify;

import io.hookline.processor.TestRules;
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
import io.hookline.schema.topics.Topics;

/** One alert fanned out to every kind of channel, each checked at a real local receiver for its exact content. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class ChannelsTest {

    static final Topics TOPICS = Topics.withDefaultPrefix();

    final ObjectMapper json = new ObjectMapper();

    /** A receiver of every channel but the webhook, each local, and every alert routed to all of them. */
    static String everyChannel() {
        return """
                receivers:
                  - {name: team-slack, type: slack, url: "%s"}
                  - {name: ops-ntfy, type: ntfy, url: "%s"}
                  - {name: pager, type: pagerduty, routing-key: R0UT1NGKEY0123456789, url: "%s"}
                  - {name: teams, type: teams, url: "%s"}
                  - name: sms
                    type: sms
                    url: "%s?to={{to}}"
                    to: "+4915112345678"
                    body: '{"to":"{{to}}","text":"{{text_json}}"}'
                    headers: {Authorization: "Basic dGVzdDp0ZXN0"}
                    max-length: 160
                  - name: oncall-mail
                    type: email
                    host: 127.0.0.1
                    port: %d
                    from: hookline@example.org
                    to: oncall@example.org, backup-team@example.org
                routes:
                  - {receiver: team-slack, continue: true}
                  - {receiver: ops-ntfy, continue: true}
                  - {receiver: pager, continue: true}
                  - {receiver: teams, continue: true}
                  - {receiver: sms, continue: true}
                  - {receiver: oncall-mail}
                """.formatted(TestRules.url("/slack"), TestRules.url("/ntfy"), TestRules.url("/pagerduty"),
                TestRules.url("/teams"), TestRules.url("/sms"), TestRules.smtpPort());
    }

    static List<TestReceivers.Request> at(String path, String marker) throws Exception {
        return TestReceivers.get().requests(path).stream()
                .filter(r -> r.body().contains(marker) || r.headers().getOrDefault("title", "").contains(marker)).toList();
    }

    @Test
    void aFailureAndItsRecoveryReachNtfyPagerDutyTeamsSmsAndEmailInTheirOwnFormats() throws Exception {
        TestRules.use(everyChannel());
        String job = "esxi-prod/" + UUID.randomUUID().toString().substring(0, 8);
        String error = "SQL01: snapshot failed: " + "disk full; ".repeat(40);
        try (EventWriter writer = new EventWriter()) {
            writer.write(TOPICS.events(), Events.failed(job, "1", Instant.now().minusSeconds(60), error));
            await().atMost(Duration.ofSeconds(60)).until(() -> at("/pagerduty", job).size() == 1
                    && at("/ntfy", job).size() == 1 && at("/teams", job).size() == 1 && at("/sms", job.substring(10)).size() == 1
                    && TestReceivers.get().smtp().getReceivedMessages().length >= 2);
            writer.write(TOPICS.events(), Events.succeeded(job, "2", Instant.now(), 1000));
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
