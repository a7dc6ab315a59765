package io.hookline.schema.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import io.hookline.schema.AlertEvent;
import io.hookline.schema.AuditEvent;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.Command;
import io.hookline.schema.DeadLetter;
import io.hookline.schema.DeliveryAttempt;
import io.hookline.schema.JobState;
import io.hookline.schema.QuarantinedEvent;
import io.hookline.schema.RejectedHook;
import io.hookline.schema.RunSummary;
import io.hookline.schema.Silence;

class WritePlanTest {

    static final List<Class<? extends SpecificRecord>> RECORDS = List.of(AlertEvent.class, AuditEvent.class,
            BackupEvent.class, Command.class, DeadLetter.class, DeliveryAttempt.class, JobState.class,
            QuarantinedEvent.class, RejectedHook.class, Silence.class);

    @Test
    void everyKindOfRecordIsWrittenAsAvrosOwnWriterWritesIt() throws IOException {
        Random random = new Random(20261203);
        int compared = 0;
        for (Class<? extends SpecificRecord> type : RECORDS) {
            for (int i = 0; i < 300; i++) {
                compared += compare(type, random);
            }
        }
        assertEquals(RECORDS.size() * 300, compared);
    }

    @Test
    void aNullWhereTheSchemaHasNoneIsRefusedWithTheFieldNamed() {
        JobState state = (JobState) RandomRecords.of(JobState.class, new Random(7));
        RunSummary run = (RunSummary) RandomRecords.of(RunSummary.class, new Random(8));
        run.setOutcome(null);
        state.setLastRun(run);

        SerializationException e = assertThrows(SerializationException.class,
                () -> AvroSerde.of(JobState.class).encode(state));

        assertEquals("cannot encode JobState: JobState.lastRun.outcome: null where a RunOutcome is required",
                e.getMessage());
    }

    @Test
    void aValueOfTheWrongKindInAListIsRefusedWithItsPlace() {
        JobState state = (JobState) RandomRecords.of(JobState.class, new Random(9));
        @SuppressWarnings({"unchecked", "rawtypes"})
        List<Object> ids = (List) new ArrayList<>(List.of("a", "b", 3L));
        state.put(state.getSchema().getField("recentEventIds").pos(), ids);

        SerializationException e = assertThrows(SerializationException.class,
                () -> AvroSerde.of(JobState.class).encode(state));

        assertEquals("cannot encode JobState: JobState.recentEventIds[2]: a value of type Long where the schema has "
                + "string", e.getMessage());
    }

    /** Encodes one random record both ways; returns 1 when they agree, fails with both byte strings otherwise. */
    private static int compare(Class<? extends SpecificRecord> type, Random random) throws IOException {
        SpecificRecord record = RandomRecords.of(type, random);
        byte[] ours = AvroSerde.of(type).encode(cast(record));
        byte[] body = java.util.Arrays.copyOfRange(ours, 10, ours.length);
        byte[] avros = avrosOwnBody(record);
        assertArrayEquals(avros, body, () -> type.getSimpleName() + " " + record);
        return 1;
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> T cast(SpecificRecord record) {
        return (T) record;
    }

    static byte[] avrosOwnBody(SpecificRecord record) throws IOException {
        SpecificData model = Records.model(record.getClass());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder out = EncoderFactory.get().binaryEncoder(bytes, null);
        new SpecificDatumWriter<SpecificRecord>(record.getSchema(), model).write(record, out);
        out.flush();
        return bytes.toByteArray();
    }

    /** Records of a generated class with random content: every union branch, empty and long lists, any text. */
    static final class RandomRecords {

        static SpecificRecord of(Class<? extends SpecificRecord> type, Random random) {
            SpecificData model = Records.model(type);
            return (SpecificRecord) new RandomRecords(model, random).value(model.getSchema(type), 0);
        }

        private final SpecificData model;
        private final Random random;

        private RandomRecords(SpecificData model, Random random) {
            this.model = model;
            this.random = random;
        }

        private Object value(Schema schema, int depth) {
            if (schema.getLogicalType() != null && schema.getLogicalType().getName().equals("timestamp-millis")) {
                return Instant.ofEpochMilli(random.nextLong(-62_135_596_800_000L, 253_402_300_799_000L));
            }
            return switch (schema.getType()) {
                case NULL -> null;
                case BOOLEAN -> random.nextBoolean();
                case INT -> random.nextInt() >> random.nextInt(32);
                case LONG -> random.nextLong() >> random.nextInt(64);
                case FLOAT -> random.nextFloat();
                case DOUBLE -> random.nextDouble();
                case STRING -> text();
                case BYTES -> bytes();
                case FIXED -> model.createFixed(null, randomBytes(schema.getFixedSize()), schema);
                case ENUM -> model.createEnum(
                        schema.getEnumSymbols().get(random.nextInt(schema.getEnumSymbols().size())), schema);
                case ARRAY -> {
                    List<Object> items = new ArrayList<>();
                    for (int i = count(depth); i > 0; i--) {
                        items.add(value(schema.getElementType(), depth + 1));
                    }
                    yield items;
                }
                case MAP -> {
                    Map<String, Object> entries = new HashMap<>();
                    for (int i = count(depth); i > 0; i--) {
                        entries.put(text(), value(schema.getValueType(), depth + 1));
                    }
                    yield entries;
                }
                case UNION -> value(schema.getTypes().get(random.nextInt(schema.getTypes().size())), depth);
                case RECORD -> {
                    SpecificRecord record = (SpecificRecord) model.newRecord(null, schema);
                    for (Schema.Field field : schema.getFields()) {
                        record.put(field.pos(), value(field.schema(), depth + 1));
                    }
                    yield record;
                }
            };
        }

        private int count(int depth) {
            return depth > 4 ? 0 : random.nextInt(4) == 0 ? random.nextInt(70) : random.nextInt(3);
        }

        private String text() {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(random.nextInt(4) == 0 ? 300 : 12); i > 0; i--) {
                int kind = random.nextInt(10);
                text.appendCodePoint(kind < 6 ? 0x20 + random.nextInt(0x5f)
                        : kind < 8 ? 0xa0 + random.nextInt(0x700) : kind < 9 ? 0x4e00 + random.nextInt(0x500)
                        : 0x1f300 + random.nextInt(0x300));
            }
            return text.toString();
        }

        /** Bytes, sometimes a slice of a larger array (as QuarantinedEvent keeps a record's first bytes). */
        private ByteBuffer bytes() {
            byte[] all = randomBytes(random.nextInt(40) + 4);
            return random.nextBoolean() ? ByteBuffer.wrap(all)
                    : ByteBuffer.wrap(all, 2, all.length - 4).slice();
        }

        private byte[] randomBytes(int length) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            return bytes;
        }
    }
}
