package io.hookline.processor.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import io.hookline.schema.topics.Topics;

/** What the alert feed may commit: never past a record whose notifications are still on their way. */
class PendingOffsetsTest {

    static final Topics TOPICS = Topics.withDefaultPrefix();

    static final TopicPartition P0 = new TopicPartition(TOPICS.alerts(), 0);
    static final TopicPartition P1 = new TopicPartition(TOPICS.alerts(), 1);

    @Test
    void anOffsetIsCommittedOnlyOnceEveryRecordBeforeItIsFinished() {
        PendingOffsets pending = new PendingOffsets();
        CompletableFuture<Void> slow = new CompletableFuture<>();
        pending.add(P0, 10, CompletableFuture.completedFuture(null));
        pending.add(P0, 11, slow);
        pending.add(P0, 12, CompletableFuture.completedFuture(null));
        pending.add(P1, 3, CompletableFuture.completedFuture(null));

        assertEquals(Map.of(P0, new OffsetAndMetadata(11), P1, new OffsetAndMetadata(4)), pending.finished());
        assertEquals(Map.of(), pending.finished(), "nothing new is finished");

        slow.complete(null);
        assertEquals(Map.of(P0, new OffsetAndMetadata(13)), pending.finished());
    }
}
