package io.hookline.processor.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

import io.hookline.devstack.SharedKafka;
import io.hookline.processor.notify.Notification;
import io.hookline.processor.notify.Notifier;
import io.hookline.runtime.topics.CompactedTopicView;
import io.hookline.schema.AlertStatus;
import io.hookline.schema.DeadLetter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Dead letters are bounded: a receiver down through an outage that fires an alert for every job would otherwise
 * fill the processor's memory with them. Past the bound the oldest goes, from hookline.dead-letters too, and is
 * counted. On the real broker.
 */
class DeadLettersBoundTest {

    @Test
    void pastItsBoundTheOldestDeadLetterIsDroppedFromTheTopicAndCounted() throws Exception {
        String bootstrap = SharedKafka.bootstrapServers();
        String topic = compacted(bootstrap, "dead-letters-bound-");
        Map<String, Object> config = Map.of("bootstrap.servers", bootstrap);
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        Instant t0 = Instant.parse("2026-12-01T03:00:00Z");
        try (DeadLetters letters = DeadLetters.open(topic, config, 2, 16L << 20, metrics);
                CompactedTopicView<DeadLetter> all = new CompactedTopicView<>(topic, DeadLetter.class, config)) {
            for (int i = 1; i <= 3; i++) {
                letters.gaveUp(Notification.of(RetryStageTest.RECEIVER, "esxi/nas1/job" + i, Map.of(),
                        List.of(GroupsTest.alert("esxi/nas1/job" + i, AlertStatus.FIRING, 0))), 3,
                        Notifier.Result.giveUp(503, "HTTP 503"), t0.plusSeconds(i));
            }
            assertEquals(List.of(t0.plusSeconds(2), t0.plusSeconds(3)),
                    letters.all().stream().map(DeadLetter::getDeadAt).toList(), "the newest two, oldest first");
            assertEquals(1.0, metrics.get("hookline.dead.letters.dropped").counter().count());
            // Every instance, and this one after a restart, reads the same two from the topic.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!deadAt(all).equals(List.of(t0.plusSeconds(2), t0.plusSeconds(3))) && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
            assertEquals(List.of(t0.plusSeconds(2), t0.plusSeconds(3)), deadAt(all));
            // Its own records read back from the topic (the dropped one before its deletion) are not dropped again.
            assertEquals(List.of(t0.plusSeconds(2), t0.plusSeconds(3)),
                    letters.all().stream().map(DeadLetter::getDeadAt).toList());
            assertEquals(1.0, metrics.get("hookline.dead.letters.dropped").counter().count(), "counted once");

            // A second processor holds the same dead letters and drops the same one, counting it too: each
            // instance's count is the cluster's (the Grafana panel takes the largest, not the sum).
            SimpleMeterRegistry otherMetrics = new SimpleMeterRegistry();
            try (DeadLetters other = DeadLetters.open(topic, config, 2, 16L << 20, otherMetrics)) {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (otherMetrics.get("hookline.dead.letters.dropped").counter().count() < 1
                        && System.nanoTime() < until) {
                    TimeUnit.MILLISECONDS.sleep(20);
                }
                assertEquals(List.of(t0.plusSeconds(2), t0.plusSeconds(3)),
                        other.all().stream().map(DeadLetter::getDeadAt).toList());
                assertEquals(1.0, otherMetrics.get("hookline.dead.letters.dropped").counter().count());
            }
        }
    }

    @Test
    void deadLettersOfOneMillisecondAreListedByIdSoThatAPageCursorHasOnePlace() throws Exception {
        String bootstrap = SharedKafka.bootstrapServers();
        String topic = compacted(bootstrap, "dead-letters-order-");
        Instant burst = Instant.parse("2026-12-01T03:00:00.123Z");
        try (DeadLetters letters = DeadLetters.open(topic, Map.of("bootstrap.servers", bootstrap), 100, 16L << 20,
                new SimpleMeterRegistry())) {
            for (int i = 0; i < 12; i++) {
                letters.gaveUp(Notification.of(RetryStageTest.RECEIVER, "esxi/nas1/burst" + i, Map.of(),
                        List.of(GroupsTest.alert("esxi/nas1/burst" + i, AlertStatus.FIRING, 0))), 3,
                        Notifier.Result.giveUp(503, "HTTP 503"), burst);
            }
            List<String> ids = letters.all().stream().map(DeadLetter::getNotificationId).toList();
            assertEquals(12, ids.size());
            assertEquals(ids.stream().sorted().toList(), ids);
        }
    }

    /** A new compacted topic, as hookline.dead-letters is. */
    static String compacted(String bootstrap, String prefix) throws Exception {
        String topic = prefix + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        return topic;
    }

    static List<Instant> deadAt(CompactedTopicView<DeadLetter> view) {
        return view.values().stream().map(DeadLetter::getDeadAt).sorted().toList();
    }
}
