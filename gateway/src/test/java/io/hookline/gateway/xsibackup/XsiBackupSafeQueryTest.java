package io.hookline.gateway.xsibackup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The copy of a query kept for audit: the query as sent unless it holds a secret anywhere, even outside its fields. */
class XsiBackupSafeQueryTest {

    static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static Optional<String> safe(String list) {
        XsiBackupQuery.Result result = XsiBackupQuery.decode(b64(list));
        return XsiBackupHook.safeQuery(result.decoded());
    }

    @Test
    void aQueryWithoutSecretsIsKeptAsSent() {
        assertEquals(Optional.empty(), safe("PID=1|t=30|hostname=esxi01|cmd=" + b64("--backup-id=07") + "|err=" + b64("disk full")));
    }

    @Test
    void aSecretInAFieldIsMasked() {
        Optional<String> kept = safe("PID=1|cmd=" + b64("--backup-id=07 --smtp-pwd=hunter2"));
        assertTrue(kept.isPresent());
        assertFalse(kept.get().contains("hunter2"), kept.get());
    }

    @Test
    void aSecretInAKeyGivenTwiceIsFoundThoughOnlyTheLastOneIsAField() {
        Optional<String> kept = safe("PID=1|cmd=" + b64("--backup-id=07 --smtp-pwd=hunter2") + "|cmd=" + b64("--backup-id=07"));
        assertTrue(kept.isPresent(), "the raw query holds a password in its first cmd");
        assertFalse(kept.get().contains("hunter2"), kept.get());
        assertFalse(kept.get().contains(b64("--backup-id=07 --smtp-pwd=hunter2")), kept.get());
    }

    @Test
    void aSecretInASegmentWithoutAnEqualsSignIsFound() {
        Optional<String> kept = safe("PID=1|t=3| --smtp-pwd hunter2 ");
        assertTrue(kept.isPresent());
        assertFalse(kept.get().contains("hunter2"), kept.get());
    }
}
