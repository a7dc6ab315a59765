package io.hookline.schema.serde;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Conversion;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;

/**
 * Reads a record written with this build's own schema straight from its bytes, by a plan made once from the schema,
 * and checks every length, count, symbol and branch as it goes, against what the record holds, before allocating
 * anything for it: what {@link ClaimCheck} does in a walk of its own before Avro's reader, in the same pass. Records
 * of older schema versions still go through that walk and Avro's resolving reader. The values are those Avro's
 * reader gives (a test compares both on random records and on mangled bytes); the refusals carry ClaimCheck's
 * messages, with the field's path.
 */
final class ReadPlan {

    /** Reads one value of the schema it was made for. */
    @FunctionalInterface
    interface Step {
        Object read(Cursor in);
    }

    /** The bytes of one record and how far they are read. */
    static final class Cursor {
        private final byte[] bytes;
        private int position;
        /** The whole record's size, header included: what a length is judged against, as ClaimCheck does. */
        private final int size;

        Cursor(byte[] bytes, int from) {
            this.bytes = bytes;
            this.position = from;
            this.size = bytes.length;
        }

        private int readByte() {
            if (position >= bytes.length) {
                throw ends();
            }
            return bytes[position++];
        }

        int readInt() {
            int value = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                int b = readByte();
                value |= (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return (value >>> 1) ^ -(value & 1);
                }
            }
            throw new ClaimCheck.Impossible("an int of more than five bytes");
        }

