package io.hookline.processor.react;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.function.LongConsumer;

/**
 * Keys of one task by the instant something falls due for them (a job's missed schedule, a queued command's
 * expiry), so that a check every fraction of a second costs what is due, not the number of keys. It holds a key
 * and one instant, never a value; a reaction rebuilds it from its store when its task starts and keeps it with
 * every change after.
 */
public final class DueIndex {

    private record Due(long at, String key) implements Comparable<Due> {
        @Override
        public int compareTo(Due other) {
            int byTime = Long.compare(at, other.at);
            return byTime != 0 ? byTime : key.compareTo(other.key);
        }
    }

    private final NavigableSet<Due> byTime = new TreeSet<>();
    private final Map<String, Long> byKey = new HashMap<>();
    /** Told each instant a key is indexed at ({@link DueWakeup} wakes the task by then). */
    private LongConsumer onPut = at -> { };

    /** {@code listener} is told the instant (epoch ms) of every key indexed from now on. */
    public void onPut(LongConsumer listener) {
        this.onPut = listener;
    }

    /** Indexes the key at {@code at}, or takes it out when nothing is due for it ({@code at} null). */
    public void put(String key, Instant at) {
        Long previous = at == null ? byKey.remove(key) : byKey.put(key, at.toEpochMilli());
        if (previous != null) {
            byTime.remove(new Due(previous, key));
        }
        if (at != null) {
            byTime.add(new Due(at.toEpochMilli(), key));
            onPut.accept(at.toEpochMilli());
        }
    }

    /** The instant (epoch ms) the earliest key falls due, or {@link Long#MAX_VALUE} when none is indexed. */
    public long earliest() {
        return byTime.isEmpty() ? Long.MAX_VALUE : byTime.first().at();
    }

    public void remove(String key) {
        put(key, null);
    }

    /**
     * The most keys one look takes. Each is a job or command to read, and a look runs in a punctuation of the stream
     * thread, which folds no event meanwhile: a storm (a site's outage making tens of thousands of jobs miss their
     * schedule at once, an agent's queued commands all expiring) would hold every hook back until all were read. The
     * others stay due for the next look, which {@link DueWakeup} schedules a check interval later, with events folded
     * between them: up to 20,000 a second at the default 250 ms.
     */
    public static final int MOST_PER_LOOK = 5_000;

    /** Takes out and returns the keys due at or before {@code now}, earliest first, at most {@link #MOST_PER_LOOK}. */
    public List<String> takeDue(Instant now) {
        return takeDue(now, MOST_PER_LOOK);
    }

    /** The same, at most {@code max} of them: the others stay in, due, for the next look. */
    public List<String> takeDue(Instant now, int max) {
        List<String> due = new ArrayList<>();
        long until = now.toEpochMilli();
        while (due.size() < max && !byTime.isEmpty() && byTime.first().at() <= until) {
            Due first = byTime.pollFirst();
            byKey.remove(first.key());
            due.add(first.key());
        }
        return due;
    }

    public int size() {
        return byKey.size();
    }
}
