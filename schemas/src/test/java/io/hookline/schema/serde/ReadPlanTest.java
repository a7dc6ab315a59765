package io.hookline.schema.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.Random;

import org.apache.avro.generic.GenericData;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import io.hookline.schema.JobState;

/** AvroSerde reads records of this build's schema by its own plan: the same values as Avro, the same refusals. */
class ReadPlanTest {

    @Test
    void everyKindOfRecordReadsAsAvrosOwnReaderReadsIt() throws IOException {
        Random random = new Random(20261203);
        int compared = 0;
        for (Class<? extends SpecificRecord> type : WritePlanTest.RECORDS) {
            for (int i = 0; i < 300; i++) {
                SpecificRecord record = WritePlanTest.RandomRecords.of(type, random);
                byte[] bytes = AvroSerde.of(type).encode(cast(record));
                assertSame(avrosOwnRead(type, bytes), AvroSerde.of(type).decode(bytes));
                compared++;
            }
        }
        assertEquals(WritePlanTest.RECORDS.size() * 300, compared);
    }

    @Test
    void listsAreAvrosOwnListsAsBefore() {
        JobState state = (JobState) WritePlanTest.RandomRecords.of(JobState.class, new Random(3));

        JobState read = AvroSerde.of(JobState.class).decode(AvroSerde.of(JobState.class).encode(state));

        assertInstanceOf(GenericData.Array.class, read.getRecentRuns());
        assertInstanceOf(GenericData.Array.class, read.getRecentEventIds());
    }

    /**
     * Mangled records (bytes changed, cut short, repeated): where the claim check and Avro's reader read one, the
     * plan reads the same; where the claim check refuses it, the plan refuses it with the same words; where Avro's
     * reader fails, the plan fails too.
     */
    @Test
    void mangledRecordsAreReadOrRefusedAsTheClaimCheckAndAvroDo() throws IOException {
        Random random = new Random(1203);
        int read = 0;
        int refusedByTheCheck = 0;
        int refusedByAvro = 0;
        for (Class<? extends SpecificRecord> type : WritePlanTest.RECORDS) {
            AvroSerde<SpecificRecord> serde = cast(AvroSerde.of(type));
            for (int i = 0; i < 1000; i++) {
                byte[] bytes = mangle(serde.encode(WritePlanTest.RandomRecords.of(type, random)), random);
                SpecificRecord avros;
                try {
                    ClaimCheck.check(Records.model(type).getSchema(type), bytes, 10, null);
                } catch (org.apache.avro.AvroRuntimeException e) {
                    SerializationException ours = assertThrows(SerializationException.class, () -> serde.decode(bytes));
                    assertTrue(ours.getMessage().endsWith("): " + e.getMessage()), ours.getMessage() + " / " + e);
                    refusedByTheCheck++;
                    continue;
                } catch (IOException e) {
                    // A number of more than ten bytes: Avro's decoder, under the check, refuses it in its own words.
                    assertThrows(SerializationException.class, () -> serde.decode(bytes), e::toString);
                    refusedByAvro++;
                    continue;
                }
                try {
                    avros = avrosOwnRead(type, bytes);
                } catch (IOException | RuntimeException e) {
                    assertThrows(SerializationException.class, () -> serde.decode(bytes), e::toString);
                    refusedByAvro++;
                    continue;
                }
                assertSame(avros, serde.decode(bytes));
                read++;
            }
        }
        // Each way is taken often enough to mean something.
        assertTrue(read > 500 && refusedByTheCheck > 500 && refusedByAvro > 20,
                read + " read, " + refusedByTheCheck + " refused by the check, " + refusedByAvro + " by Avro");
    }

    private static byte[] mangle(byte[] bytes, Random random) {
        byte[] mangled = bytes.clone();
        switch (random.nextInt(4)) {
            case 0 -> mangled[10 + random.nextInt(mangled.length - 10)] ^= (byte) (1 << random.nextInt(8));
            case 1 -> mangled[10 + random.nextInt(mangled.length - 10)] = (byte) random.nextInt(256);
            case 2 -> mangled = Arrays.copyOf(mangled, 10 + random.nextInt(mangled.length - 10));
            default -> {
                // A stretch of the body written again further on: lengths and counts land on other bytes.
                int from = 10 + random.nextInt(mangled.length - 10);
                int to = 10 + random.nextInt(mangled.length - 10);
                int length = Math.min(random.nextInt(8) + 1, Math.min(mangled.length - from, mangled.length - to));
                System.arraycopy(bytes, from, mangled, to, length);
            }
        }
        return mangled;
    }

    private static SpecificRecord avrosOwnRead(Class<? extends SpecificRecord> type, byte[] bytes) throws IOException {
        var model = Records.model(type);
        var schema = model.getSchema(type);
        return new SpecificDatumReader<SpecificRecord>(schema, schema, model).read(null,
                DecoderFactory.get().binaryDecoder(bytes, 10, bytes.length - 10, null));
    }

    /**
     * The same content, the same classes: compared as plain values, maps by their entries (the order a HashMap
     * iterates in depends on its capacity, which is not content). Fails with the record's type and the first place
     * they differ, not with both records' text (random text makes it unreadable).
     */
    private static void assertSame(SpecificRecord expected, SpecificRecord actual) {
        String difference = difference("", expected, actual);
        assertEquals(null, difference, expected.getClass().getSimpleName());
    }

    private static String difference(String path, Object expected, Object actual) {
        if (expected == null || actual == null) {
            return expected == actual ? null : path + ": " + expected + " / " + actual;
        }
        if (expected.getClass() != actual.getClass()) {
            return path + ": a " + expected.getClass().getName() + " / a " + actual.getClass().getName();
        }
        if (expected instanceof org.apache.avro.generic.IndexedRecord record) {
            for (org.apache.avro.Schema.Field field : record.getSchema().getFields()) {
                String inField = difference(path + "." + field.name(), record.get(field.pos()),
                        ((org.apache.avro.generic.IndexedRecord) actual).get(field.pos()));
                if (inField != null) {
                    return inField;
                }
            }
            return null;
        }
        if (expected instanceof java.util.List<?> list) {
            java.util.List<?> other = (java.util.List<?>) actual;
            if (list.size() != other.size()) {
                return path + ": " + list.size() + " items / " + other.size();
            }
            for (int i = 0; i < list.size(); i++) {
                String inItem = difference(path + "[" + i + "]", list.get(i), other.get(i));
                if (inItem != null) {
                    return inItem;
                }
            }
            return null;
        }
        if (expected instanceof java.util.Map<?, ?> map) {
            java.util.Map<?, ?> other = (java.util.Map<?, ?>) actual;
            if (!map.keySet().equals(other.keySet())) {
                return path + ": keys differ";
            }
            for (Object key : map.keySet()) {
                String inEntry = difference(path + "{" + key + "}", map.get(key), other.get(key));
                if (inEntry != null) {
                    return inEntry;
                }
            }
            return null;
        }
        return expected.equals(actual) ? null : path + ": " + expected + " / " + actual;
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object value) {
        return (T) value;
    }
}
