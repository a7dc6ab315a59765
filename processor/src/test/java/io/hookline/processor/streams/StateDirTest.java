package io.hookline.processor.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirTest {

    @TempDir
    Path home;

    @Test
    void aMissingFolderIsCreatedAndLeftEmpty() throws Exception {
        Path folder = home.resolve("var/lib/hookline");
        StateDir.check(folder);
        assertTrue(Files.isDirectory(folder));
        try (var left = Files.list(folder)) {
            assertEquals(0, left.count(), "the write check leaves nothing behind");
        }
    }

    @Test
    void aFileInItsPlaceIsNamed() throws Exception {
        Path file = Files.writeString(home.resolve("hookline"), "not a folder");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> StateDir.check(file));
        assertEquals("the processor's state folder " + file + " (hookline.state-dir, HOOKLINE_STATE_DIR) is a file, not"
                + " a folder (the processor runs as user " + System.getProperty("user.name") + "): mount a volume there"
                + " that this user can write (on Kubernetes the pod's securityContext.fsGroup) or set HOOKLINE_STATE_DIR"
                + " to a folder it can write", e.getMessage());
    }

    @Test
    void aFolderThatCannotBeCreatedSaysWhy() throws Exception {
        // Not even root can make a folder under a file.
        Path under = Files.writeString(home.resolve("a-file"), "x").resolve("state");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> StateDir.check(under));
        assertTrue(e.getMessage().startsWith("the processor's state folder " + under + " (hookline.state-dir,"
                + " HOOKLINE_STATE_DIR) cannot be created: FileSystemException "), e.getMessage());
        assertTrue(e.getMessage().endsWith("or set HOOKLINE_STATE_DIR to a folder it can write"), e.getMessage());
    }

    @Test
    void aFolderThatCannotBeWrittenSaysWhy() {
        // A folder no process may create files in, root included (Linux's /proc/sys); a read-only volume is the same.
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> StateDir.check(Path.of("/proc/sys")));
        assertTrue(e.getMessage().startsWith("the processor's state folder /proc/sys (hookline.state-dir,"
                + " HOOKLINE_STATE_DIR) cannot be written: "), e.getMessage());
    }
}
