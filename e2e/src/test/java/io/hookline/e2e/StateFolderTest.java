package io.hookline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hookline.devstack.LocalKafka;

/**
 * The packaged processor given a state folder it cannot use (here a file stands where the folder would be created;
 * in a container, a volume the image's user cannot write) stops at start with exit status 1 and one sentence naming
 * the folder, the setting and what to do, before it touches the broker.
 */
class StateFolderTest {

    static final Path ROOT = LocalRunTest.ROOT;

    @TempDir
    Path home;

    @Test
    void aStateFolderThatCannotBeCreatedStopsTheStartAndSaysWhatToDo() throws Exception {
        Path state = Files.writeString(home.resolve("volume"), "a file, not a mounted folder").resolve("hookline");
        try (Processes processes = new Processes(home)) {
            Process processor = processes.java("processor", List.of("-Xmx256m",
                    "-Dquarkus.http.port=" + LocalKafka.freePort(),
                    "-Dkafka.bootstrap.servers=127.0.0.1:" + LocalKafka.freePort(),
                    "-Dhookline.state-dir=" + state,
                    "-jar", ROOT.resolve("processor/target/quarkus-app/quarkus-run.jar").toString()));
            assertTrue(processor.waitFor(2, TimeUnit.MINUTES), "the processor still runs after 2 minutes");
            String log = Files.readString(home.resolve("processor.log"));
            assertEquals(1, processor.exitValue(), log);
            assertTrue(log.contains("the processor's state folder " + state + " (hookline.state-dir, HOOKLINE_STATE_DIR)"
                    + " cannot be created: "), log);
            assertTrue(log.contains("or set HOOKLINE_STATE_DIR to a folder it can write"), log);
            assertFalse(log.contains("base state directory"), "Kafka Streams' own failure comes after ours:\n" + log);
        }
    }
}
