package io.hookline.schema.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Conversion;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.Encoder;
import org.apache.avro.specific.SpecificData;

/**
 * Writes a record the way Avro's SpecificDatumWriter does, to the byte, by a plan made once from its schema. Avro's
 * writer works each value out again on every record: for every field of a union it looks the value's class up among
 * the logical-type conversions and the union's branches by name, which was over half of encoding a job's state, and
 * encoding the state was a quarter of the processor's stream thread. Here each union knows its branches' classes in
 * advance, each timestamp its conversion, each record its fields' writers.
 */
final class WritePlan {

    /** Writes one value of the schema it was made for. */
    @FunctionalInterface
    interface Step {
        void write(Object value, Encoder out) throws IOException;
    }

    /** A value that does not fit its schema, and the field it is in: the path is built as the write unwinds. */
    static final class Misfit extends AvroRuntimeException {
        private String path;

        Misfit(String path, String message) {
            super(message);
            this.path = path;
        }

        Misfit within(String step) {
            path = step + path;
            return this;
        }

        @Override
        public String getMessage() {
            return path + ": " + super.getMessage();
        }
    }

    private final SpecificData model;
    /** Records already planned, so that a recursive schema plans each record once. */
    private final Map<Schema, Step[]> records = new IdentityHashMap<>();

    private WritePlan(SpecificData model) {
        this.model = model;
    }

