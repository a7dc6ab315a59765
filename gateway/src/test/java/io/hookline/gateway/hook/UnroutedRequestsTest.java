package io.hookline.gateway.hook;

import io.hookline.gateway.HookTopics;
import org.junit.jupiter.api.extension.RegisterExtension;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import io.hookline.devstack.RawHttp;
import io.hookline.gateway.KafkaTestResource;
import io.hookline.runtime.text.Excerpt;
import io.hookline.schema.RejectedHook;
import io.hookline.schema.SourceKind;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.hookline.schema.topics.Topics;

/**
 * Requests that reach no endpoint, or that Vert.x refuses before one runs, are refused with a sentence naming what
 * was wrong and recorded on hookline.rejected like any bad hook, with the token masked and the query left out.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class UnroutedRequestsTest {

    static final Topics TOPICS = Topics.withDefaultPrefix();

    static final String TOKEN = "test-token-apps-events-0123456789";
    @RegisterExtension
    static final HookTopics topics = new HookTopics();

    RejectedHook recordOf(Response response) {
        String id = response.getHeader(HookIntake.REJECTION_HEADER);
        return topics.rejection(r -> r.getRejectionId().equals(id));
    }

    @Test
    void aPathNoEndpointTakesIsAnsweredWithTheEndpointsAndRecorded() {
        Response response = given().get("/wp-login.php?user=admin");
        response.then().statusCode(404)
                .body(startsWith("hookline: no endpoint for GET /wp-login.php: hooks go to /hooks/xsibackup/<token>/"));
        RejectedHook record = recordOf(response);
        assertEquals("no-endpoint", record.getReason());
        assertEquals(SourceKind.UNKNOWN, record.getSourceKind());
        assertEquals("/wp-login.php", record.getRaw().getPath());
        assertNull(record.getRaw().getQuery(), "a query may hold a secret where it is not known");
    }

    @Test
    void aMistypedHookUrlIsRecordedWithItsTokenMasked() {
        Response response = given().get("/hooks/xsibackup/" + TOKEN + "/error/extra?c2VjcmV0");
        response.then().statusCode(404).body(containsString("/hooks/xsibackup/***/error/extra"));
        assertFalse(response.asString().contains(TOKEN));
        RejectedHook record = recordOf(response);
        assertEquals(SourceKind.XSIBACKUP, record.getSourceKind());
        assertEquals("/hooks/xsibackup/***/error/extra", record.getRaw().getPath());
        assertFalse(record.toString().contains(TOKEN), record.toString());
    }

    @Test
    void aMethodAnEndpointDoesNotTakeIsNamed() {
        Response response = given().body("x").put("/hooks/proxmox/" + TOKEN);
        response.then().statusCode(405).body(startsWith("hookline: PUT is not accepted at /hooks/proxmox/***"));
        RejectedHook record = recordOf(response);
        assertEquals("method-not-allowed", record.getReason());
        assertEquals(SourceKind.PROXMOX, record.getSourceKind());
    }

    @Test
    void aBodyOverTheServersLimitIsRecordedThoughNoEndpointRan() {
        byte[] body = new byte[2_200_000];
        java.util.Arrays.fill(body, (byte) 'a');
        given().contentType("application/json").body(body).post("/events/" + TOKEN).then().statusCode(413);

        RejectedHook record = topics.rejection(hook -> hook.getReason().equals("too-large")
                && hook.getRaw().getPath().equals("/events/***"));
        assertEquals(413, record.getStatus());
        assertEquals(SourceKind.CLOUDEVENTS, record.getSourceKind());
        assertNull(record.getRaw().getBody());
    }

    @Test
    void aUriJavaCannotParseIsAnsweredWithWhyAndRecorded() throws Exception {
        for (String target : java.util.List.of("/hooks/xsibackup/" + TOKEN + "/success?%%%",
                "/hooks/xsibackup/" + TOKEN + "/error?UElEPTEyMw==|{x}", "/ping/" + TOKEN + "/db%zz")) {
            String answer = RawHttp.get("127.0.0.1", io.restassured.RestAssured.port, target);
            assertTrue(answer.startsWith("HTTP/1.1 400 "), target + " answered\n" + answer);
            assertTrue(answer.contains("\r\n\r\nhookline: the request's URI cannot be parsed: "), answer);
            assertTrue(answer.contains(" at character "), answer);
            assertFalse(answer.contains(TOKEN), answer);
            String id = answer.lines().filter(line -> line.toLowerCase(java.util.Locale.ROOT)
                    .startsWith(HookIntake.REJECTION_HEADER.toLowerCase(java.util.Locale.ROOT) + ":")).findFirst()
                    .orElseThrow(() -> new AssertionError("no rejection header:\n" + answer))
                    .substring(HookIntake.REJECTION_HEADER.length() + 1).strip();
            RejectedHook record = topics.rejection(r -> r.getRejectionId().equals(id));
            assertEquals("malformed-uri", record.getReason());
            assertEquals(400, record.getStatus());
            assertNull(record.getRaw().getQuery(), "a query may hold a secret where it is not known");
            assertFalse(record.toString().contains(TOKEN), record.toString());
            assertEquals(target.startsWith("/ping/") ? SourceKind.PING : SourceKind.XSIBACKUP, record.getSourceKind());
            assertTrue(record.getRaw().getPath().matches("/(hooks/xsibackup|ping)/\\*\\*\\*/.*"),
                    record.getRaw().getPath());
        }
    }

    @Test
    void aPathOfMegabytesIsRefusedInAFewWordsAndStillRecorded() throws Exception {
        // The server takes request lines of 2 MiB (XSIBackup's queries): a scanner's path can be that long.
        for (String target : java.util.List.of("/hooks/xsibackup/" + TOKEN + "/error/" + "a".repeat(1_500_000),
                "/hooks/xsibackup/" + TOKEN + "/error/" + "a".repeat(10_000) + "?%%%")) {
            String answer = RawHttp.get("127.0.0.1", io.restassured.RestAssured.port, target);
            String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
            assertTrue(body.length() < 500, body.length() + " characters: " + Excerpt.quoted(body));
            assertTrue(body.startsWith(target.contains("%%%") ? "hookline: the request's URI cannot be parsed"
                    : "hookline: no endpoint for GET /hooks/xsibackup/***/error/aaaa"), body);
            String id = answer.lines().filter(line -> line.startsWith(HookIntake.REJECTION_HEADER + ":")).findFirst()
                    .orElseThrow(() -> new AssertionError(Excerpt.quoted(answer)))
                    .substring(HookIntake.REJECTION_HEADER.length() + 1).strip();
            RejectedHook record = topics.rejection(r -> r.getRejectionId().equals(id));
            assertTrue(record.getRaw().getPath().startsWith("/hooks/xsibackup/***/error/aaaa"),
                    Excerpt.quoted(record.getRaw().getPath()));
            assertTrue(record.getRaw().getPath().length() <= RawCapture.MAX_PATH_BYTES, "path kept whole");
            assertTrue(record.getRaw().getTruncated());
            assertTrue(record.getMessage().length() < 500, Excerpt.quoted(record.getMessage()));
        }
    }

    @Test
    void headersLargerThanHttp11TakesAreRefusedOverHttp2TooWithASentence() throws Exception {
        // Over HTTP/2 the path and query are a header, so the server takes 2 MiB of headers there (XSIBackup's
        // queries); the other headers are held to what HTTP/1.1 takes, where Vert.x answers an empty 431 itself.
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        String base = "http://127.0.0.1:" + io.restassured.RestAssured.port;
        http.send(HttpRequest.newBuilder(URI.create(base + "/q/health/live")).build(),
                HttpResponse.BodyHandlers.discarding()); // the connection is upgraded (h2c) after its first call
        String job = "big-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(base + "/events/" + TOKEN))
                .header("ce-specversion", "1.0").header("ce-id", job).header("ce-source", "/cron/db1")
                .header("ce-type", "io.hookline.backup.run.failed").header("ce-subject", job)
                .header("ce-note", "n".repeat(100_000)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"host\":\"db1\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_2, answer.version());
        assertEquals(431, answer.statusCode(), answer.body());
        assertTrue(answer.body().startsWith("hookline: the request's headers take 100"), answer.body());
        assertTrue(answer.body().endsWith("; the gateway takes 20480 bytes of headers besides the URL"), answer.body());
        assertFalse(answer.body().contains(TOKEN), answer.body());
        String id = answer.headers().firstValue(HookIntake.REJECTION_HEADER).orElseThrow();
        RejectedHook record = topics.rejection(r -> r.getRejectionId().equals(id));
        assertEquals("request-too-long", record.getReason());
        assertEquals(SourceKind.CLOUDEVENTS, record.getSourceKind());
        assertEquals("/events/***", record.getRaw().getPath());
        assertTrue(record.toString().length() < 5_000, "the record keeps no header that long: "
                + record.toString().length() + " characters");
        // A header's name of 30,000 characters, sent twice, without credentials: refused each time, each recorded.
        for (int time = 1; time <= 2; time++) {
            HttpResponse<String> longName = http.send(HttpRequest.newBuilder(URI.create(base + "/events"))
                    .header("x-" + "n".repeat(30_000), "1").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(431, longName.statusCode(), longName.body());
            assertTrue(longName.body().matches("hookline: the request's headers take 300\\d\\d bytes; the gateway takes "
                    + "20480 bytes of headers besides the URL"), longName.body());
            String refused = longName.headers().firstValue(HookIntake.REJECTION_HEADER).orElseThrow();
            assertEquals("request-too-long", topics.rejection(r -> r.getRejectionId().equals(refused)).getReason());
        }
        // Past the 2 MiB HTTP/2 takes at all, the HTTP server refuses before any route, as it refuses a request line
        // over 2 MiB over HTTP/1.1; the gateway answers the next request as before.
        HttpClient another = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        another.send(HttpRequest.newBuilder(URI.create(base + "/q/health/live")).build(),
                HttpResponse.BodyHandlers.discarding());
        String refusedOutright;
        try {
            refusedOutright = "answered " + another.send(HttpRequest.newBuilder(URI.create(base + "/events/" + TOKEN))
                    .header("x-note", "n".repeat(10_000_000)).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (java.io.IOException closed) {
            refusedOutright = "closed";
        }
        assertTrue(refusedOutright.equals("closed") || refusedOutright.equals("answered 431"), refusedOutright);
        assertEquals(200, HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/q/health/live"))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        assertTrue(topics.events().drain(java.time.Duration.ofSeconds(2)).stream()
                .noneMatch(event -> event.getJobKey().endsWith(job)), "no event written for the refused hook");
    }
}
