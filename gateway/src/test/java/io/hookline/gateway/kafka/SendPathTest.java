package io.hookline.gateway.kafka;

import static io.hookline.gateway.kafka.EventLog.METADATA_FRESH_NANOS;
import static io.hookline.gateway.kafka.EventLog.sendsDirectly;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * A record is handed to the producer on the event loop only where send() cannot block there: never before the
 * broker has acknowledged anything (no metadata yet), nor long after (the metadata may be gone), nor for a probe
 * of a stalled broker, nor when the producer's buffer may be full. Everything else goes by the sender thread.
 */
class SendPathTest {

    static final long NOW = 1_000_000_000_000L;
    static final long QUARTER = 8L * 1024 * 1024;

    @Test
    void aHealthyBrokerThatAcknowledgedJustNowTakesTheRecordOnTheCallersThread() {
        assertTrue(sendsDirectly(BrokerWatch.Verdict.SEND, NOW, true, NOW - 1_000_000, 1_300, QUARTER));
        assertTrue(sendsDirectly(BrokerWatch.Verdict.SEND, NOW, true, NOW - METADATA_FRESH_NANOS + 1, QUARTER, QUARTER));
    }

    @Test
    void beforeTheFirstAcknowledgementTheProducerMayStillWaitForMetadata() {
        assertFalse(sendsDirectly(BrokerWatch.Verdict.SEND, NOW, false, 0, 1_300, QUARTER));
    }

    @Test
    void anAcknowledgementTooLongAgoMayMeanTheMetadataIsGone() {
        assertFalse(sendsDirectly(BrokerWatch.Verdict.SEND, NOW, true, NOW - METADATA_FRESH_NANOS, 1_300, QUARTER));
    }

    @Test
    void aProbeOfAStalledBrokerGoesByTheSenderThread() {
        assertFalse(sendsDirectly(BrokerWatch.Verdict.PROBE, NOW, true, NOW - 1_000_000, 1_300, QUARTER));
    }

    @Test
    void aBufferThatMayBeFullGoesByTheSenderThread() {
        assertFalse(sendsDirectly(BrokerWatch.Verdict.SEND, NOW, true, NOW - 1_000_000, QUARTER + 1, QUARTER));
    }

    @Test
    void aRecordsSizeIsNeverUnderestimated() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("ce_type", "io.hookline.backup.run.failed".getBytes(StandardCharsets.UTF_8));
        headers.add("ce_subject", "esxi-prod/Büro ✓".getBytes(StandardCharsets.UTF_8));
        String key = "esxi-prod/Büro ✓ 😀";
        byte[] value = new byte[1_208];
        ProducerRecord<String, byte[]> record = new ProducerRecord<>("hookline.events", null, 0L, key, value, headers);

        long exact = key.getBytes(StandardCharsets.UTF_8).length + value.length + "ce_type".length()
                + "io.hookline.backup.run.failed".length() + "ce_subject".length()
                + "esxi-prod/Büro ✓".getBytes(StandardCharsets.UTF_8).length;
        assertTrue(EventLog.bytesOf(record) >= exact, EventLog.bytesOf(record) + " < " + exact);
    }
}
