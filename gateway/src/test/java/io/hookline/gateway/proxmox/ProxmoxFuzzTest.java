package io.hookline.gateway.proxmox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import io.hookline.gateway.envelope.EventBounds;
import io.hookline.gateway.envelope.Figures;
import io.hookline.gateway.hook.RawCapture;
import io.hookline.gateway.hook.FormBody;
import io.hookline.gateway.hook.HookRequest;
import io.hookline.gateway.source.Source;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.SourceKind;

/**
 * What the vzdump hook script sends (phase, mode, vmid, the vzdump environment, node, run, failed), as a fuzzer
 * writes it: an event that passes the envelope's checks, or a refusal with a sentence; never an exception.
 */
class ProxmoxFuzzTest {

    static final Source SOURCE = new Source("pve", SourceKind.PROXMOX, "OK", ZoneId.of("UTC"));
    static final List<String> PHASES = List.of("job-init", "job-start", "job-end", "job-abort", "backup-start",
            "backup-end", "backup-abort", "log-end", "pre-stop", "pre-restart", "post-restart");
    static final List<String> KEYS = List.of("phase", "mode", "vmid", "vmtype", "guest", "target", "logfile", "dumpdir",
            "storeid", "node", "run", "failed");

    @FuzzTest(maxDuration = "5s")
    void everyCallIsAnEventOrARefusalWithASentence(FuzzedDataProvider data) {
        StringBuilder body = new StringBuilder();
        int fields = data.consumeInt(0, 14);
        for (int i = 0; i < fields; i++) {
            String key = data.consumeBoolean() ? data.pickValue(KEYS) : data.consumeString(10);
            String value = key.equals("phase") && data.consumeBoolean() ? data.pickValue(PHASES) : data.consumeString(60);
            body.append(i == 0 ? "" : "&").append(URLEncoder.encode(key, StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
        body.append(data.consumeRemainingAsString());
        HookRequest request = new HookRequest("POST", "/hooks/proxmox/***", null, Map.of(), body.toString(), "10.0.0.4");
        ProxmoxHook.Result result = ProxmoxHook.toEvent(SOURCE, FormBody.parse(body.toString()), Instant.now(),
                RawCapture.of(request, 16_384), null);
        if (result.rejection() != null) {
            assertFalse(result.rejection().message().isBlank());
            assertEquals(400, result.rejection().status());
            return;
        }
        BackupEvent event = EventBounds.apply(result.event());
        assertNotNull(event.getJobKey());
        Figures.check(event).ifPresent(problem -> assertFalse(problem.isBlank()));
    }
}
