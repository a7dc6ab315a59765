package io.hookline.gateway.ping;

import io.hookline.gateway.HookTopics;
import org.junit.jupiter.api.extension.RegisterExtension;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.util.Map;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.hookline.devstack.SharedKafka;

import io.hookline.gateway.KafkaTestResource;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.EventType;
import io.hookline.schema.PingDetail;
import io.hookline.schema.RejectedHook;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.hookline.schema.topics.Topics;

/** Healthchecks-compatible pings as borgmatic, resticprofile and cron + curl send them. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class PingTest {

    static final Topics TOPICS = Topics.withDefaultPrefix();

    static final String TOKEN = "test-token-borg-pings-0123456789";
    static final String CHECK = "5bd5e3a1-1f2c-4f6e-9e0a-6d6c2b1f0a11";
    @RegisterExtension
    static final HookTopics topics = new HookTopics();

    @TestHTTPResource("/")
    URL root;

    BackupEvent event(String rid, EventType type) {
        return topics.event(e -> rid.equals(e.getRunId()) && e.getType() == type);
    }

    @Test
    void aRegisteredCheckTakesStartSuccessFailLogAndExitStatusSignals() {
        String rid = UUID.randomUUID().toString();
        for (String signal : List.of("/start", "", "/fail", "/log", "/0", "/3")) {
            given().get("/ping/" + CHECK + signal + "?rid=" + rid).then().statusCode(200).body(equalTo("OK"))
                    .header("Ping-Body-Limit", "100000");
        }
        assertEquals("borg/nightly-borg", event(rid, EventType.RUN_STARTED).getJobKey());
        assertEquals(EventType.RUN_SUCCEEDED, event(rid, EventType.RUN_SUCCEEDED).getType());
        assertEquals(EventType.RUN_LOG, event(rid, EventType.RUN_LOG).getType());
        BackupEvent exit3 = topics.event(e -> rid.equals(e.getRunId()) && e.getDetail() instanceof PingDetail d
                && Integer.valueOf(3).equals(d.getExitStatus()));
        assertEquals(EventType.RUN_FAILED, exit3.getType());
        assertEquals("exit status 3", exit3.getErrorMessage());
    }

    @Test
    void borgmaticPostsItsLogAndAFailureCarriesTheLastLine() {
        String rid = UUID.randomUUID().toString();
        given().body("Creating archive...\n").post("/ping/" + TOKEN + "/borg-home/start?create=1&rid=" + rid)
                .then().statusCode(200).body(equalTo("OK"));
        given().body("Creating archive...\nRepository lock timeout\n\n").post("/ping/" + TOKEN + "/borg-home/fail?rid=" + rid)
                .then().statusCode(200);

        BackupEvent fail = event(rid, EventType.RUN_FAILED);
        assertEquals("borg/borg-home", fail.getJobKey());
        assertEquals("Repository lock timeout", fail.getErrorMessage());
        assertTrue(fail.getRaw().getBody().contains("Creating archive"));
        assertEquals("POST", ((PingDetail) fail.getDetail()).getMethod());
    }

    @Test
    void anUnknownSlugIsRefusedUnlessCreateIsAsked() {
        String slug = "db-" + UUID.randomUUID().toString().substring(0, 8);
        given().get("/ping/" + TOKEN + "/" + slug).then().statusCode(404)
                .body(equalTo("hookline: no job '" + slug + "' in source borg: add ?create=1 to create it with this ping"));
        given().get("/ping/" + TOKEN + "/" + slug + "?create=1").then().statusCode(200);
        given().get("/ping/" + TOKEN + "/" + slug + "/start").then().statusCode(200);
    }

    @Test
    void aJobTheProcessorFoldedExistsForPingsAndItsDeletionEndsIt() throws Exception {
        String slug = "vault-" + UUID.randomUUID().toString().substring(0, 8);
        String jobKey = "borg/" + slug;
        Map<String, Object> config = Map.of("bootstrap.servers", SharedKafka.bootstrapServers(), "acks", "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
                new ByteArraySerializer())) {
            // The gateway reads only the keys of hookline.job-state: the value is the processor's business.
            producer.send(new ProducerRecord<>(TOPICS.jobState(), jobKey, new byte[] {1})).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    given().get("/ping/" + TOKEN + "/" + slug).then().statusCode(200).body(equalTo("OK")));
            producer.send(new ProducerRecord<>(TOPICS.jobState(), jobKey, null)).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    given().get("/ping/" + TOKEN + "/" + slug).then().statusCode(404));
        }
    }

    @Test
    void headIsAPingToo() {
        String rid = UUID.randomUUID().toString();
        given().head("/ping/" + CHECK + "/start?rid=" + rid).then().statusCode(200).header("Ping-Body-Limit", "100000");
        assertEquals("HEAD", ((PingDetail) event(rid, EventType.RUN_STARTED).getDetail()).getMethod());
    }

    @Test
    void curlInACrontabWorksWithOnlyTheUrl() throws Exception {
        String rid = UUID.randomUUID().toString();
        String url = root.toString() + "ping/" + CHECK + "/start?rid=" + rid;
        Process curl = new ProcessBuilder("curl", "-fsS", "-m", "10", "--retry", "5", "-o", "/dev/null", url)
                .redirectErrorStream(true).start();
        assertTrue(curl.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, curl.exitValue(), new String(curl.getInputStream().readAllBytes()));
        assertTrue(((PingDetail) event(rid, EventType.RUN_STARTED).getDetail()).getUserAgent().startsWith("curl/"));
    }

    @Test
    void badSignalsAndUnknownChecksAreRefusedWithAReason() {
        given().get("/ping/" + CHECK + "/256").then().statusCode(400)
                .body(equalTo("hookline: '256' is not start, fail, log or an exit status 0-255"));
        given().get("/ping/" + UUID.randomUUID()).then().statusCode(404).body(equalTo("hookline: no check has this UUID"));
        given().get("/ping/" + TOKEN + "/Bad Slug!?create=1").then().statusCode(400);
    }

    @Test
    void aBodyOverTheLimitIsKeptUpToTheLimit() {
        String rid = UUID.randomUUID().toString();
        given().body("x".repeat(120_000)).post("/ping/" + CHECK + "/log?rid=" + rid).then().statusCode(200);
        BackupEvent log = event(rid, EventType.RUN_LOG);
        assertEquals(120_000L, ((PingDetail) log.getDetail()).getBodyBytes());
        assertEquals(100_000, log.getRaw().getBody().length());
        assertTrue(log.getRaw().getTruncated() || log.getRaw().getBody().length() == 100_000);
        assertNull(log.getErrorMessage());
    }

    @Test
    void aSourceOverItsRateLimitGets429WithRetryAfterAndTheRefusalIsRecorded() {
        String tiny = "test-token-tiny-rate-0123456789";
        int refused = 0;
        String retryAfter = null;
        for (int i = 0; i < 4; i++) {
            var response = given().get("/ping/" + tiny + "/job?create=1");
            if (response.statusCode() == 429) {
                refused++;
                retryAfter = response.header("Retry-After");
            }
        }
        assertTrue(refused >= 1, "a burst of 2 at 0.2/s lets at most 2 of 4 through");
        assertTrue(Integer.parseInt(retryAfter) >= 1);
        RejectedHook record = topics.rejection(r -> r.getReason().equals("rate-limited"));
        assertEquals("tiny", record.getSourceName());
        assertEquals(429, record.getStatus());
    }
}
