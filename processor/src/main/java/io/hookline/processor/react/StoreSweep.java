package io.hookline.processor.react;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;

import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Deletes the entries of a store that are done with (a command past its 30 days, an alert resolved a week ago), a
 * slice at a time: one pass every {@code passEvery}, {@value #SLICE} entries a step, a step every {@link #STEP}. A
 * pass in one punctuation held the task's stream thread, and every event, alert and deadline of the task behind
 * it, for as long as reading the whole store took, which grows with what the store keeps.
 */
public final class StoreSweep<V> {

    /** How often a step runs; a pass over N entries takes N / {@value #SLICE} steps. */
    public static final Duration STEP = Duration.ofSeconds(5);
    static final int SLICE = 5_000;

    private final KeyValueStore<String, V> store;
    private final long passEveryMs;
    private final BiPredicate<V, Instant> done;
    private final SlicedPass<V> pass;
    private long nextPass = Long.MIN_VALUE;
    private Cancellable scheduled;

    /** {@code done}: whether an entry may go, at the step's wall-clock time. */
    public StoreSweep(KeyValueStore<String, V> store, Duration passEvery, BiPredicate<V, Instant> done) {
        this(store, passEvery, done, SLICE);
    }

    /** The same with {@code slice} entries a step. */
    public StoreSweep(KeyValueStore<String, V> store, Duration passEvery, BiPredicate<V, Instant> done, int slice) {
        this.store = store;
        this.passEveryMs = passEvery.toMillis();
        this.done = done;
        this.pass = new SlicedPass<>(store, slice);
    }

    /**
     * Runs the steps on the task's wall clock: every {@link #STEP} within a pass, and between passes one wake-up when
     * the next is due (Kafka Streams commits a transaction after every punctuation, even one that does nothing).
     */
    public StoreSweep<V> schedule(ProcessorContext<?, ?> context) {
        wakeEvery(context, STEP);
        return this;
    }

    private void wakeEvery(ProcessorContext<?, ?> context, Duration interval) {
        scheduled = context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, now -> {
            step(now);
            Duration next = pass.active() ? STEP : Duration.ofMillis(Math.max(1, nextPass - now));
            if (!next.equals(interval)) {
                scheduled.cancel();
                wakeEvery(context, next);
            }
        });
    }

    /** Whether the last pass has ended (the next begins {@code passEvery} after the last began). */
    public boolean betweenPasses() {
        return !pass.active();
    }

    /** Within a pass, the next slice of the store; between passes, nothing until the next one is due. */
    public void step(long wallClockMs) {
        if (!pass.active()) {
            if (wallClockMs < nextPass) {
                return;
            }
            nextPass = wallClockMs + passEveryMs;
            pass.start();
        }
        Instant now = Instant.ofEpochMilli(wallClockMs);
        List<String> gone = new ArrayList<>();
        pass.next((key, value) -> {
            if (done.test(value, now)) {
                gone.add(key);
            }
        });
        gone.forEach(store::delete);
    }
}
