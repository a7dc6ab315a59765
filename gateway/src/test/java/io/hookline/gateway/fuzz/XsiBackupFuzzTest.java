package io.hookline.gateway.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import io.hookline.gateway.envelope.EventBounds;
import io.hookline.gateway.envelope.Figures;
import io.hookline.gateway.hook.RawCapture;
import io.hookline.gateway.hook.HookRequest;
import io.hookline.gateway.secrets.Leaks;
import io.hookline.gateway.source.Source;
import io.hookline.gateway.xsibackup.XsiBackupHook;
import io.hookline.gateway.xsibackup.XsiBackupQuery;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.RawRequest;
import io.hookline.schema.SourceKind;

/**
 * The XSIBackup query and its cmd, as the gateway reads them, on inputs a fuzzer makes: every input is either
 * an event that passes the envelope's checks or a refusal with a sentence, never an exception, and an SMTP
 * password planted in cmd is in neither the event nor the raw capture, however it is encoded.
 */
class XsiBackupFuzzTest {

    static final Source SOURCE = new Source("esxi-prod", SourceKind.XSIBACKUP, "OK", ZoneId.of("UTC"));
    static final String SECRET = "Pl4nt3dSecretXyz";

    @FuzzTest(maxDuration = "5s")
    void everyQueryIsAnEventOrARefusalAndNeverLeaksTheSmtpPassword(FuzzedDataProvider data) {
        String before = data.consumeString(200);
        String after = data.consumeString(200);
        String pid = data.consumeString(12);
        String seconds = data.consumeString(24);
        String err = data.consumeString(400);
        String extra = data.consumeString(100);
        int layers = data.consumeInt(0, 3);
        boolean urlSafe = data.consumeBoolean();
        String tail = data.consumeRemainingAsString();
        // The fuzzer learns the secret from the comparisons below and types it anywhere; only the planted one counts.
        for (String typed : List.of(before, after, pid, seconds, err, extra, tail)) {
            if (!Leaks.find(typed, SECRET).isEmpty()) {
                return;
            }
        }

        String cmd = before + " --smtp-pwd=" + SECRET + " " + after;
        String list = "PID=" + pid + "|t=" + seconds + "|cmd=" + b64(cmd, urlSafe) + "|err=" + b64(err, urlSafe) + extra;
        String query = list;
        for (int i = 0; i < layers; i++) {
            query = b64(query, urlSafe);
        }
        query = query + tail;

        HookRequest request = new HookRequest("GET", "/hooks/xsibackup/***/error", query, Map.of(), null, "10.0.0.1");
        RawRequest refusedRaw = RawCapture.of(request, 16_384);
        assertNoSecret(refusedRaw.toString());

        XsiBackupQuery.Result decoded = XsiBackupQuery.decode(query);
        if (decoded.rejection() != null) {
            assertFalse(decoded.rejection().message().isBlank());
            return;
        }
        var safe = XsiBackupHook.safeQuery(decoded.decoded());
        // As the endpoint does: the source's own deep look at the decoded query stands for the raw one's.
        RawRequest raw = RawCapture.inspected(request, safe.orElse(query), safe.isPresent(), 16_384);
        XsiBackupHook.Result result = XsiBackupHook.toEvent(SOURCE, "error", decoded.decoded(), Instant.now(), raw, null);
        if (result.rejection() != null) {
            assertFalse(result.rejection().message().isBlank());
            assertTrue(result.rejection().status() >= 400 && result.rejection().status() < 500);
            return;
        }
        assertNoSecret(raw.toString());
        BackupEvent event = EventBounds.apply(result.event());
        Figures.check(event).ifPresent(problem -> assertFalse(problem.isBlank()));
        assertNoSecret(event.toString());
    }

    static void assertNoSecret(String written) {
        assertEquals(List.of(), Leaks.find(written, SECRET), () -> "written: "
                + (written.length() > 3000 ? written.substring(0, 3000) : written));
    }

    static String b64(String text, boolean urlSafe) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return urlSafe ? Base64.getUrlEncoder().withoutPadding().encodeToString(bytes)
                : Base64.getEncoder().encodeToString(bytes);
    }
}
