package io.hookline.processor.chains;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import io.hookline.schema.Command;

/**
 * Forgets the commands issued longer ago than {@link ChainReactor#KEEP_COMMANDS}, a slice of the store at a time:
 * one pass an hour, {@value #SLICE} commands a step. A whole pass in one punctuation held the task's stream thread
 * for as long as decoding 30 days of commands took (every event of the task, and its alerts, waited behind it).
 */
public final class OldCommands {

    /** How often a step runs; a pass over N commands takes N / {@value #SLICE} steps. */
    public static final Duration STEP = Duration.ofSeconds(5);
    static final Duration PASS_EVERY = Duration.ofHours(1);
    static final int SLICE = 5_000;

    private final KeyValueStore<String, Command> issued;
    private final int slice;
    /** The last key of the pass so far; null between passes. */
    private String resumeAfter;
    private long nextPass = Long.MIN_VALUE;

    public OldCommands(KeyValueStore<String, Command> issued) {
        this(issued, SLICE);
    }

    OldCommands(KeyValueStore<String, Command> issued, int slice) {
        this.issued = issued;
        this.slice = slice;
    }

    /** Whether the last pass has ended (the next begins an hour after the last began). */
    public boolean betweenPasses() {
        return resumeAfter == null;
    }

    /** Within a pass, the next slice of the store; between passes, nothing until the next one is due. */
    public void step(long wallClockMs) {
        if (resumeAfter == null) {
            if (wallClockMs < nextPass) {
                return;
            }
            nextPass = wallClockMs + PASS_EVERY.toMillis();
        }
        Instant before = Instant.ofEpochMilli(wallClockMs).minus(ChainReactor.KEEP_COMMANDS);
        List<String> old = new ArrayList<>();
        String last = null;
        boolean more;
        try (KeyValueIterator<String, Command> commands = resumeAfter == null ? issued.all()
                : issued.range(resumeAfter, null)) {
            int seen = 0;
            while (seen < slice && commands.hasNext()) {
                KeyValue<String, Command> entry = commands.next();
                if (entry.key.equals(resumeAfter)) {
                    continue;
                }
                seen++;
                last = entry.key;
                if (entry.value.getCreatedAt().isBefore(before)) {
                    old.add(entry.key);
                }
            }
            more = commands.hasNext();
        }
        old.forEach(issued::delete);
        resumeAfter = more ? last : null;
    }
}
