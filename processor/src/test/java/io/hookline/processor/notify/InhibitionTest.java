package io.hookline.processor.notify;

import io.hookline.processor.TestRules;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.hookline.processor.EventWriter;
import io.hookline.processor.Events;
import io.hookline.processor.KafkaTestResource;
import io.hookline.processor.Deliveries;
import io.hookline.schema.DeliveryAttempt;
import io.hookline.schema.DeliveryOutcome;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.hookline.schema.topics.Topics;

/** While a host's own check fails, the alerts of that host's jobs are not sent; other hosts' alerts are. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class InhibitionTest {

    static final Topics TOPICS = Topics.withDefaultPrefix();

    @Test
    void aHostThatIsDownMutesItsJobsAlertsButNotOtherHosts() throws Exception {
        TestRules.use("""
                receivers:
                  - {name: ops-webhook, type: webhook, url: "%s", secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw}
                default-receiver: ops-webhook
                inhibit:
                  - source: {job: "*/hostcheck"}
                    target: {job: "*"}
                    equal: [host]
                """.formatted(TestRules.url("/hook")));
        String host = "h-" + UUID.randomUUID().toString().substring(0, 6);
        String hostCheck = "esxi-prod/" + host + "/hostcheck";
        String job = "esxi-prod/" + host + "/04";
        String otherJob = "esxi-prod/other-" + host + "/04";
        try (EventWriter writer = new EventWriter()) {
            writer.write(TOPICS.events(), Events.failed(hostCheck, "1", Instant.now(), "host unreachable"));
            await().atMost(Duration.ofSeconds(60)).until(() -> Deliveries.webhookCalls(hostCheck, "alert.firing") == 1);
            writer.write(TOPICS.events(), Events.failed(job, "1", Instant.now(), "cannot reach the host"));
            writer.write(TOPICS.events(), Events.failed(otherJob, "1", Instant.now(), "disk full"));
        }
        DeliveryAttempt inhibited = Deliveries.deliveries(job + "/failed", DeliveryOutcome.INHIBITED).get(0);
        assertTrue(inhibited.getMessage().startsWith("inhibited while " + hostCheck + "/failed fires"), inhibited.getMessage());
        await().atMost(Duration.ofSeconds(60)).until(() -> Deliveries.webhookCalls(otherJob, "alert.firing") == 1);
        assertEquals(0, Deliveries.webhookCalls(job, "alert.firing"));
    }
}
