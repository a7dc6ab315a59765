package io.hookline.gateway.hook;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per source: {@code rate} hooks per second on average, {@code burst} at once. A flood from one
 * source (a misconfigured cron, an attack with a leaked token) cannot starve the others.
 */
public final class RateLimiter {

    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** Seconds until one more hook would be allowed; 0 means allowed now (and counted). */
    public long acquire(String source, double rate, int burst, long nowNanos) {
        Bucket bucket = buckets.computeIfAbsent(source, s -> new Bucket(burst, nowNanos));
        synchronized (bucket) {
            double elapsed = (nowNanos - bucket.updatedNanos) / 1e9;
            bucket.tokens = Math.min(burst, bucket.tokens + elapsed * rate);
            bucket.updatedNanos = nowNanos;
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - bucket.tokens) / rate));
        }
    }

    private static final class Bucket {
        double tokens;
        long updatedNanos;

        Bucket(int burst, long nowNanos) {
            this.tokens = burst;
            this.updatedNanos = nowNanos;
        }
    }
}
