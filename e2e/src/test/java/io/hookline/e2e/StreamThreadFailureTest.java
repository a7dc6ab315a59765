package io.hookline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hookline.devstack.LocalKafka;

/**
 * The packaged processor whose Kafka Streams thread fails (here: its stores refuse a RocksDB bound below 8 MiB when
 * the thread opens them) stops with exit status 1 and a line naming what failed, so that Kubernetes, Docker's
 * restart policy or systemd starts it again and an operator sees why; Kafka Streams' default left it running with
 * nothing folded.
 */
class StreamThreadFailureTest {

    static final Path ROOT = LocalRunTest.ROOT;

    @TempDir
    Path home;

    @Test
    void theProcessorStopsWithExitStatusOneAndSaysWhy() throws Exception {
        int kafkaPort = LocalRunTest.freePortPair();
        try (LocalKafka kafka = new LocalKafka(home.resolve("kafka"), kafkaPort, kafkaPort + 1).start(Duration.ofMinutes(2));
                Processes processes = new Processes(home)) {
            Process processor = processes.java("processor", List.of("-Xmx256m",
                    "-Dquarkus.http.port=" + LocalKafka.freePort(), "-Dkafka.bootstrap.servers=" + kafka.bootstrapServers(),
                    "-Dhookline.state-dir=" + home.resolve("state"), "-Dhookline.instance-id=processor-0",
                    "-Dhookline.rocksdb-memory-bytes=1048576",
                    "-jar", ROOT.resolve("processor/target/quarkus-app/quarkus-run.jar").toString()));
            assertTrue(processor.waitFor(3, TimeUnit.MINUTES), "the processor still runs after 3 minutes");
            String log = Files.readString(home.resolve("processor.log"));
            assertEquals(1, processor.exitValue(), log);
            assertTrue(log.contains("Kafka Streams' thread failed: IllegalArgumentException: "
                    + "hookline.rocksdb-memory-bytes must be at least 8388608 (8 MiB), not 1048576. The processor "
                    + "stops with exit status 1"), log);
        }
    }
}
