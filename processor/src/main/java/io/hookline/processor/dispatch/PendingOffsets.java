package io.hookline.processor.dispatch;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The records read but not yet finished, per partition in offset order: an offset may be committed only once
 * every record before it is finished, so a restart sends what was unfinished again.
 */
final class PendingOffsets {

    private record Pending(long offset, CompletableFuture<Void> done) {
    }

    private final Map<TopicPartition, ArrayDeque<Pending>> pending = new HashMap<>();

    void add(TopicPartition partition, long offset, CompletableFuture<Void> done) {
        pending.computeIfAbsent(partition, p -> new ArrayDeque<>()).add(new Pending(offset, done));
    }

    /** The offsets to commit now (the next to read per partition), and forgets what they cover. */
    Map<TopicPartition, OffsetAndMetadata> finished() {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        pending.forEach((partition, queue) -> {
            long next = -1;
            while (!queue.isEmpty() && queue.peek().done().isDone()) {
                next = queue.poll().offset() + 1;
            }
            if (next >= 0) {
                commit.put(partition, new OffsetAndMetadata(next));
            }
        });
        return commit;
    }
}
