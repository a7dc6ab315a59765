package io.hookline.gateway.retrospect;

import io.hookline.gateway.HookTopics;
import org.junit.jupiter.api.extension.RegisterExtension;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
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
import io.hookline.schema.RetrospectDetail;
import io.hookline.schema.RunOutcome;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.hookline.schema.topics.Topics;

/** The real RetroEventHandler (POSIX sh) run with Retrospect's arguments against the running gateway. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class RetroEventHandlerShimTest {

    static final Topics TOPICS = Topics.withDefaultPrefix();

    static final String TOKEN = "test-token-retro-office-0123456789";
    @RegisterExtension
    static final HookTopics topics = new HookTopics();

    @TestHTTPResource("/")
    URL root;

    @TempDir
    Path dir;

    ShimRunner shim(String token) throws Exception {
        return new ShimRunner("retrospect/RetroEventHandler", dir, root.toString().replaceAll("/$", ""), token);
    }

    BackupEvent eventWithArguments(List<String> arguments) {
        return topics.event(e -> e.getDetail() instanceof RetrospectDetail d && d.getArguments().equals(arguments));
    }

    record Call(EventType type, String... args) {
    }

    @Test
    void everyRetrospectEventIsForwardedTypedAndAnsweredWithExitZero() throws Exception {
        ShimRunner shim = shim(TOKEN);
        String script = "Nightly-" + UUID.randomUUID().toString().substring(0, 6);
        String file = dir.resolve("intervention.txt").toString();
        List<Call> calls = List.of(
                new Call(EventType.APP_STARTED, "StartApp", "11/21/2016 18:06", "false", file),
                new Call(EventType.APP_STOPPED, "EndApp", "11/21/2016 23:59 " + script),
                new Call(EventType.SERVER_STARTED, "StartBackupServer", "1/1/2000 12:01 AM", file + script),
                new Call(EventType.SERVER_STOPPED, "StopBackupServer", "2/10/2017 15:39 " + script),
                new Call(EventType.RUN_STARTED, "StartScript", script, "11/21/2016 18:06", file),
                new Call(EventType.TARGET_STARTED, "StartSource", script, "Macintosh HD", "/", "mac-mini", file),
                new Call(EventType.TARGET_FINISHED, "EndSource", script, "Macintosh HD", "/", "mac-mini", "1048576",
                        "35123", "1800", "11/21/2016 18:07", "11/21/2016 18:37", "11/21/2016 18:06", "Backup Set A",
                        "Normal", "Macintosh HD", "0", "0", "successful"),
                new Call(EventType.RUN_SUCCEEDED, "EndScript", script, "0", "0", "successful"),
                new Call(EventType.MEDIA_REQUESTED, "MediaRequest", "1-Set A " + script, "Set A", "true", "5", file),
                new Call(EventType.MEDIA_TIMED_OUT, "TimedOutMediaRequest", "1-Set A " + script, "Set A", "true", "60", file),
                new Call(EventType.SCHEDULE_CHECK_FAILED, "ScriptCheckFailed", script, "11/22/2016 18:00", "No media",
                        "-1101", "media not found"),
                new Call(EventType.NEXT_RUN_SCHEDULED, "NextExec", script, "11/22/2016 18:00"),
                new Call(EventType.SCHEDULE_STOPPED, "StopSched", script, "11/21/2016 20:00", file),
                new Call(EventType.SCHEDULE_STOPPED, "SchedStop", script, "11/21/2016 20:01", file),
                new Call(EventType.PASSWORD_ENTRY, "PasswordEntry", "Set A " + script, "3", "-1017", "wrong password"),
                new Call(EventType.FATAL_ERROR, "FatalBackupError", script, "Disk full", "-1115", "volume full"),
                new Call(EventType.FATAL_ERROR, "FatalBackupError", script, "Disk full", "-1115", "volume full", "Zone 1"),
                new Call(EventType.FATAL_ERROR, "FatalBackupError", script, "Disk full", "-1115", "volume full", "Zone 1", file),
                new Call(EventType.ANOMALY_REPORTED, "AnomalyAlert", script, "ransomware suspected", "42"));

        for (Call call : calls) {
            ShimRunner.Outcome outcome = shim.run(Map.of(), call.args());
            assertEquals(0, outcome.exitCode(), call.args()[0] + ": " + outcome.output() + shim.log());
        }
        for (Call call : calls) {
            List<String> arguments = List.of(call.args()).subList(1, call.args().length);
            BackupEvent event = eventWithArguments(arguments);
            assertEquals(call.type(), event.getType(), call.args()[0]);
            assertEquals(call.args()[0], ((RetrospectDetail) event.getDetail()).getEvent());
        }
        assertFalse(Files.exists(dir.resolve("intervention.txt")), "nothing was written into the intervention file");
        assertFalse(shim.log().contains("not reached"), shim.log());

        BackupEvent start = eventWithArguments(List.of(script, "11/21/2016 18:06", file));
        assertEquals("retro-office/" + script, start.getJobKey());
        assertEquals(script + "@11/21/2016 18:06", start.getRunId());
        assertEquals(Instant.parse("2016-11-21T23:06:00Z"), start.getOccurredAt(), "New York local time");
        assertEquals("11/21/2016 18:06", start.getOccurredAtRaw());

        BackupEvent server = eventWithArguments(List.of("1/1/2000 12:01 AM", file + script));
        assertEquals(Instant.parse("2000-01-01T05:01:00Z"), server.getOccurredAt());

        BackupEvent target = eventWithArguments(List.of(calls.get(6).args()).subList(1, 17));
        assertEquals(1_073_741_824L, target.getBytes());
        assertEquals(35_123L, target.getFiles());
        assertEquals(1_800_000L, target.getDurationMs());
        assertEquals("mac-mini:Macintosh HD", target.getTarget());
        assertEquals("Backup Set A", target.getRestorePoint().getLocation());
        assertEquals(Instant.parse("2016-11-21T23:37:00Z"), target.getRestorePoint().getCreatedAt());

        BackupEvent fatal5 = eventWithArguments(List.of(script, "Disk full", "-1115", "volume full", "Zone 1"));
        assertEquals("Zone 1", ((RetrospectDetail) fatal5.getDetail()).getNamedArguments().get("errZone"));
        assertEquals("-1115", fatal5.getErrorCode());
        BackupEvent fatal6 = eventWithArguments(List.of(script, "Disk full", "-1115", "volume full", "Zone 1", file));
        assertEquals(file, ((RetrospectDetail) fatal6.getDetail()).getNamedArguments().get("interventionFile"));

        BackupEvent anomaly = eventWithArguments(List.of(script, "ransomware suspected", "42"));
        assertEquals(List.of(script, "ransomware suspected", "42"), ((RetrospectDetail) anomaly.getDetail()).getArguments());
    }

    @Test
    void endScriptWithAFatalCodeFailsAndErrorsWithoutOneAreWarnings() throws Exception {
        ShimRunner shim = shim(TOKEN);
        String script = "Weekly-" + UUID.randomUUID().toString().substring(0, 6);
        assertEquals(0, shim.run(Map.of(), "EndScript", script, "3", "-1115", "volume full").exitCode());
        assertEquals(0, shim.run(Map.of(), "EndScript", script, "2", "0", "successful").exitCode());

        BackupEvent failed = eventWithArguments(List.of(script, "3", "-1115", "volume full"));
        assertEquals(EventType.RUN_FAILED, failed.getType());
        assertEquals("volume full", failed.getErrorMessage());
        BackupEvent warned = eventWithArguments(List.of(script, "2", "0", "successful"));
        assertEquals(EventType.RUN_SUCCEEDED, warned.getType());
        assertEquals(RunOutcome.WARNING, warned.getOutcome());
        assertEquals(2, warned.getErrorCount());
    }

    @Test
    void aPausedScriptIsCancelledThroughTheInterventionFile() throws Exception {
        ShimRunner shim = shim(TOKEN);
        Path file = dir.resolve("intervene-" + UUID.randomUUID() + ".txt");
        ShimRunner.Outcome outcome = shim.run(Map.of(), "StartScript", "Paused Nightly", "11/21/2016 18:06", file.toString());

        assertEquals(1, outcome.exitCode(), outcome.output());
        assertEquals("Paused in Hookline by the operator\n", Files.readString(file));
        BackupEvent event = eventWithArguments(List.of("Paused Nightly", "11/21/2016 18:06", file.toString()));
        assertEquals("Paused in Hookline by the operator", ((RetrospectDetail) event.getDetail()).getIntervention());
    }

    @Test
    void insideAMaintenanceWindowASourceIsNotStartedButItsEndIsRecorded() throws Exception {
        ShimRunner shim = shim("test-token-retro-maint-0123456789");
        Path file = dir.resolve("maint.txt");
        String script = "Files-" + UUID.randomUUID().toString().substring(0, 6);
        ShimRunner.Outcome start = shim.run(Map.of(), "StartSource", script, "Data", "/data", "nas", file.toString());
        ShimRunner.Outcome end = shim.run(Map.of(), "EndScript", script, "0", "0", "successful");

        assertEquals(1, start.exitCode());
        assertTrue(Files.readString(file).startsWith("Maintenance window (Hookline)"));
        assertEquals(0, end.exitCode());
    }

    @Test
    void unreachableGatewayMeansExitZeroNothingWrittenAndALogLine() throws Exception {
        ShimRunner shim = shim(TOKEN);
        Path file = dir.resolve("never.txt");
        int closed = LocalKafka.freePort();
        ShimRunner.Outcome outcome = shim.run(Map.of("HOOKLINE_URL", "http://127.0.0.1:" + closed),
                "StartScript", "Paused Nightly", "11/21/2016 18:06", file.toString());

        assertEquals(0, outcome.exitCode());
        assertFalse(Files.exists(file));
        assertTrue(shim.log().contains("StartScript: Hookline not reached"), shim.log());
    }

    @Test
    void aGatewayThatDoesNotAnswerIsGivenUpAfterTheTimeoutAndTheEventGoesOn() throws Exception {
        ShimRunner shim = shim(TOKEN);
        List<Socket> held = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0)) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (Exception closed) {
                    // test over
                }
            });
            acceptor.start();
            ShimRunner.Outcome outcome = shim.run(Map.of("HOOKLINE_URL", "http://127.0.0.1:" + silent.getLocalPort(),
                    "HOOKLINE_TIMEOUT", "2"), "StartScript", "Paused Nightly", "11/21/2016 18:06", dir.resolve("x").toString());
            assertEquals(0, outcome.exitCode());
            assertTrue(outcome.millis() < 15_000, "gave up after " + outcome.millis() + " ms");
            assertTrue(shim.log().contains("Hookline not reached"), shim.log());
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    @Test
    void anErrorAnswerIsNotAnInterventionAndTheEnvironmentOverridesTheConfigFile() throws Exception {
        ShimRunner wrong = shim("not-a-valid-token-at-all-0000");
        Path file = dir.resolve("wrong.txt");
        ShimRunner.Outcome refused = wrong.run(Map.of(), "StartScript", "Paused Nightly", "11/21/2016 18:06", file.toString());
        assertEquals(0, refused.exitCode());
        assertFalse(Files.exists(file));
        assertTrue(wrong.log().contains("Hookline not reached"), wrong.log());

        String script = "Env-" + UUID.randomUUID().toString().substring(0, 6);
        ShimRunner.Outcome fixed = wrong.run(Map.of("HOOKLINE_TOKEN", TOKEN), "NextExec", script, "11/22/2016 18:00");
        assertEquals(0, fixed.exitCode());
        assertEquals(EventType.NEXT_RUN_SCHEDULED, eventWithArguments(List.of(script, "11/22/2016 18:00")).getType());
    }

    @Test
    void withoutCurlTheShimUsesWget() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String tool : List.of("sh", "dirname", "sed", "hostname", "date", "wget", "uname", "cat")) {
            Path real = Path.of("/usr/bin", tool);
            if (!Files.exists(real)) {
                real = Path.of("/bin", tool);
            }
            Files.createSymbolicLink(bin.resolve(tool), real);
        }
        ShimRunner shim = shim(TOKEN);
        String script = "Wget-" + UUID.randomUUID().toString().substring(0, 6);
        ShimRunner.Outcome outcome = shim.run(Map.of("PATH", bin.toString()), "NextExec", script, "11/22/2016 18:00");

        assertEquals(0, outcome.exitCode(), outcome.output() + shim.log());
        BackupEvent event = eventWithArguments(List.of(script, "11/22/2016 18:00"));
        assertNull(event.getErrorMessage());
        assertEquals("retro-office/" + script, event.getJobKey());
    }
}
