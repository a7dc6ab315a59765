package io.hookline.gateway.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * shims/agent/prune/hookline-prune-folder, run by sh as the agent runs it: it deletes the one restore point it is
 * given inside the root its command line names, and refuses anything else a hostile or broken hook could make the
 * location say.
 */
class PruneFolderScriptTest {

    static final Path SCRIPT = Path.of("..", "shims", "agent", "prune", "hookline-prune-folder").toAbsolutePath()
            .normalize();

    @TempDir
    Path dir;
    Path root;
    Path outside;

    record Run(int exit, String output) {
    }

    @BeforeEach
    void folders() throws Exception {
        root = Files.createDirectories(dir.resolve("backups"));
        outside = Files.createDirectories(dir.resolve("etc"));
        Files.writeString(outside.resolve("passwd"), "root:x:0:0");
    }

    Run prune(Map<String, String> env, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", SCRIPT.toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(key -> key.startsWith("HOOKLINE_"));
        builder.environment().put("HOOKLINE_RESTORE_POINT", "rp-1");
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        return new Run(process.exitValue(), output.strip());
    }

    @Test
    void deletesTheFolderInsideItsRootAndAFolderAlreadyGoneIsSuccess() throws Exception {
        Path point = Files.createDirectories(root.resolve("2026-12-01").resolve("data"));
        Files.writeString(point.resolve("disk.vmdk"), "x");
        Run run = prune(Map.of("HOOKLINE_RESTORE_POINT_LOCATION", root.resolve("2026-12-01").toString()),
                root.toString());
        assertEquals(0, run.exit(), run.output());
        assertFalse(Files.exists(root.resolve("2026-12-01")));
        assertTrue(run.output().contains("deleted " + root.resolve("2026-12-01")), run.output());

        Run again = prune(Map.of("HOOKLINE_RESTORE_POINT_LOCATION", root.resolve("2026-12-01").toString()),
                root.toString());
        assertEquals(0, again.exit(), again.output());
        assertTrue(again.output().contains("already gone"), again.output());
    }

    @Test
    void refusesEveryLocationOutsideItsRootAndDeletesNothing() throws Exception {
        Files.createDirectories(root.resolve("keep"));
        Files.createSymbolicLink(root.resolve("link"), outside);
        Map<String, String> hostile = new java.util.LinkedHashMap<>();
        hostile.put("/", "not an absolute path of plain names");
        hostile.put(root.toString(), "is not inside");
        hostile.put(root + "/../etc", "not an absolute path of plain names");
        hostile.put(root + "/./keep", "not an absolute path of plain names");
        hostile.put(root + "//keep", "not an absolute path of plain names");
        hostile.put(root + "/keep/", "not an absolute path of plain names");
        hostile.put(outside.toString(), "is not inside");
        hostile.put(root + "-other/x", "is not inside");
        hostile.put(root + "/link", "is a symlink");
        hostile.put(root + "/link/passwd", "is a symlink");
        hostile.put("backups/keep", "not an absolute path of plain names");
        hostile.put("-rf", "not an absolute path of plain names");
        hostile.put("", "has no location");
        for (Map.Entry<String, String> location : hostile.entrySet()) {
            Run run = prune(Map.of("HOOKLINE_RESTORE_POINT_LOCATION", location.getKey()), root.toString());
            assertEquals(2, run.exit(), location.getKey() + ": " + run.output());
            assertTrue(run.output().contains("refused") && run.output().contains(location.getValue()),
                    location.getKey() + ": " + run.output());
        }
        assertTrue(Files.exists(outside.resolve("passwd")), "nothing outside the root was touched");
        assertTrue(Files.isDirectory(root.resolve("keep")));

        Run noRoot = prune(Map.of("HOOKLINE_RESTORE_POINT_LOCATION", root.resolve("keep").toString()));
        assertEquals(2, noRoot.exit());
        assertTrue(noRoot.output().contains("no root given"), noRoot.output());
        Run linkRoot = prune(Map.of("HOOKLINE_RESTORE_POINT_LOCATION", root.resolve("link/passwd").toString()),
                root.resolve("link").toString());
        assertEquals(2, linkRoot.exit());
        assertTrue(Files.exists(outside.resolve("passwd")));
    }

    @Test
    void xsibackupModeDeletesTheRunsFolderNamedByItsStartAndRefusesToGuess() throws Exception {
        Files.createDirectories(root.resolve("20261201031500/VM1"));
        Files.createDirectories(root.resolve("20261202031500/VM1"));
        Files.createDirectories(root.resolve("20261202031200/VM1"));
        Map<String, String> env = Map.of("HOOKLINE_RESTORE_POINT_LOCATION", root.toString(),
                "HOOKLINE_RESTORE_POINT_STAMP", "20261201031530");
        Run run = prune(env, "--xsibackup", root.toString());
        assertEquals(0, run.exit(), run.output());
        assertFalse(Files.exists(root.resolve("20261201031500")), "the folder 30 s from the point's time");
        assertTrue(Files.exists(root.resolve("20261202031500")));

        Run ambiguous = prune(Map.of("HOOKLINE_RESTORE_POINT_LOCATION", root.toString(),
                "HOOKLINE_RESTORE_POINT_STAMP", "20261202031400"), "--xsibackup", root.toString());
        assertEquals(2, ambiguous.exit(), ambiguous.output());
        assertTrue(ambiguous.output().contains("2 folders"), ambiguous.output());
        assertTrue(Files.exists(root.resolve("20261202031500")) && Files.exists(root.resolve("20261202031200")));

        Run narrow = prune(Map.of("HOOKLINE_RESTORE_POINT_LOCATION", root.toString(),
                "HOOKLINE_RESTORE_POINT_STAMP", "20261202031400"), "--xsibackup", "--window", "90", root.toString());
        assertEquals(0, narrow.exit(), narrow.output());
        assertFalse(Files.exists(root.resolve("20261202031500")), "60 s away: inside a 90 s window");
        assertTrue(Files.exists(root.resolve("20261202031200")), "120 s away: outside it");

        Run gone = prune(Map.of("HOOKLINE_RESTORE_POINT_LOCATION", root.toString(),
                "HOOKLINE_RESTORE_POINT_STAMP", "20261101000000"), "--xsibackup", root.toString());
        assertEquals(0, gone.exit(), gone.output());
        assertTrue(gone.output().contains("already gone"), gone.output());

        Run otherPoint = prune(Map.of("HOOKLINE_RESTORE_POINT_LOCATION", outside.toString(),
                "HOOKLINE_RESTORE_POINT_STAMP", "20261202031200"), "--xsibackup", root.toString());
        assertEquals(2, otherPoint.exit(), otherPoint.output());
        Run badStamp = prune(Map.of("HOOKLINE_RESTORE_POINT_LOCATION", root.toString(),
                "HOOKLINE_RESTORE_POINT_STAMP", "$(rm -rf /)"), "--xsibackup", root.toString());
        assertEquals(2, badStamp.exit(), badStamp.output());
        assertTrue(badStamp.output().contains("is not YYYYMMDDhhmmss"), badStamp.output());
        assertTrue(Files.exists(root.resolve("20261202031200")));
    }
}
