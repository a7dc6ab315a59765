package io.hookline.processor.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.List;

import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import io.hookline.schema.AlertEvent;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.Command;
import io.hookline.schema.JobState;
import io.hookline.schema.Silence;
import io.hookline.schema.serde.AvroSerde;

/**
 * Bytes on a topic are input like any other: whoever may write to hookline.events (or a disk that went bad) can put
 * anything there. Every record type the processor folds or follows is decoded from fuzzed bytes, half of the time
 * behind the type's real single-object header so that the body is what gets explored: each is read or refused with
 * a SerializationException that says why; nothing else escapes, no allocation runs away, and what was read writes
 * again.
 */
class RecordBytesFuzzTest {

    static final List<Class<? extends SpecificRecord>> TYPES = List.of(BackupEvent.class, JobState.class,
            AlertEvent.class, Command.class, Silence.class);
    static final List<AvroSerde<? extends SpecificRecord>> SERDES = TYPES.stream()
            .<AvroSerde<? extends SpecificRecord>>map(AvroSerde::of).toList();
    /** Each type's single-object header: C3 01, then the fingerprint of its schema, little-endian. */
    static final List<byte[]> HEADERS = TYPES.stream().map(type -> {
        long fingerprint = SchemaNormalization.parsingFingerprint64(SpecificData.get().getSchema(type));
        byte[] header = {(byte) 0xC3, 0x01, 0, 0, 0, 0, 0, 0, 0, 0};
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (fingerprint >>> (8 * i));
        }
        return header;
    }).toList();

    @FuzzTest(maxDuration = "5s")
    void recordBytesAreReadOrRefusedWithAReason(FuzzedDataProvider data) {
        int type = data.consumeInt(0, TYPES.size() - 1);
        @SuppressWarnings("unchecked")
        AvroSerde<SpecificRecord> serde = (AvroSerde<SpecificRecord>) SERDES.get(type);
        boolean behindHeader = data.consumeBoolean();
        byte[] body = data.consumeRemainingAsBytes();
        byte[] bytes = body;
        if (behindHeader) {
            byte[] header = HEADERS.get(type);
            bytes = new byte[header.length + body.length];
            System.arraycopy(header, 0, bytes, 0, header.length);
            System.arraycopy(body, 0, bytes, header.length, body.length);
        }
        SpecificRecord record;
        try {
            record = serde.decode(bytes);
        } catch (SerializationException refused) {
            assertNotNull(refused.getMessage());
            assertFalse(refused.getMessage().isBlank());
            return;
        }
        assertNotNull(record);
        serde.encode(record);
    }
}