        long readLong() {
            long value = 0;
            for (int shift = 0; shift < 70; shift += 7) {
                int b = readByte();
                value |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return (value >>> 1) ^ -(value & 1);
                }
            }
            throw new ClaimCheck.Impossible("a long of more than ten bytes");
        }

        boolean readBoolean() {
            return (readByte() & 0xff) == 1;
        }

        float readFloat() {
            return Float.intBitsToFloat((int) littleEndian(4));
        }

        double readDouble() {
            return Double.longBitsToDouble(littleEndian(8));
        }

        private long littleEndian(int length) {
            if (bytes.length - position < length) {
                throw ends();
            }
            long value = 0;
            for (int i = 0; i < length; i++) {
                value |= (bytes[position++] & 0xffL) << (8 * i);
            }
            return value;
        }

        /** A length read from the record: at most the record's size, and within what is left of it. */
        int length(String what) {
            int length = ClaimCheck.length(readLong(), size, what);
            if (length > bytes.length - position) {
                throw ends();
            }
            return length;
        }

        String readString(String what) {
            int length = length(what);
            String text = new String(bytes, position, length, StandardCharsets.UTF_8);
            position += length;
            return text;
        }

        ByteBuffer readBytes() {
            int length = length("bytes");
            ByteBuffer value = ByteBuffer.allocate(length);
            value.put(bytes, position, length).flip();
            position += length;
            return value;
        }

        byte[] readFixed(int length) {
            if (bytes.length - position < length) {
                throw ends();
            }
            byte[] value = java.util.Arrays.copyOfRange(bytes, position, position + length);
            position += length;
            return value;
        }

        /** The item count of a block of an array or map, judged like a length; a negative count has a size next. */
        int block(String what) {
            long count = readLong();
            if (count < 0) {
                readLong();
                count = -count;
            }
            return ClaimCheck.length(count, size, what);
        }

        private static ClaimCheck.Impossible ends() {
            return new ClaimCheck.Impossible("the record ends inside this field");
        }
    }

    private final SpecificData model;
    /** Records already planned, so that a recursive schema plans each record once. */
    private final Map<Schema, Step[]> records = new IdentityHashMap<>();

    private ReadPlan(SpecificData model) {
        this.model = model;
    }

    /**
     * The plan for records of {@code schema}; its step throws AvroRuntimeException naming the record, the field and
     * what is wrong with it.
     */
    static Step of(Schema schema, SpecificData model) {
        Step root = new ReadPlan(model).step(schema);
        String name = schema.getName();
        return in -> {
            try {
                return root.read(in);
            } catch (ClaimCheck.Impossible e) {
                throw new AvroRuntimeException(name + e.path() + ": " + e.getMessage());
            }
        };
    }

    private Step step(Schema schema) {
        LogicalType logical = schema.getLogicalType();
        if (logical != null) {
            Conversion<?> conversion = model.getConversionFor(logical);
            if (conversion != null) {
                return converted(schema, logical, conversion, raw(schema));
            }
        }
        return raw(schema);
    }

    private static Step converted(Schema schema, LogicalType logical, Conversion<?> conversion, Step raw) {
        if (logical instanceof LogicalTypes.TimestampMillis && conversion.getConvertedType() == Instant.class) {
            return in -> Instant.ofEpochMilli(in.readLong());
        }
        return in -> Conversions.convertToLogicalType(raw.read(in), schema, logical, conversion);
    }

    private Step raw(Schema schema) {
        return switch (schema.getType()) {
            case NULL -> in -> null;
            case BOOLEAN -> Cursor::readBoolean;
            case INT -> Cursor::readInt;
            case LONG -> Cursor::readLong;
            case FLOAT -> Cursor::readFloat;
            case DOUBLE -> Cursor::readDouble;
            case STRING -> in -> in.readString("bytes");
            case BYTES -> Cursor::readBytes;
            case FIXED -> {
                int length = schema.getFixedSize();
                yield in -> model.createFixed(null, in.readFixed(length), schema);
            }
            case ENUM -> enumStep(schema);
            case ARRAY -> arrayStep(schema);
            case MAP -> mapStep(schema);
            case UNION -> unionStep(schema);
            case RECORD -> recordStep(schema);
        };
    }

    private Step enumStep(Schema schema) {
        List<String> symbols = schema.getEnumSymbols();
        Object[] constants = symbols.stream().map(symbol -> model.createEnum(symbol, schema)).toArray();
        return in -> {
            int symbol = in.readInt();
            if (symbol < 0 || symbol >= constants.length) {
                throw new ClaimCheck.Impossible("symbol " + symbol + " of an enum of " + constants.length);
            }
            return constants[symbol];
        };
    }

    /** A list as Avro's reader makes it (a GenericData.Array), so that decoded records behave as they always did. */
    private Step arrayStep(Schema schema) {
        Step item = step(schema.getElementType());
        return in -> {
            int count = in.block("items");
            GenericData.Array<Object> items = new GenericData.Array<>(count, schema);
            while (count != 0) {
                for (int i = 0; i < count; i++) {
                    try {
                        items.add(item.read(in));
                    } catch (ClaimCheck.Impossible e) {
                        throw e.within("[]");
                    }
                }
                count = in.block("items");
            }
            return items;
        };
    }

    private Step mapStep(Schema schema) {
        Step entryValue = step(schema.getValueType());
        return in -> {
            int count = in.block("entries");
            Map<String, Object> entries = new HashMap<>(Math.max(16, count * 4 / 3 + 1));
            while (count != 0) {
                for (int i = 0; i < count; i++) {
                    String key = in.readString("bytes in a key");
                    try {
                        entries.put(key, entryValue.read(in));
                    } catch (ClaimCheck.Impossible e) {
                        throw e.within("{}");
                    }
                }
                count = in.block("entries");
            }
            return entries;
        };
    }

    private Step unionStep(Schema schema) {
        Step[] branches = schema.getTypes().stream().map(this::step).toArray(Step[]::new);
        return in -> {
            int branch = in.readInt();
            if (branch < 0 || branch >= branches.length) {
                throw new ClaimCheck.Impossible("branch " + branch + " of a union of " + branches.length);
            }
            return branches[branch].read(in);
        };
    }

    private Step recordStep(Schema schema) {
        Step[] fields = records.get(schema);
        if (fields == null) {
            fields = new Step[schema.getFields().size()];
            records.put(schema, fields);
            for (Schema.Field field : schema.getFields()) {
                fields[field.pos()] = step(field.schema());
            }
        }
        Step[] planned = fields;
        String[] names = schema.getFields().stream().map(field -> "." + field.name()).toArray(String[]::new);
        Supplier<IndexedRecord> create = creator(schema);
        return in -> {
            IndexedRecord record = create.get();
            for (int i = 0; i < planned.length; i++) {
                try {
                    record.put(i, planned[i].read(in));
                } catch (ClaimCheck.Impossible e) {
                    throw e.within(names[i]);
                }
            }
            return record;
        };
    }

    /** A new, empty record of the generated class (its constructor found once), or a generic one without a class. */
    private Supplier<IndexedRecord> creator(Schema schema) {
        Class<?> type = model.getClass(schema);
        if (type != null && IndexedRecord.class.isAssignableFrom(type)) {
            try {
                MethodHandle constructor = MethodHandles.publicLookup()
                        .findConstructor(type, MethodType.methodType(void.class))
                        .asType(MethodType.methodType(IndexedRecord.class));
                return () -> {
                    try {
                        return (IndexedRecord) constructor.invokeExact();
                    } catch (Throwable e) {
                        throw new AvroRuntimeException("cannot make a " + type.getName(), e);
                    }
                };
            } catch (ReflectiveOperationException e) {
                // not public or no such constructor: Avro's own way below
            }
        }
        return () -> (IndexedRecord) model.newRecord(null, schema);
    }
}
