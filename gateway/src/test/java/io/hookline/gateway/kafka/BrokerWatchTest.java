package io.hookline.gateway.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.hookline.gateway.kafka.BrokerWatch.Verdict;

class BrokerWatchTest {

    static final long S = 1_000_000_000L;

    @Test
    void aBrokerThatAcknowledgesIsNeverTakenAsHungHoweverLongItWasIdle() {
        BrokerWatch watch = new BrokerWatch(3 * S);
        assertEquals(Verdict.SEND, watch.admit(0));
        assertFalse(watch.acknowledged(Verdict.SEND, S / 100));
        // An hour without hooks, then two at once: the first's wait has only just begun.
        assertEquals(Verdict.SEND, watch.admit(3600 * S));
        assertEquals(Verdict.SEND, watch.admit(3600 * S + S / 1000));
        // Acknowledgements keep coming though each record waits longer than the stall time.
        for (long t = 3601; t < 3700; t++) {
            assertEquals(Verdict.SEND, watch.admit(t * S));
            watch.acknowledged(Verdict.SEND, t * S + S / 2);
        }
    }

    @Test
    void nothingAcknowledgedForTheStallTimeRefusesAtOnceButOneProbeAtATime() {
        BrokerWatch watch = new BrokerWatch(3 * S);
        assertEquals(Verdict.SEND, watch.admit(0));
        assertEquals(Verdict.SEND, watch.admit(2 * S));
        // 3 s after the first record began to wait, nothing acknowledged: the next hook probes, the rest are refused.
        assertEquals(Verdict.PROBE, watch.admit(3 * S + 1));
        assertEquals(Verdict.REFUSE, watch.admit(4 * S));
        assertEquals(Verdict.REFUSE, watch.admit(5 * S));
        assertTrue(watch.silentNanos(5 * S) >= 5 * S);
        // The waiting records time out; the stall holds until something is acknowledged, one probe at a time.
        watch.failed(Verdict.SEND);
        watch.failed(Verdict.SEND);
        watch.failed(Verdict.PROBE);
        assertEquals(Verdict.PROBE, watch.admit(14 * S));
        assertEquals(Verdict.REFUSE, watch.admit(15 * S));
        // The broker is back: the probe's acknowledgement ends the stall.
        assertTrue(watch.acknowledged(Verdict.PROBE, 16 * S));
        assertEquals(Verdict.SEND, watch.admit(16 * S + 1));
        assertEquals(Verdict.SEND, watch.admit(16 * S + 2));
    }

    @Test
    void anAcknowledgementOfARecordSentBeforeTheStallEndsItToo() {
        BrokerWatch watch = new BrokerWatch(3 * S);
        watch.admit(0);
        assertEquals(Verdict.PROBE, watch.admit(4 * S));
        assertEquals(Verdict.REFUSE, watch.admit(5 * S));
        assertTrue(watch.acknowledged(Verdict.SEND, 6 * S));
        assertEquals(Verdict.SEND, watch.admit(6 * S + 1));
        watch.acknowledged(Verdict.PROBE, 6 * S + 2);
        assertEquals(Verdict.SEND, watch.admit(6 * S + 3));
    }

    @Test
    void aStallTimeOfZeroOrLessIsRefusedNamingTheSetting() {
        for (long nanos : new long[] {0, -S, Long.MIN_VALUE}) {
            IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class, () -> new BrokerWatch(nanos));
            assertTrue(refused.getMessage().startsWith("hookline.gateway.broker-stall must be longer than zero"),
                    refused.getMessage());
        }
    }
}
