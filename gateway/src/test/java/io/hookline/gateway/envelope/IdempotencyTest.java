package io.hookline.gateway.envelope;

import io.hookline.gateway.HookTopics;
import org.junit.jupiter.api.extension.RegisterExtension;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hookline.gateway.KafkaTestResource;
import io.hookline.gateway.ShimRunner;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.EventType;
import io.hookline.schema.RejectedHook;
import io.hookline.schema.RunOutcome;
import io.hookline.schema.topics.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A retry is one call sent again with the same Idempotency-Key; two calls that merely look alike (the same
 * EndScript on two nights, a PID the ESXi host reuses) are two events with two ids.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class IdempotencyTest {

    static final String RETROSPECT = "test-token-retro-office-0123456789";
    static final String XSIBACKUP = "test-token-esxi-prod-0123456789";
    static final String PINGS = "test-token-borg-pings-0123456789";
    static final String PROXMOX = "test-token-pve-cluster-0123456789";
    static final Topics TOPICS = Topics.withDefaultPrefix();
    @RegisterExtension
    static final HookTopics topics = new HookTopics();

    @TestHTTPResource("/")
    URL root;

    @TempDir
    Path dir;

    List<BackupEvent> eventsOfJob(String jobKey, int count) {
        return topics.eventsOfJob(jobKey, count);
    }

    static Set<String> ids(List<BackupEvent> list) {
        Set<String> ids = new HashSet<>();
        list.forEach(e -> ids.add(e.getEventId()));
        return ids;
    }

    @Test
    void threeNightsOfTheRetrospectHarnessThroughTheRealShimAreTwelveEventsAndThreeCleanEndings() throws Exception {
        ShimRunner shim = new ShimRunner("retrospect/RetroEventHandler", dir, root.toString().replaceAll("/$", ""),
                RETROSPECT);
        String script = "Daily Backup " + UUID.randomUUID().toString().substring(0, 6);
        for (int night = 1; night <= 3; night++) {
            String start = "11/2" + night + "/2026 22:00";
            assertEquals(0, shim.run(Map.of(), "StartScript", script, start, dir.resolve("i").toString()).exitCode());
            assertEquals(0, shim.run(Map.of(), "StartSource", script, "Macintosh HD", "/", "mac-1",
                    dir.resolve("i").toString()).exitCode());
            assertEquals(0, shim.run(Map.of(), "EndSource", script, "Macintosh HD", "/", "mac-1", "1024", "10", "60",
                    start, "11/2" + night + "/2026 22:01", start, "Set A", "Normal", "", "0", "0", "successful")
                    .exitCode());
            // Word for word the same every night: only the shim's idempotency key tells the nights apart.
            assertEquals(0, shim.run(Map.of(), "EndScript", script, "0", "0", "successful").exitCode());
        }
        List<BackupEvent> all = eventsOfJob("retro-office/" + script, 12);
        assertEquals(12, ids(all).size(), "every call is its own event");
        List<BackupEvent> endings = all.stream().filter(e -> e.getType() == EventType.RUN_SUCCEEDED).toList();
        assertEquals(3, endings.size());
        endings.forEach(e -> assertEquals(RunOutcome.SUCCEEDED, e.getOutcome()));
        assertTrue(all.stream().allMatch(e -> e.getRaw().getHeaders().containsKey("idempotency-key")));
    }

    @Test
    void theSameCallSentAgainWithItsIdempotencyKeyKeepsItsEventId() {
        String script = "Retried " + UUID.randomUUID().toString().substring(0, 6);
        String key = UUID.randomUUID().toString();
        for (int i = 0; i < 2; i++) {
            given().header("Authorization", "Bearer " + RETROSPECT).header("Idempotency-Key", "\"" + key + "\"")
                    .contentType("application/x-www-form-urlencoded")
                    .body("event=EndScript&arg=" + script.replace(" ", "+") + "&arg=0&arg=0&arg=successful&host=mac-1")
                    .post("/hooks/retrospect").then().statusCode(200).body(equalTo("continue\n"));
        }
        List<BackupEvent> both = eventsOfJob("retro-office/" + script, 2);
        assertEquals(1, ids(both).size(), "a retry carries the id of the call it repeats: " + ids(both));
    }

    @Test
    void anXsiBackupPidReusedMonthsLaterIsAnotherRun() {
        String backupId = "reuse-" + UUID.randomUUID().toString().substring(0, 6);
        String query = b64("PID=4242|t=60|cmd=" + b64("--backup-id=" + backupId + " --backup-point=/vmfs/volumes/b"));
        for (int i = 0; i < 2; i++) {
            given().urlEncodingEnabled(false).get("/hooks/xsibackup/" + XSIBACKUP + "/success?" + query)
                    .then().statusCode(200).body(equalTo("OK"));
        }
        assertEquals(2, ids(eventsOfJob("esxi-prod/" + backupId, 2)).size());
    }

    @Test
    void twoLogPingsOfOneRunWithTheSameRidAreBothKept() {
        String slug = "rid-" + UUID.randomUUID().toString().substring(0, 6);
        String rid = UUID.randomUUID().toString();
        for (int i = 0; i < 2; i++) {
            given().body("line " + i).post("/ping/" + PINGS + "/" + slug + "/log?create=1&rid=" + rid)
                    .then().statusCode(200);
        }
        List<BackupEvent> logs = eventsOfJob("borg/" + slug, 2);
        assertEquals(2, ids(logs).size());
        logs.forEach(e -> assertEquals(rid, e.getRunId()));
    }

    @Test
    void theSameProxmoxPhaseOfARunIdMadeOfAReusedPidIsStillTwoEvents() {
        String store = "store-" + UUID.randomUUID().toString().substring(0, 6);
        for (int i = 0; i < 2; i++) {
            given().header("Authorization", "Bearer " + PROXMOX).contentType("application/x-www-form-urlencoded")
                    .body("phase=job-end&node=pve1&run=1234-0&failed=0&storeid=" + store)
                    .post("/hooks/proxmox").then().statusCode(200);
        }
        assertEquals(2, ids(eventsOfJob("pve/pve1/vzdump-" + store, 2)).size());
    }

    @Test
    void anIdempotencyKeyThatIsNoKeyIsRefusedWithASentenceAndRecorded() {
        String job = "badkey-" + UUID.randomUUID().toString().substring(0, 6);
        given().header("Idempotency-Key", "k".repeat(300))
                .post("/ping/" + PINGS + "/" + job + "?create=1")
                .then().statusCode(400).body(containsString("Idempotency-Key header is 300 characters; at most 255"));
        RejectedHook record = topics.rejection(hook -> hook.getReason().equals("bad-idempotency-key")
                && hook.getRaw().getPath().contains(job));
        assertEquals(400, record.getStatus());
        assertNotEquals(null, record.getMessage());
    }

    static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
