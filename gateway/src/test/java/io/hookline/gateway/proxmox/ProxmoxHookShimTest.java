package io.hookline.gateway.proxmox;

import io.hookline.gateway.HookTopics;
import org.junit.jupiter.api.extension.RegisterExtension;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hookline.devstack.LocalKafka;
import io.hookline.gateway.KafkaTestResource;
import io.hookline.gateway.ShimRunner;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.EventType;
import io.hookline.schema.ProxmoxDetail;
import io.hookline.schema.RunOutcome;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.hookline.schema.topics.Topics;

/** The real vzdump hook script, called as vzdump calls it, against the running gateway. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class ProxmoxHookShimTest {

    static final Topics TOPICS = Topics.withDefaultPrefix();

    static final String TOKEN = "test-token-pve-cluster-0123456789";
    @RegisterExtension
    static final HookTopics topics = new HookTopics();

    @TestHTTPResource("/")
    URL root;

    @TempDir
    Path dir;

    @Test
    void aVzdumpJobWithOneFailedGuestEndsAsAFailedRunWithItsArchivesAsRestorePoints() throws Exception {
        ShimRunner hook = new ShimRunner("proxmox/hookline-vzdump-hook", dir, root.toString().replaceAll("/$", ""), TOKEN);
        String store = "pbs-" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, String> env = new HashMap<>(Map.of("STOREID", store, "DUMPDIR", "/mnt/pve/" + store, "TMPDIR", dir.toString()));
        assertEquals(0, hook.run(env, "job-start").exitCode());
        env.putAll(Map.of("VMTYPE", "qemu", "HOSTNAME", "web01"));
        assertEquals(0, hook.run(env, "backup-start", "snapshot", "101").exitCode());
        env.put("TARGET", "/mnt/pve/" + store + "/dump/vzdump-qemu-101-2026_11_21-02_00_00.vma.zst");
        assertEquals(0, hook.run(env, "backup-end", "snapshot", "101").exitCode());
        env.remove("TARGET");
        env.put("HOSTNAME", "db01");
        assertEquals(0, hook.run(env, "backup-abort", "snapshot", "102").exitCode());
        assertEquals(0, hook.run(env, "job-end").exitCode());

        BackupEvent end = topics.event(e -> e.getDetail() instanceof ProxmoxDetail d && store.equals(d.getStoreId())
                && d.getPhase().equals("job-end"));
        assertEquals(EventType.RUN_FAILED, end.getType());
        assertEquals("1 guest backup(s) failed", end.getErrorMessage());
        assertTrue(end.getJobKey().endsWith("/vzdump-" + store), end.getJobKey());

        BackupEvent archive = topics.event(e -> e.getDetail() instanceof ProxmoxDetail d && store.equals(d.getStoreId())
                && d.getPhase().equals("backup-end"));
        assertEquals(EventType.TARGET_FINISHED, archive.getType());
        assertEquals("/mnt/pve/" + store + "/dump/vzdump-qemu-101-2026_11_21-02_00_00.vma.zst", archive.getRestorePoint().getId());
        assertEquals(List.of("vmid:101"), archive.getRestorePoint().getTags());
        assertEquals("vm 101 (web01)", archive.getTarget());
        assertEquals(end.getRunId(), archive.getRunId(), "all phases of one vzdump run share its run id");

        BackupEvent abort = topics.event(e -> e.getDetail() instanceof ProxmoxDetail d && store.equals(d.getStoreId())
                && d.getPhase().equals("backup-abort"));
        assertEquals(RunOutcome.FAILED, abort.getOutcome());
    }

    @Test
    void aCallWithoutAPhaseIsRefusedNamingWhatIsMissingAndRecorded() {
        io.restassured.RestAssured.given().header("Authorization", "Bearer " + TOKEN)
                .contentType("application/x-www-form-urlencoded").body("mode=snapshot&vmid=101")
                .post("/hooks/proxmox").then().statusCode(400)
                .body(org.hamcrest.Matchers.equalTo("hookline: the form has no phase=<job-start|job-end|backup-end|...>"));
        var refusal = topics.rejection(hook -> "pve".equals(hook.getSourceName()) && hook.getReason().equals("missing-field"));
        assertEquals(400, refusal.getStatus());
        assertEquals("mode=snapshot&vmid=101", refusal.getRaw().getBody());
    }

    @Test
    void theHookNeverFailsABackupWhenHooklineIsDown() throws Exception {
        ShimRunner hook = new ShimRunner("proxmox/hookline-vzdump-hook", dir,
                "http://127.0.0.1:" + LocalKafka.freePort(), TOKEN);
        ShimRunner.Outcome outcome = hook.run(Map.of("TMPDIR", dir.toString()), "job-start");
        assertEquals(0, outcome.exitCode());
        assertTrue(hook.log().contains("job-start: Hookline not reached"), hook.log());
    }
}
