package io.hookline.processor.notify;

import io.hookline.processor.TestRules;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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

import io.hookline.processor.EventWriter;
import io.hookline.processor.Events;
import io.hookline.processor.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.hookline.schema.topics.Topics;

/**
 * A job's error text written by an attacker reaches every channel as text: it cannot ping a Slack channel, add a
 * link to a Teams card, add a field to an SMS gateway's JSON, or add a header to a mail.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class NotificationInjectionTest {

    static final Topics TOPICS = Topics.withDefaultPrefix();

    final ObjectMapper json = new ObjectMapper();

    static List<TestReceivers.Request> at(String path, String marker) throws Exception {
        return ChannelsTest.at(path, marker);
    }

    @Test
    void hostileErrorTextIsEscapedForSlackTeamsSmsNtfyAndEmail() throws Exception {
        String marker = UUID.randomUUID().toString().substring(0, 8);
        TestRules.use(ChannelsTest.everyChannel());
        String job = "esxi-prod/" + marker;
        String hostile = "x\",\"to\":\"+1900555\",\"a\":\"\t<!channel> <https://evil.example|click> "
                + "[click](https://evil.example)\r\nBcc: victim@example.org";
        int mailsBefore = TestReceivers.get().smtp().getReceivedMessages().length;
        try (EventWriter writer = new EventWriter()) {
            writer.write(TOPICS.events(), Events.failed(job, "1", Instant.now().minusSeconds(60), hostile));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> !at("/slack", marker).isEmpty() && !at("/teams", marker).isEmpty()
                && !at("/sms", marker).isEmpty() && !at("/ntfy", marker).isEmpty()
                && mailsFor(marker, mailsBefore).size() >= 1);

        String slack = json.readTree(at("/slack", marker).get(0).body()).path("text").asText();
        assertTrue(slack.contains("&lt;!channel&gt;"), slack);
        assertFalse(slack.contains("<!channel>") || slack.contains("<https://evil"), slack);

        String teams = json.readTree(at("/teams", marker).get(0).body()).path("attachments").get(0).path("content")
                .path("body").get(0).path("text").asText();
        assertTrue(teams.contains("\\[click\\]\\(https://evil.example\\)"), teams);

        JsonNode sms = json.readTree(at("/sms", marker).get(0).body());
        List<String> fields = new ArrayList<>();
        sms.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("to", "text"), fields, "the SMS body has only the template's fields: " + sms);
        assertEquals("+4915112345678", sms.path("to").asText());

        String title = at("/ntfy", marker).get(0).headers().get("title");
        assertFalse(title.contains("\n") || title.contains("\r"), title);

        MimeMessage mail = mailsFor(marker, mailsBefore).get(0);
        assertNull(mail.getHeader("Bcc"), "no header from the hook");
        assertFalse(mail.getSubject().contains("\n"), mail.getSubject());
        for (var recipient : mail.getAllRecipients()) {
            assertFalse(recipient.toString().contains("victim"), recipient.toString());
        }
    }

    static List<MimeMessage> mailsFor(String marker, int after) throws Exception {
        MimeMessage[] all = TestReceivers.get().smtp().getReceivedMessages();
        List<MimeMessage> found = new ArrayList<>();
        for (int i = after; i < all.length; i++) {
            if (all[i].getSubject() != null && all[i].getSubject().contains(marker)) {
                found.add(all[i]);
            }
        }
        return found;
    }
}
