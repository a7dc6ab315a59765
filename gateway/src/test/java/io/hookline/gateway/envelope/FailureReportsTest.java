package io.hookline.gateway.envelope;

import io.hookline.gateway.HookTopics;
import org.junit.jupiter.api.extension.RegisterExtension;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.hookline.gateway.KafkaTestResource;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.EventType;
import io.hookline.schema.RejectedHook;
import io.hookline.schema.RunOutcome;
import io.hookline.schema.XsiBackupDetail;
import io.hookline.schema.topics.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A failure report is never refused for its size, only cut; a figure or time no clock or disk can produce is
 * refused with the field's name, so that it never reaches the processor.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class FailureReportsTest {

    static final String XSIBACKUP = "test-token-esxi-prod-0123456789";
    static final String PINGS = "test-token-borg-pings-0123456789";
    static final String EVENTS = "test-token-apps-events-0123456789";
    static final Topics TOPICS = Topics.withDefaultPrefix();
    @RegisterExtension
    static final HookTopics topics = new HookTopics();

    BackupEvent eventOf(String jobKey) {
        return topics.eventOfJob(jobKey);
    }

    RejectedHook rejectionFor(String reason, String pathPart) {
        return topics.rejection(hook -> hook.getReason().equals(reason) && (hook.getRaw().getPath() + hook.getRaw().getBody()
                + hook.getRaw().getQuery()).contains(pathPart));
    }

    static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anXsiBackupErrorListOf200kBIsAcceptedAsAFailedRunWithItsFirstEntriesAndTheFullCount() {
        String id = "big-" + UUID.randomUUID().toString().substring(0, 6);
        StringBuilder err = new StringBuilder();
        for (int i = 0; i < 4500; i++) {
            err.append("VM").append(i).append(": error copying disk, the datastore is full\n");
        }
        assertTrue(err.length() > 200_000);
        String query = b64("PID=77|t=60|cmd=" + b64("--backup-id=" + id) + "|err=" + b64(err.toString()));
        given().urlEncodingEnabled(false).get("/hooks/xsibackup/" + XSIBACKUP + "/error?" + query)
                .then().statusCode(200).body(equalTo("OK"));

        BackupEvent event = eventOf("esxi-prod/" + id);
        assertEquals(RunOutcome.FAILED, event.getOutcome());
        assertEquals(4500, event.getErrorCount());
        assertEquals(EventBounds.MAX_ERRORS, event.getErrors().size());
        assertEquals("VM0: error copying disk, the datastore is full", event.getErrors().get(0));
        assertEquals("errors: the first 50 of 4500 kept", event.getLabels().get(EventBounds.TRUNCATED_LABEL));
        assertTrue(((XsiBackupDetail) event.getDetail()).getErrorText().length() <= 64 * 1024);
    }

    @Test
    void aFailPingWithA300kBBodyIsAcceptedWithItsLogCutAndItsLastLineAsTheError() {
        String slug = "big-log-" + UUID.randomUUID().toString().substring(0, 6);
        String body = "line of a long borg log\n".repeat(12_500) + "borg: error: Repository locked\n";
        assertTrue(body.length() > 300_000);
        given().body(body).post("/ping/" + PINGS + "/" + slug + "/fail?create=1")
                .then().statusCode(200).body(equalTo("OK"));

        BackupEvent event = eventOf("borg/" + slug);
        assertEquals(EventType.RUN_FAILED, event.getType());
        assertEquals("borg: error: Repository locked", event.getErrorMessage());
        assertTrue(event.getRaw().getTruncated());
        assertEquals(body.length() + "create=1".length(), event.getRaw().getOriginalBytes());
        assertEquals(100_000, event.getRaw().getBody().length());
    }

    @Test
    void aDurationOfMinusTwoToTheSixtyThreeSecondsIsRefusedNamingT() {
        String id = "neg-" + UUID.randomUUID().toString().substring(0, 6);
        String query = b64("PID=78|t=-9223372036854775|cmd=" + b64("--backup-id=" + id));
        given().urlEncodingEnabled(false).get("/hooks/xsibackup/" + XSIBACKUP + "/success?" + query)
                .then().statusCode(400)
                .body(equalTo("hookline: t is '-9223372036854775'; it must be the run's duration in whole seconds, 0 to "
                        + Figures.MAX_DURATION_SECONDS));
        assertEquals(400, rejectionFor("bad-figure", "/hooks/xsibackup/").getStatus());
    }

    @Test
    void aJsonDurationOfMinusTwoToTheSixtyThreeIsRefusedNamingDurationMs() {
        String job = "neg-json-" + UUID.randomUUID().toString().substring(0, 6);
        given().header("Authorization", "Bearer " + EVENTS).contentType("application/json")
                .body("{\"job\":\"" + job + "\",\"status\":\"succeeded\",\"durationMs\":-9223372036854775807}")
                .post("/events").then().statusCode(400)
                .body(equalTo("hookline: durationMs is -9223372036854775807; it must be from 0 to "
                        + Figures.MAX_DURATION_MS));
        assertEquals("bad-figure", rejectionFor("bad-figure", job).getReason());
    }

    @Test
    void aTimeBeyondTheYear9999AndAJobNameOf10000CharactersAreRefusedNamingTheField() {
        given().header("Authorization", "Bearer " + EVENTS).contentType("application/json")
                .body("{\"job\":\"far\",\"status\":\"succeeded\",\"occurredAt\":\"+100000-01-01T00:00:00Z\"}")
                .post("/events").then().statusCode(400).body(containsString("occurredAt is +100000-01-01T00:00:00Z"));
        given().header("Authorization", "Bearer " + EVENTS).contentType("application/json")
                .body("{\"job\":\"" + "j".repeat(10_000) + "\",\"status\":\"failed\"}")
                .post("/events").then().statusCode(400)
                .body(equalTo("hookline: job is 10000 characters long; at most " + Figures.MAX_NAME_CHARS));
    }
}
