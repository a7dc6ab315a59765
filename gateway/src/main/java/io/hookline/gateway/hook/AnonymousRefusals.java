package io.hookline.gateway.hook;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Refusals of requests that prove no source (an unknown token, a path no endpoint has), counted per client
 * address: a token bucket decides whether the caller gets its usual answer or a 429, and once an address is over
 * its rate only one refusal per sample interval is recorded, carrying the count of those that were not. A flood
 * of 404s can then neither fill hookline.rejected nor take the gateway's time from real hooks. Addresses are
 * remembered up to a bound, least recently seen forgotten first.
 */
public final class AnonymousRefusals {

    /** What to do with one refusal. */
    public record Verdict(boolean overLimit, boolean record, long suppressed, long retryAfterSeconds) {
    }

    private final double rate;
    private final int burst;
    private final long sampleNanos;
    private final Map<String, State> byAddress;

    public AnonymousRefusals(double rate, int burst, java.time.Duration sampleInterval, int maxAddresses) {
        this.rate = rate;
        this.burst = burst;
        this.sampleNanos = sampleInterval.toNanos();
        this.byAddress = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, State> eldest) {
                return size() > maxAddresses;
            }
        };
    }

    public synchronized Verdict admit(String address, long nowNanos) {
        State state = byAddress.computeIfAbsent(address == null ? "?" : address, a -> new State(burst, nowNanos));
        state.tokens = Math.min(burst, state.tokens + (nowNanos - state.updatedNanos) / 1e9 * rate);
        state.updatedNanos = nowNanos;
        if (state.tokens >= 1) {
            state.tokens -= 1;
            return recorded(state, nowNanos, false, 0);
        }
        long retryAfter = Math.max(1, (long) Math.ceil((1 - state.tokens) / rate));
        if (nowNanos - state.recordedNanos >= sampleNanos) {
            return recorded(state, nowNanos, true, retryAfter);
        }
        state.suppressed++;
        return new Verdict(true, false, 0, retryAfter);
    }

    private static Verdict recorded(State state, long nowNanos, boolean overLimit, long retryAfter) {
        long suppressed = state.suppressed;
        state.suppressed = 0;
        state.recordedNanos = nowNanos;
        return new Verdict(overLimit, true, suppressed, retryAfter);
    }

    synchronized int addresses() {
        return byAddress.size();
    }

    private static final class State {
        double tokens;
        long updatedNanos;
        long recordedNanos = Long.MIN_VALUE / 2;
        long suppressed;

        State(int burst, long nowNanos) {
            this.tokens = burst;
            this.updatedNanos = nowNanos;
        }
    }
}
