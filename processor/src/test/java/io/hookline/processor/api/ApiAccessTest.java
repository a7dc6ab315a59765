package io.hookline.processor.api;

import io.hookline.processor.TestRules;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.hookline.devstack.RawHttp;
import io.hookline.devstack.TopicReader;
import io.hookline.processor.KafkaTestResource;
import io.hookline.schema.AuditEvent;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.topics.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The API as a stranger, a reader, an operator and a browser see it: 401 and 403 with a sentence, changes only
 * for the operate role, the dashboard's cookie only with its CSRF token, test messages limited, and every change
 * on hookline.audit. Plain HTTP calls (not RestAssured, which the other tests give the operator's token).
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@TestProfile(ApiAccessTest.ProtectedMetrics.class)
class ApiAccessTest {

    public static class ProtectedMetrics implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("hookline.api.protect-metrics", "true", "hookline.api.test-messages-per-minute", "2");
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();
    final HttpClient http = HttpClient.newHttpClient();

    @TestHTTPResource("/")
    URL root;

    HttpResponse<String> call(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(root.toString().replaceAll("/$", "") + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Waits out the start of Kafka Streams (503 until the state is ready), then expects the status. */
    void eventually(int status, String method, String path, String... headers) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertEquals(status,
                call(method, path, null, headers).statusCode()));
    }

    static String error(HttpResponse<String> response) throws Exception {
        return error(response.body());
    }

    static String error(String body) throws Exception {
        return JSON.readTree(body).path("error").asText();
    }

    static String bearer(String token) {
        return "Bearer " + token;
    }

    /**
     * Matches no job of another test: the silences made here stay on the shared broker's hookline.silences for an
     * hour, and one on esxi-prod/* muted DeliveryTest's alerts whenever it ran after this class.
     */
    static final String SILENCE = "{\"matchers\":{\"job\":\"api-access-test/*\"},\"duration\":\"1h\",\"comment\":\"patching\"}";

    @Test
    void aStrangerIsRefusedWithASentenceButHealthStaysOpen() throws Exception {
        HttpResponse<String> jobs = call("GET", "/api/jobs", null);
        assertEquals(401, jobs.statusCode());
        assertEquals("this API needs an operator: send Authorization: Bearer <token>, or log in on the dashboard",
                error(jobs));
        assertEquals("Bearer realm=\"hookline\"", jobs.headers().firstValue("WWW-Authenticate").orElse(null));
        HttpResponse<String> silence = call("POST", "/api/silences", "{\"matchers\":{\"job\":\"*\"}}");
        assertEquals(401, silence.statusCode());
        assertEquals(401, call("POST", "/api/receivers/ops-webhook/test", "").statusCode());
        assertEquals(401, call("POST", "/api/dead-letters/x/replay", "").statusCode());
        assertEquals(401, call("POST", "/api/dead-letters/replay", "").statusCode());
        // What one instance asks another for a job page needs credentials like the page itself.
        assertEquals(401, call("GET", "/api/jobs/esxi/nas1/nightly?only=triggered", null).statusCode());
        assertEquals(401, call("GET", "/api/jobs/esxi/nas1/nightly?only=commands", null).statusCode());
        assertEquals(401, call("GET", "/api/commands/addressed?job=esxi%2Fnas1%2Fnightly", null).statusCode());
        assertEquals(401, call("GET", "/api/jobs", null, "Authorization", bearer("guess")).statusCode());
        assertEquals("no operator has this token", error(call("GET", "/api/jobs", null, "Authorization", bearer("guess"))));
        eventually(200, "GET", "/q/health/live");
        eventually(200, "GET", "/q/health/ready");
        // Over HTTP/2 (this client's connection is upgraded after its first call), where the path and query are
        // headers, a query of 10,000 characters is read as over HTTP/1.1: refused with a sentence, not a bare 431.
        // (503 while Kafka Streams rebalances after the start)
        HttpResponse<String> longQuery = await().atMost(Duration.ofSeconds(30)).until(() -> call("GET", "/api/jobs?q="
                + "x".repeat(10_000), null, "Authorization", bearer(KafkaTestResource.READER_TOKEN)),
                answer -> answer.statusCode() != 503);
        assertEquals(HttpClient.Version.HTTP_2, longQuery.version());
        assertEquals(400, longQuery.statusCode(), longQuery.body().substring(0, Math.min(300, longQuery.body().length())));
        // A path longer than any the API has is refused before a route is looked for (whose patterns cost the square
        // of its length), with a sentence, whoever asks.
        for (String[] credentials : List.of(new String[0], new String[] {"Authorization",
                bearer(KafkaTestResource.READER_TOKEN)})) {
            HttpResponse<String> longPath = call("GET", "/api/jobs/esxi/" + "x".repeat(40_000), null, credentials);
            assertEquals(414, longPath.statusCode());
            assertEquals("the path is 40015 characters long; the API takes paths of up to 4096 (a job key is at most "
                    + "2048 characters)", error(longPath));
        }
        String ready = call("GET", "/q/health/ready", null).body();
        assertTrue(ready.contains("\"Hookline alert delivery\""), "readiness names the delivery's check: " + ready);
        assertEquals(401, call("GET", "/q/metrics", null).statusCode());
        assertEquals(200, call("GET", "/q/metrics", null, "Authorization", bearer(KafkaTestResource.READER_TOKEN))
                .statusCode());
    }

    @Test
    void aUriJavaCannotParseIsRefusedWithWhyBeforeAnythingReadsIt() throws Exception {
        for (String target : List.of("/api/jobs?status=%%%", "/api/jobs/esxi/nas1%zz/nightly", "/api/silences?q={x}")) {
            for (String[] credentials : List.of(new String[0],
                    new String[] {"Authorization: Bearer " + KafkaTestResource.READER_TOKEN})) {
                String answer = RawHttp.get(root.getHost(), root.getPort(), target, credentials);
                assertTrue(answer.startsWith("HTTP/1.1 400 "), target + " answered\n" + answer);
                String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
                assertTrue(error(body).startsWith("the request's URI cannot be parsed: ")
                        && error(body).contains(" at character "), body);
            }
        }
    }

    @Test
    void aReaderReadsButCannotSilenceReplayOrTest() throws Exception {
        String reader = bearer(KafkaTestResource.READER_TOKEN);
        eventually(200, "GET", "/api/alerts", "Authorization", reader);
        assertEquals(200, call("GET", "/api/silences", null, "Authorization", reader).statusCode());
        HttpResponse<String> silence = call("POST", "/api/silences", SILENCE, "Authorization", reader);
        assertEquals(403, silence.statusCode());
        assertEquals("operator test-reader has the read role; silences, replays and test messages need the operate role",
                error(silence));
        assertEquals(403, call("DELETE", "/api/silences/sil_x", null, "Authorization", reader).statusCode());
        assertEquals(403, call("POST", "/api/receivers/ops-webhook/test", "", "Authorization", reader).statusCode());
        assertEquals(403, call("POST", "/api/dead-letters/replay", "", "Authorization", reader).statusCode());
        assertEquals(200, call("GET", "/api/dead-letters?limit=5", null, "Authorization", reader).statusCode());
    }

    @Test
    void anOperatorsSilenceIsCreatedInItsNameAndRecordedOnTheAuditTopic() throws Exception {
        HttpResponse<String> created = call("POST", "/api/silences", SILENCE, "Authorization",
                bearer(KafkaTestResource.OPERATOR_TOKEN));
        assertEquals(201, created.statusCode(), created.body());
        String id = JSON.readTree(created.body()).path("id").asText();
        JsonNode listed = JSON.readTree(call("GET", "/api/silences", null, "Authorization",
                bearer(KafkaTestResource.OPERATOR_TOKEN)).body());
        JsonNode mine = null;
        for (JsonNode silence : listed) {
            if (silence.path("id").asText().equals(id)) {
                mine = silence;
            }
        }
        assertNotNull(mine, listed.toString());
        assertEquals("test-operator", mine.path("createdBy").asText());

        AuditEvent audit = auditOf(id);
        assertEquals("test-operator", audit.getOperator());
        assertEquals("operate", audit.getRole());
        assertEquals("token", audit.getVia());
        assertEquals("silence.create", audit.getAction());
        assertEquals(201, audit.getStatus());
        assertTrue(audit.getDetail().get("matchers").contains("api-access-test/*"), audit.getDetail().toString());
    }

    @Test
    void theDashboardsLoginCookieWorksOnlyWithItsCsrfTokenForChanges() throws Exception {
        HttpResponse<String> wrong = call("POST", "/api/session", "{\"token\":\"nope\"}");
        assertEquals(401, wrong.statusCode());
        HttpResponse<String> login = call("POST", "/api/session",
                "{\"token\":\"" + KafkaTestResource.OPERATOR_TOKEN + "\"}");
        assertEquals(200, login.statusCode(), login.body());
        String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"), setCookie);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        String csrf = JSON.readTree(login.body()).path("csrf").asText();

        eventually(200, "GET", "/api/jobs", "Cookie", cookie);
        HttpResponse<String> forged = call("POST", "/api/silences", SILENCE, "Cookie", cookie);
        assertEquals(403, forged.statusCode());
        assertEquals("a change made with the login cookie must send the X-CSRF-Token header that the login returned",
                error(forged));
        assertEquals(403, call("POST", "/api/silences", SILENCE, "Cookie", cookie, "X-CSRF-Token", "guessed")
                .statusCode());
        HttpResponse<String> made = call("POST", "/api/silences", SILENCE, "Cookie", cookie, "X-CSRF-Token", csrf);
        assertEquals(201, made.statusCode(), made.body());
        assertEquals("session", auditOf(JSON.readTree(made.body()).path("id").asText()).getVia());

        String tampered = cookie.replace("hookline_session=", "hookline_session=x");
        assertEquals(401, call("GET", "/api/jobs", null, "Cookie", tampered).statusCode());
    }

    @Test
    void testMessagesToOneReceiverAreLimitedPerMinute() throws Exception {
        TestRules.use("""
                receivers:
                  - {name: team-slack, type: slack, url: "%s"}
                """.formatted(TestRules.url("/slack")));
        String operator = bearer(KafkaTestResource.OPERATOR_TOKEN);
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            statuses.add(call("POST", "/api/receivers/team-slack/test", "", "Authorization", operator).statusCode());
        }
        assertEquals(List.of(200, 200, 429, 429), statuses);
        HttpResponse<String> limited = call("POST", "/api/receivers/team-slack/test", "", "Authorization", operator);
        assertTrue(error(limited).startsWith("receiver 'team-slack' got its test messages for this minute"),
                limited.body());
        assertTrue(limited.headers().firstValue("Retry-After").isPresent());
    }

    static AuditEvent auditOf(String target) {
        AvroSerde<AuditEvent> serde = AvroSerde.of(AuditEvent.class);
        try (TopicReader<AuditEvent> audit = TopicReader.of(Topics.withDefaultPrefix().audit(), serde::decode)) {
            return audit.await(event -> target.equals(event.getTarget()), Duration.ofSeconds(30));
        }
    }
}
