package io.hookline.processor.react;

import java.util.function.BiConsumer;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * A pass over a store a slice at a time, for work that would otherwise read the whole store in one punctuation and
 * hold the task's stream thread (every event, alert and deadline of the task behind it) for as long as that takes.
 * Each {@link #next} reads the next {@code slice} entries in key order; entries written or deleted meanwhile are
 * seen or not, as a pass over a live store allows.
 */
public final class SlicedPass<V> {

    private final ReadOnlyKeyValueStore<String, V> store;
    private final int slice;
    private boolean active;
    /** The last key read in this pass; null at its start. */
    private String resumeAfter;

    public SlicedPass(ReadOnlyKeyValueStore<String, V> store, int slice) {
        this.store = store;
        this.slice = slice;
    }

    /** Begins a pass at the store's first key (a pass under way starts over). */
    public void start() {
        active = true;
        resumeAfter = null;
    }

    /** Ends the pass under way, if any. */
    public void stop() {
        active = false;
        resumeAfter = null;
    }

    public boolean active() {
        return active;
    }

    /** Reads the next slice of the pass under way into {@code visit}; the pass ends when the store does. */
    public void next(BiConsumer<String, V> visit) {
        if (!active) {
            return;
        }
        String last = null;
        boolean more;
        try (KeyValueIterator<String, V> entries = resumeAfter == null ? store.all() : store.range(resumeAfter, null)) {
            int seen = 0;
            while (seen < slice && entries.hasNext()) {
                KeyValue<String, V> entry = entries.next();
                if (entry.key.equals(resumeAfter)) {
                    continue;
                }
                seen++;
                last = entry.key;
                visit.accept(entry.key, entry.value);
            }
            more = entries.hasNext();
        }
        if (more) {
            resumeAfter = last;
        } else {
            stop();
        }
    }
}
