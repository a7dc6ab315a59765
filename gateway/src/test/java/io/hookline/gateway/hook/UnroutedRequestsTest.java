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
}
