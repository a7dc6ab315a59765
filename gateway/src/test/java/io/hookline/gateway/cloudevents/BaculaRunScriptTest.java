package io.hookline.gateway.cloudevents;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hookline.gateway.KafkaTestResource;
import io.hookline.gateway.ShimRunner;
import io.hookline.devstack.TopicReader;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.EventType;
import io.hookline.schema.RunOutcome;
import io.hookline.schema.serde.AvroSerde;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.hookline.schema.topics.Topics;

/** The Bacula/Bareos RunScript recipe, run for real with each exit status Bacula passes as %e. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class BaculaRunScriptTest {

    static final Topics TOPICS = Topics.withDefaultPrefix();

    @TestHTTPResource("/")
    URL root;

    @TempDir
    Path dir;

    @Test
    void everyBaculaExitStatusBecomesTheRightOutcome() throws Exception {
        ShimRunner shim = new ShimRunner("bacula/hookline-bacula-runscript", dir, root.toString().replaceAll("/$", ""),
                EventsTest.TOKEN);
        Map<String, RunOutcome> statuses = Map.of("OK", RunOutcome.SUCCEEDED, "OK -- with warnings", RunOutcome.WARNING,
                "Error", RunOutcome.FAILED, "Fatal Error", RunOutcome.FAILED, "Canceled", RunOutcome.ABORTED);
        try (TopicReader<BackupEvent> events = TopicReader.of(TOPICS.events(), AvroSerde.of(BackupEvent.class)::decode)) {
            for (var status : statuses.entrySet()) {
                String job = "Backup-\"Client1\"-" + UUID.randomUUID().toString().substring(0, 6);
                assertEquals(0, shim.run(Map.of(), "4711", job, "client1-fd", status.getKey(), "52428800", "1200").exitCode());
                BackupEvent event = events.await(e -> e.getJob().equals(job), Duration.ofSeconds(20));
                assertEquals(status.getValue(), event.getOutcome(), status.getKey());
                assertEquals(status.getValue() == RunOutcome.SUCCEEDED || status.getValue() == RunOutcome.WARNING
                        ? EventType.RUN_SUCCEEDED : EventType.RUN_FAILED, event.getType());
                assertEquals(52_428_800L, event.getBytes());
                assertEquals("4711", event.getRunId());
            }
        }
    }
}
