package io.hookline.processor.react;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedPunctuator;
import org.junit.jupiter.api.Test;

/**
 * A task's deadline check runs when something falls due, never more often than the check interval, and otherwise
 * only every few seconds: each run is a punctuation that Kafka Streams follows with a transaction.
 */
class DueWakeupTest {

    static final long T0 = Instant.parse("2026-12-01T00:00:00Z").toEpochMilli();
    static final Duration INTERVAL = Duration.ofMillis(250);
    static final Duration LONGEST = Duration.ofSeconds(5);

    final MockProcessorContext<String, Object> context = new MockProcessorContext<>();
    final DueIndex index = new DueIndex();
    final List<Long> checks = new ArrayList<>();
    final List<String> taken = new ArrayList<>();
    final Map<CapturedPunctuator, Long> scheduledAt = new IdentityHashMap<>();

    DueWakeup start(boolean failing) {
        context.setCurrentSystemTimeMs(T0);
        DueWakeup wakeup = new DueWakeup(context, index, INTERVAL, LONGEST, now -> {
            checks.add(now - T0);
            taken.addAll(index.takeDue(Instant.ofEpochMilli(now)));
            if (failing) {
                throw new IllegalStateException("a check that fails");
            }
        });
        pending();
        return wakeup;
    }

    @Test
    void withNothingDueTheCheckRunsOnceAfterStartThenEveryFiveSeconds() {
        start(false);
        assertEquals(250, nextWake());
        runUntil(20_000);
        assertEquals(List.of(250L, 5_250L, 10_250L, 15_250L), checks);
    }

    @Test
    void somethingDueWakesTheTaskAtItsInstantAndNotBefore() {
        start(false);
        runUntil(300);
        index.put("nas01/nightly", Instant.ofEpochMilli(T0 + 2_000));
        assertEquals(2_000, nextWake());
        context.setCurrentSystemTimeMs(T0 + 400);
        index.put("nas01/weekly", Instant.ofEpochMilli(T0 + 3_000)); // later than the wake-up: it stays
        assertEquals(2_000, nextWake());
        runUntil(3_100);
        assertEquals(List.of(250L, 2_000L, 3_000L), checks);
        assertEquals(List.of("nas01/nightly", "nas01/weekly"), taken);
        assertEquals(8_000, nextWake(), "nothing due any more");
    }

    @Test
    void keysFallingDueAllTheTimeAreCheckedAtMostOnceAnInterval() {
        start(false);
        runUntil(300);
        for (int ms = 301; ms < 1_000; ms += 10) {
            context.setCurrentSystemTimeMs(T0 + ms);
            index.put("job-" + ms, Instant.ofEpochMilli(T0 + ms - 100_000)); // long overdue, as in a replay
            pending();
            runUntil(ms);
        }
        runUntil(1_000);
        assertEquals(List.of(250L, 500L, 750L, 1_000L), checks);
    }

    @Test
    void aStormOfDueKeysIsTakenAFewThousandALookOneIntervalApart() {
        start(false);
        int keys = 2 * DueIndex.MOST_PER_LOOK + 2_000;
        for (int i = 0; i < keys; i++) {
            index.put("vm-" + i, Instant.ofEpochMilli(T0 + 100)); // a site's jobs, all missing the same schedule
        }
        runUntil(1_000);
        assertEquals(List.of(250L, 500L, 750L), checks, "no look waits for the rest: the next comes an interval on");
        assertEquals(keys, taken.size());
        assertEquals(keys, new java.util.HashSet<>(taken).size(), "each key taken once");
        assertEquals(0, index.size());
    }

    @Test
    void aCheckTheStreamThreadComesToLateDoesNotPutOffTheNext() {
        start(false);
        index.put("overdue-1", Instant.ofEpochMilli(T0 - 1_000));
        fireAt(330); // due at 250: the thread was busy with a batch
        index.put("overdue-2", Instant.ofEpochMilli(T0 - 1_000));
        assertEquals(500, nextWake(), "an interval after the check was due, not after it ran");
        fireAt(900); // more than an interval late
        index.put("overdue-3", Instant.ofEpochMilli(T0 - 1_000));
        assertEquals(1_150, nextWake(), "counted from when it ran: no burst of checks to catch up");
        assertEquals(List.of(330L, 900L), checks);
    }

    @Test
    void aCheckThatFailsStillLeavesTheNextOneScheduled() {
        start(true);
        assertThrows(IllegalStateException.class, () -> runUntil(250));
        assertEquals(5_250, nextWake());
    }

    /** Fires the pending wake-up at {@code ms} after T0, whenever it was due. */
    void fireAt(long ms) {
        CapturedPunctuator pending = pending();
        context.setCurrentSystemTimeMs(T0 + ms);
        pending.getPunctuator().punctuate(T0 + ms);
        pending();
    }

    /** When the one pending wake-up fires, in ms after T0. */
    long nextWake() {
        CapturedPunctuator pending = pending();
        return scheduledAt.get(pending) + pending.getInterval().toMillis() - T0;
    }

    /** The one wake-up pending; looked at right after whatever may have scheduled it, to note when that was. */
    CapturedPunctuator pending() {
        List<CapturedPunctuator> active = context.scheduledPunctuators().stream().filter(p -> !p.cancelled()).toList();
        assertEquals(1, active.size(), "one wake-up pending at a time");
        scheduledAt.putIfAbsent(active.get(0), context.currentSystemTimeMs());
        return active.get(0);
    }

    /** Fires each wake-up due up to {@code ms} after T0, at its instant, as the stream thread does. */
    void runUntil(long ms) {
        for (long at = nextWake(); at <= ms; at = nextWake()) {
            context.setCurrentSystemTimeMs(T0 + at);
            pending().getPunctuator().punctuate(T0 + at);
        }
        context.setCurrentSystemTimeMs(Math.max(context.currentSystemTimeMs(), T0 + ms));
    }
}