    /** The plan for records of {@code schema}, resolving classes and conversions through {@code model}. */
    static Step of(Schema schema, SpecificData model) {
        Step root = new WritePlan(model).step(schema);
        String name = schema.getName();
        return (value, out) -> {
            try {
                root.write(value, out);
            } catch (Misfit e) {
                throw e.within(name);
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

    /** A logical type's value converted to what the schema holds; a value already of that kind is written as is. */
    private static Step converted(Schema schema, LogicalType logical, Conversion<?> conversion, Step raw) {
        if (logical instanceof LogicalTypes.TimestampMillis && conversion.getConvertedType() == Instant.class) {
            return (value, out) -> {
                if (value instanceof Instant instant) {
                    out.writeLong(instant.toEpochMilli());
                } else {
                    raw.write(value, out);
                }
            };
        }
        Class<?> convertedType = conversion.getConvertedType();
        return (value, out) -> raw.write(convertedType.isInstance(value)
                ? Conversions.convertToRawType(value, schema, logical, conversion) : value, out);
    }

    private Step raw(Schema schema) {
        return switch (schema.getType()) {
            case NULL -> (value, out) -> {
                if (value != null) {
                    throw new Misfit("", "a value where only null fits");
                }
                out.writeNull();
            };
            case BOOLEAN -> (value, out) -> out.writeBoolean((Boolean) required(value, "a boolean"));
            case INT -> (value, out) -> out.writeInt(((Number) required(value, "an int")).intValue());
            case LONG -> (value, out) -> out.writeLong(((Number) required(value, "a long")).longValue());
            case FLOAT -> (value, out) -> out.writeFloat(((Number) required(value, "a float")).floatValue());
            case DOUBLE -> (value, out) -> out.writeDouble(((Number) required(value, "a double")).doubleValue());
            case STRING -> (value, out) -> out.writeString((CharSequence) required(value, "a string"));
            case BYTES -> (value, out) -> out.writeBytes((ByteBuffer) required(value, "bytes"));
            case FIXED -> (value, out) -> out.writeFixed(((GenericFixed) required(value, "a " + schema.getName()))
                    .bytes(), 0, schema.getFixedSize());
            case ENUM -> enumStep(schema);
            case ARRAY -> arrayStep(schema);
            case MAP -> mapStep(schema);
            case UNION -> unionStep(schema);
            case RECORD -> recordStep(schema);
        };
    }

    private static Misfit misfit(String path, Object value, Schema schema) {
        return new Misfit(path, "a value of type " + value.getClass().getSimpleName() + " where the schema has "
                + schema.getName());
    }

    private static Object required(Object value, String what) {
        if (value == null) {
            throw new Misfit("", "null where " + what + " is required");
        }
        return value;
    }

    private Step enumStep(Schema schema) {
        List<String> symbols = schema.getEnumSymbols();
        return (value, out) -> {
            // A generated enum's constants are declared in the schema's order, as SpecificDatumWriter relies on.
            if (value instanceof Enum<?> constant) {
                out.writeEnum(constant.ordinal());
            } else {
                int symbol = symbols.indexOf(String.valueOf(required(value, "a " + schema.getName())));
                if (symbol < 0) {
                    throw new Misfit("", "\"" + value + "\" is not a symbol of " + schema.getName());
                }
                out.writeEnum(symbol);
            }
        };
    }

    private Step arrayStep(Schema schema) {
        Step item = step(schema.getElementType());
        return (value, out) -> {
            Collection<?> items = (Collection<?>) required(value, "an array");
            out.writeArrayStart();
            out.setItemCount(items.size());
            int written = 0;
            for (Object one : items) {
                out.startItem();
                try {
                    item.write(one, out);
                } catch (Misfit e) {
                    throw e.within("[" + written + "]");
                } catch (ClassCastException e) {
                    throw misfit("[" + written + "]", one, schema.getElementType());
                }
                written++;
            }
            out.writeArrayEnd();
            if (written != items.size()) {
                throw new java.util.ConcurrentModificationException("an array of " + items.size()
                        + " items had " + written + " while it was written");
            }
        };
    }

    private Step mapStep(Schema schema) {
        Step entryValue = step(schema.getValueType());
        return (value, out) -> {
            Map<?, ?> entries = (Map<?, ?>) required(value, "a map");
            out.writeMapStart();
            out.setItemCount(entries.size());
            int written = 0;
            for (Map.Entry<?, ?> entry : entries.entrySet()) {
                out.startItem();
                out.writeString(entry.getKey().toString());
                try {
                    entryValue.write(entry.getValue(), out);
                } catch (Misfit e) {
                    throw e.within("{" + entry.getKey() + "}");
                } catch (ClassCastException e) {
                    throw misfit("{" + entry.getKey() + "}", entry.getValue(), schema.getValueType());
                }
                written++;
            }
            out.writeMapEnd();
            if (written != entries.size()) {
                throw new java.util.ConcurrentModificationException("a map of " + entries.size()
                        + " entries had " + written + " while it was written");
            }
        };
    }

    /**
     * A union's branch is chosen by the value's class, known for each branch in advance. A value no branch claims is
     * left to Avro's own resolution, which names the union it does not fit.
     */
    private Step unionStep(Schema schema) {
        List<Schema> branches = schema.getTypes();
        Class<?>[] classes = new Class<?>[branches.size()];
        Step[] steps = new Step[branches.size()];
        int nullBranch = -1;
        for (int i = 0; i < branches.size(); i++) {
            Schema branch = branches.get(i);
            steps[i] = step(branch);
            if (branch.getType() == Schema.Type.NULL) {
                nullBranch = i;
            } else {
                classes[i] = classOf(branch);
            }
        }
        int ifNull = nullBranch;
        return (value, out) -> {
            int index = -1;
            if (value == null) {
                index = ifNull;
            } else {
                for (int i = 0; i < classes.length; i++) {
                    if (classes[i] != null && classes[i].isInstance(value)) {
                        index = i;
                        break;
                    }
                }
            }
            if (index < 0) {
                try {
                    index = model.resolveUnion(schema, value);
                } catch (org.apache.avro.UnresolvedUnionException e) {
                    throw new Misfit("", "a value of type " + value.getClass().getSimpleName() + " fits no branch of "
                            + schema.getTypes().stream().map(Schema::getName).toList());
                }
            }
            out.writeIndex(index);
            steps[index].write(value, out);
        };
    }

    /** The class whose instances go to a union's branch, or null where only Avro's resolution can tell. */
    private Class<?> classOf(Schema branch) {
        LogicalType logical = branch.getLogicalType();
        if (logical != null) {
            Conversion<?> conversion = model.getConversionFor(logical);
            if (conversion != null) {
                return conversion.getConvertedType();
            }
        }
        return switch (branch.getType()) {
            case BOOLEAN -> Boolean.class;
            case INT -> Integer.class;
            case LONG -> Long.class;
            case FLOAT -> Float.class;
            case DOUBLE -> Double.class;
            case STRING -> CharSequence.class;
            case BYTES -> ByteBuffer.class;
            case ARRAY -> Collection.class;
            case MAP -> Map.class;
            case RECORD, ENUM, FIXED -> model.getClass(branch);
            case NULL, UNION -> null;
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
        return (value, out) -> {
            IndexedRecord record = (IndexedRecord) required(value, "a " + schema.getName());
            for (int i = 0; i < planned.length; i++) {
                try {
                    planned[i].write(record.get(i), out);
                } catch (Misfit e) {
                    throw e.within(names[i]);
                } catch (ClassCastException e) {
                    throw misfit(names[i], record.get(i), schema.getFields().get(i).schema());
                }
            }
        };
    }
}
