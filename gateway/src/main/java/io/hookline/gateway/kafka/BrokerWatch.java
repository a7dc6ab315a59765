package io.hookline.gateway.kafka;

/**
 * Whether the broker has stopped acknowledging: records are waiting and none has been acknowledged for the stall
 * time. While it has, a hook is refused at once instead of waiting out the acknowledgement time-out like the ones
 * already waiting, except for one probe at a time, whose acknowledgement (or any other) ends the stall. Callers
 * such as borgmatic give up after 10 s and do not retry: a prompt 503 tells them, and their logs, what happened.
 */
final class BrokerWatch {

    /** What to do with the next record. */
    enum Verdict {
        SEND, PROBE, REFUSE
    }

    private final long stallNanos;
    private int waiting;
    private long busySince;
    private long lastAck;
    private boolean stalled;
    private boolean probing;

    BrokerWatch(long stallNanos) {
        if (stallNanos <= 0) {
            // Zero or less would refuse every hook that arrives while another is still waiting for its answer.
            throw new IllegalArgumentException("hookline.gateway.broker-stall must be longer than zero, not "
                    + java.time.Duration.ofNanos(stallNanos));
        }
        this.stallNanos = stallNanos;
    }

    synchronized Verdict admit(long now) {
        if (!stalled && waiting > 0 && now - Math.max(lastAck, busySince) > stallNanos) {
            stalled = true;
        }
        if (stalled) {
            if (probing) {
                return Verdict.REFUSE;
            }
            probing = true;
            waiting++;
            return Verdict.PROBE;
        }
        if (waiting++ == 0) {
            busySince = now;
        }
        return Verdict.SEND;
    }

    /** Answers whether this acknowledgement ended a stall. */
    synchronized boolean acknowledged(Verdict verdict, long now) {
        boolean ended = stalled;
        waiting--;
        lastAck = now;
        stalled = false;
        if (verdict == Verdict.PROBE) {
            probing = false;
        }
        return ended;
    }

    synchronized void failed(Verdict verdict) {
        waiting--;
        if (verdict == Verdict.PROBE) {
            probing = false;
        }
    }

    /** How long nothing has been acknowledged while records waited, for the refusal's sentence. */
    synchronized long silentNanos(long now) {
        return now - Math.max(lastAck, busySince);
    }
}
