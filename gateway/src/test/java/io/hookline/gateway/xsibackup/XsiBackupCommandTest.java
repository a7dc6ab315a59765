package io.hookline.gateway.xsibackup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.hookline.gateway.secrets.SecretScrubber;

class XsiBackupCommandTest {

    static final String TYPICAL = "--backup-point=/vmfs/volumes/backup --backup-type=custom "
            + "--backup-vms=\"VM1,VM2!disk1;disk2\" --backup-how=hot --backup-prog=vmkfstools "
            + "--mail-to=ops@example.org --smtp-pwd=S3cr3t! --backup-id=04";

    @Test
    void backupIdIsTheJobIdentityWhenPresent() {
        assertEquals("04", XsiBackupCommand.parse(TYPICAL).identity().orElseThrow());
    }

    @Test
    void withoutBackupIdTheIdentityIsADigestOfTheJobDefiningArgumentsInAnyOrder() {
        String a = XsiBackupCommand.parse("--backup-point=/vmfs/volumes/b --backup-vms=VM1 --backup-how=hot")
                .identity().orElseThrow();
        String b = XsiBackupCommand.parse("--backup-how=hot   --backup-vms=\"VM1\" --backup-point=/vmfs/volumes/b")
                .identity().orElseThrow();
        assertEquals(a, b);
        assertTrue(a.matches("cmd-[0-9a-f]{12}"), a);
    }

    @Test
    void mailSettingsAndSecretsDoNotChangeTheJobIdentity() {
        String base = "--backup-point=/vmfs/volumes/b --backup-vms=VM1";
        String plain = XsiBackupCommand.parse(base).identity().orElseThrow();
        String withMail = XsiBackupCommand.parse(base + " --mail-to=x@y.z --smtp-pwd=abc --smtp-srv=mail")
                .identity().orElseThrow();
        assertEquals(plain, withMail);
        assertNotEquals(plain, XsiBackupCommand.parse("--backup-point=/vmfs/volumes/c --backup-vms=VM1")
                .identity().orElseThrow());
    }

    @Test
    void vmListWithDiskSelectionIsParsed() {
        var vms = XsiBackupCommand.parse(TYPICAL).vms();
        assertEquals("VM1", vms.get(0).getName());
        assertEquals(List.of(), vms.get(0).getDisks());
        assertEquals("VM2", vms.get(1).getName());
        assertEquals(List.of("disk1", "disk2"), vms.get(1).getDisks());
    }

    @Test
    void backupPointProgramAndMailTargetAreRead() {
        XsiBackupCommand cmd = XsiBackupCommand.parse(TYPICAL);
        assertEquals("/vmfs/volumes/backup", cmd.argument("backup-point").orElseThrow());
        assertEquals("vmkfstools", cmd.argument("backup-prog").orElseThrow());
        assertEquals("ops@example.org", cmd.argument("mail-to").orElseThrow());
    }

    @Test
    void smtpPasswordAndAnySecretNamedArgumentAreScrubbed() {
        String line = TYPICAL + " --api-token=tok123 --db-password=\"two words\" --secret 'quoted secret' --S3-ACCESS-KEY=AKIA1";
        String scrubbed = XsiBackupCommand.parse(line).scrubbed();
        for (String secret : List.of("S3cr3t!", "tok123", "two words", "quoted secret", "AKIA1")) {
            assertFalse(scrubbed.contains(secret), secret + " leaked: " + scrubbed);
        }
        assertTrue(scrubbed.contains("--smtp-pwd=***"), scrubbed);
        assertTrue(scrubbed.contains("--db-password=\"***\""), scrubbed);
        assertTrue(scrubbed.contains("--backup-id=04"), scrubbed);
    }

    @Test
    void wordsThatMerelyStartLikePassAreLeftAlone() {
        String text = "Backup passed: 3 VMs; bypass=none";
        assertEquals(text, SecretScrubber.scrub(text));
        assertEquals("login failed, password=*** rejected", SecretScrubber.scrub("login failed, password=hunter2 rejected"));
    }
}
