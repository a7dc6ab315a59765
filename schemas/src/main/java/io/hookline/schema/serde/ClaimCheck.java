package io.hookline.schema.serde;

import java.io.EOFException;
import java.io.IOException;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Checks, before a record is decoded, that no length or count in its bytes claims more than the record holds. Avro
 * allocates a string, a byte array or a list as large as its length says before it reads the content, so eighty
 * corrupt or hostile bytes claiming a string of a gigabyte end in an OutOfMemoryError (the processor's stream thread
 * gone, every start failing on the same record) instead of a record set aside. This walk only reads lengths and
 * skips over content: it allocates nothing.
 */
final class ClaimCheck {

    private ClaimCheck() {
    }

    /**
     * Walks the body of {@code bytes} from {@code from} as {@code writer} wrote it.
     *
     * @throws AvroRuntimeException naming the field whose length, count, symbol or branch is impossible, or in which
     *         the record ends
     */
    static void check(Schema writer, byte[] bytes, int from, BinaryDecoder reuse) throws IOException {
        BinaryDecoder in = DecoderFactory.get().binaryDecoder(bytes, from, bytes.length - from, reuse);
        try {
            walk(writer, in, bytes.length);
        } catch (Impossible e) {
            throw new AvroRuntimeException(writer.getName() + e.path + ": " + e.getMessage());
        }
    }

    /**
     * What is wrong, and where: the path is built as the walk unwinds, so a good record builds no string. ReadPlan
     * throws the same as it reads.
     */
    static final class Impossible extends RuntimeException {
        private String path = "";

        Impossible(String message) {
            super(message, null, false, false);
        }

        Impossible within(String step) {
            path = step + path;
            return this;
        }

        String path() {
            return path;
        }
    }

    private static void walk(Schema schema, BinaryDecoder in, int size) throws IOException {
        try {
            switch (schema.getType()) {
                case NULL -> { }
                case BOOLEAN -> in.readBoolean();
                case INT -> in.readInt();
                case LONG -> in.readLong();
                case FLOAT -> in.readFloat();
                case DOUBLE -> in.readDouble();
                case STRING, BYTES -> in.skipFixed(length(in.readLong(), size, "bytes"));
                case FIXED -> in.skipFixed(schema.getFixedSize());
                case ENUM -> {
                    int symbol = in.readEnum();
                    if (symbol < 0 || symbol >= schema.getEnumSymbols().size()) {
                        throw new Impossible("symbol " + symbol + " of an enum of " + schema.getEnumSymbols().size());
                    }
                }
                case UNION -> {
                    int branch = in.readIndex();
                    if (branch < 0 || branch >= schema.getTypes().size()) {
                        throw new Impossible("branch " + branch + " of a union of " + schema.getTypes().size());
                    }
                    walk(schema.getTypes().get(branch), in, size);
                }
                case RECORD -> {
                    for (Schema.Field field : schema.getFields()) {
                        try {
                            walk(field.schema(), in, size);
                        } catch (Impossible e) {
                            throw e.within("." + field.name());
                        }
                    }
                }
                case ARRAY -> {
                    for (long block = blockOf(in); block != 0; block = blockOf(in)) {
                        for (long i = length(block, size, "items"); i > 0; i--) {
                            try {
                                walk(schema.getElementType(), in, size);
                            } catch (Impossible e) {
                                throw e.within("[]");
                            }
                        }
                    }
                }
                case MAP -> {
                    for (long block = blockOf(in); block != 0; block = blockOf(in)) {
                        for (long i = length(block, size, "entries"); i > 0; i--) {
                            in.skipFixed(length(in.readLong(), size, "bytes in a key"));
                            try {
                                walk(schema.getValueType(), in, size);
                            } catch (Impossible e) {
                                throw e.within("{}");
                            }
                        }
                    }
                }
            }
        } catch (EOFException e) {
            throw new Impossible("the record ends inside this field");
        }
    }

    /**
     * The item count of a block of an array or map, read as Avro writes it: a negative count is followed by the
     * block's size in bytes. (Avro's own readArrayStart refuses a count above its limit with an exception of another
     * kind; here every count is judged by {@link #length}.)
     */
    private static long blockOf(BinaryDecoder in) throws IOException {
        long count = in.readLong();
        if (count < 0) {
            in.readLong();
            return -count;
        }
        return count;
    }

    /**
     * A length or count read from the record: at most the record's own size. For counts this holds because every
     * item of every Hookline schema takes at least one byte (ClaimCheckTest checks each released schema).
     */
    static int length(long claimed, int size, String what) {
        if (claimed < 0 || claimed > size) {
            throw new Impossible("claims " + claimed + " " + what + " in a record of " + size + " bytes");
        }
        return (int) claimed;
    }
}
