package io.hookline.gateway.secrets;

import io.hookline.gateway.HookTopics;
import org.junit.jupiter.api.extension.RegisterExtension;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.hookline.gateway.KafkaTestResource;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.RejectedHook;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.topics.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A secret planted on every path a request can take (refused before decoding, accepted, mistyped) never reaches
 * hookline.events, hookline.rejected or the gateway's log, however many encodings deep one looks.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class SecretsNeverLeaveTest {

    static final String XSIBACKUP = "test-token-esxi-prod-0123456789";
    static final String PINGS = "test-token-borg-pings-0123456789";
    static final String TINY = "test-token-tiny-rate-0123456789";
    static final String EVENTS = "test-token-apps-events-0123456789";
    static final Topics TOPICS = Topics.withDefaultPrefix();
    @RegisterExtension
    static final HookTopics topics = new HookTopics();

    static String secret() {
        return "S3cr3t" + UUID.randomUUID().toString().replace("-", "").substring(0, 14);
    }

    static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static String xsiQuery(String secret, String id) {
        return b64("PID=9|t=5|cmd=" + b64("--backup-id=" + id + " --smtp-pwd=" + secret + " --mail-to=ops@x.org"));
    }

    /** Waits until both topics have taken what the calls wrote, then looks everywhere for each secret. */
    static void assertNowhere(List<String> secrets, int expectedRejections, int expectedEvents) throws Exception {
        AvroSerde<BackupEvent> eventSerde = AvroSerde.of(BackupEvent.class);
        AvroSerde<RejectedHook> rejectedSerde = AvroSerde.of(RejectedHook.class);
        String marker = secrets.get(0);
        List<String> written = new ArrayList<>();
        // Whole records: a secret must not be in a key either.
        var rejected = topics.rejectedRecords();
        var events = topics.eventRecords();
        rejected.awaitCount(r -> true, expectedRejections, Duration.ofSeconds(30));
        events.awaitCount(r -> true, expectedEvents, Duration.ofSeconds(30));
        for (ConsumerRecord<String, byte[]> record : rejected.drain(Duration.ofSeconds(1))) {
            written.add(record.key() + " " + rejectedSerde.decode(record.value()));
        }
        for (ConsumerRecord<String, byte[]> record : events.drain(Duration.ofMillis(250))) {
            written.add(record.key() + " " + eventSerde.decode(record.value()));
        }
        assertTrue(written.size() >= expectedRejections + expectedEvents, marker);
        Path log = Path.of("target/gateway-test.log");
        String logText = Files.exists(log) ? Files.readString(log) : "";
        for (String secret : secrets) {
            for (String text : written) {
                assertEquals(List.of(), Leaks.find(text, secret), "a record holds " + secret);
            }
            assertEquals(List.of(), Leaks.find(logText, secret), "the log holds " + secret);
        }
    }

    @Test
    void xsiBackupHooksRefusedBeforeDecodingKeepNoSmtpPassword() throws Exception {
        List<String> secrets = new ArrayList<>();
        String id = "leak-" + UUID.randomUUID().toString().substring(0, 6);
        String unknownToken = secret();
        secrets.add(unknownToken);
        String s1 = secret();
        secrets.add(s1);
        given().urlEncodingEnabled(false).get("/hooks/xsibackup/" + unknownToken + "/success?" + xsiQuery(s1, id))
                .then().statusCode(404);
        String s2 = secret();
        secrets.add(s2);
        given().urlEncodingEnabled(false).get("/hooks/xsibackup/" + XSIBACKUP + "/succes?" + xsiQuery(s2, id))
                .then().statusCode(400);
        String s3 = secret();
        secrets.add(s3);
        given().urlEncodingEnabled(false).get("/hooks/xsibackup/" + XSIBACKUP + "/error?cmd=" + b64("--smtp-pwd=" + s3)
                + "%7C%21").then().statusCode(400);
        String s4 = secret();
        secrets.add(s4);
        String huge = b64("PID=1|cmd=" + b64("--smtp-pwd=" + s4) + "|err=" + b64("x".repeat(900_000)));
        given().urlEncodingEnabled(false).get("/hooks/xsibackup/" + XSIBACKUP + "/error?" + huge).then().statusCode(413);
        String s5 = secret();
        secrets.add(s5);
        given().urlEncodingEnabled(false).get("/hooks/xsibackup/" + XSIBACKUP + "/success?" + xsiQuery(s5, id))
                .then().statusCode(200);
        assertNowhere(secrets, 4, 1);
    }

    @Test
    void secretsInBodiesHeadersUrlsAndLogLinesAreScrubbedOnEveryPath() throws Exception {
        List<String> secrets = new ArrayList<>();
        String slug = "leak-" + UUID.randomUUID().toString().substring(0, 6);
        String json = secret();
        secrets.add(json);
        given().header("Authorization", "Bearer " + EVENTS).contentType("application/json")
                .body("{\"job\":\"" + slug + "\",\"status\":\"failed\",\"password\":\"" + json + "\","
                        + "\"labels\":{\"db_password\":\"" + json + "\"}}")
                .post("/events").then().statusCode(200);
        given().header("Authorization", "Bearer not-a-token-" + slug).contentType("application/json")
                .body("{\"job\":\"j\",\"status\":\"failed\",\"password\": \"" + json + "\"}")
                .post("/events").then().statusCode(404);
        String url = secret();
        secrets.add(url);
        given().header("Authorization", "Bearer " + EVENTS).contentType("application/json")
                .body("{\"job\":\"" + slug + "\",\"status\":\"failed\",\"message\":\"cannot reach https://backup:" + url
                        + "@nas.local/share\"}")
                .post("/events").then().statusCode(200);
        String header = secret();
        secrets.add(header);
        given().header("X-Api-Token", header).header("X-Backup-Key", header)
                .post("/ping/" + PINGS + "/" + slug + "?create=1").then().statusCode(200);
        String bearer = secret();
        secrets.add(bearer);
        given().body("curl -H 'Authorization: Bearer " + bearer + "' https://api.example.org\nok\n")
                .post("/ping/" + PINGS + "/" + slug + "/log").then().statusCode(200);
        String pg = secret();
        secrets.add(pg);
        given().body("dumping\n+ PGPASSWORD=" + pg + " pg_dump -h db nightly\n")
                .post("/ping/" + PINGS + "/" + slug + "/fail").then().statusCode(200);
        String extension = secret();
        secrets.add(extension);
        given().header("Authorization", "Bearer " + EVENTS).header("ce-specversion", "1.0").header("ce-id", slug)
                .header("ce-source", "/tests").header("ce-type", "io.hookline.backup.run.failed")
                .header("ce-subject", slug).header("ce-dbpassword", extension).header("ce-note", "token=" + extension)
                .contentType("application/json").body("{}").post("/events").then().statusCode(200);
        given().header("Authorization", "Bearer " + EVENTS).contentType("application/cloudevents+json")
                .body("{\"specversion\":\"1.0\",\"id\":\"s-" + slug + "\",\"source\":\"/tests\",\"type\":"
                        + "\"io.hookline.backup.run.failed\",\"subject\":\"" + slug + "\",\"apisecret\":\"" + extension + "\"}")
                .post("/events").then().statusCode(200);
        for (int i = 0; i < 4; i++) {
            // The tiny source allows a burst of 2: the rest are refused with 429 and recorded.
            given().body("password=" + extension).post("/ping/" + TINY + "/" + slug + "?create=1");
        }
        assertNowhere(secrets, 2, 8);
    }

    @Test
    void aTokenInAMistypedOrEncodedPathIsMaskedWhereverItStands() throws Exception {
        given().urlEncodingEnabled(false).get("/Hooks/xsibackup/" + XSIBACKUP + "/success").then().statusCode(404);
        given().urlEncodingEnabled(false).get("/hookz/" + XSIBACKUP).then().statusCode(404);
        given().urlEncodingEnabled(false).get("/ping/%74" + PINGS.substring(1) + "/nope/nope/nope").then()
                .statusCode(org.hamcrest.Matchers.greaterThanOrEqualTo(400));
        given().urlEncodingEnabled(false).get("/hooks/xsibackup/%74" + XSIBACKUP.substring(1) + "/succes?x")
                .then().statusCode(400);
        assertNowhere(List.of(XSIBACKUP, PINGS), 4, 0);
    }
}
