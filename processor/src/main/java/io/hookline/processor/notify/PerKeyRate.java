package io.hookline.processor.notify;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;

/** At most {@code limit} events per key within a sliding window; keys are remembered up to a bound. */
public final class PerKeyRate {

    private final int limit;
    private final long windowNanos;
    private final Map<String, ArrayDeque<Long>> byKey;

    public PerKeyRate(int limit, Duration window, int maxKeys) {
        this.limit = limit;
        this.windowNanos = window.toNanos();
        this.byKey = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, ArrayDeque<Long>> eldest) {
                return size() > maxKeys;
            }
        };
    }

    /** Whether one more event is allowed now (and counted). */
    public synchronized boolean tryAcquire(String key, long nowNanos) {
        ArrayDeque<Long> times = byKey.computeIfAbsent(key, k -> new ArrayDeque<>());
        while (!times.isEmpty() && nowNanos - times.peekFirst() >= windowNanos) {
            times.removeFirst();
        }
        if (times.size() >= limit) {
            return false;
        }
        times.addLast(nowNanos);
        return true;
    }

    /** Seconds until one more event would be allowed for this key (0 when it is now). */
    public synchronized long secondsUntilNext(String key, long nowNanos) {
        ArrayDeque<Long> times = byKey.get(key);
        if (times == null || times.size() < limit) {
            return 0;
        }
        return Math.max(1, (windowNanos - (nowNanos - times.peekFirst()) + 999_999_999L) / 1_000_000_000L);
    }
}
