package io.hookline.schema.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/** Every length, count, symbol and branch a record's bytes can claim, checked against what the record holds. */
class ClaimCheckTest {

    static final Schema SCHEMA = new Schema.Parser().parse("""
            {"type": "record", "name": "Run", "fields": [
              {"name": "name", "type": "string"},
              {"name": "sizes", "type": {"type": "array", "items": "long"}},
              {"name": "labels", "type": {"type": "map", "values": "string"}},
              {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["FULL", "DIFF"]}},
              {"name": "note", "type": ["null", "string"]},
              {"name": "points", "type": {"type": "array", "items":
                {"type": "record", "name": "Point", "fields": [{"name": "id", "type": "bytes"}]}}}
            ]}""");

    interface Body {
        void write(BinaryEncoder out) throws IOException;
    }

    static byte[] record(Body body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder out = EncoderFactory.get().binaryEncoder(bytes, null);
        body.write(out);
        out.flush();
        return bytes.toByteArray();
    }

    /** A good record: name "job", sizes [7], labels {a: b}, kind DIFF, note "n", points [{id: 01 02}]. */
    static void good(BinaryEncoder out, long nameLength, long sizes, long labels, int kind, int noteBranch,
            long idLength) throws IOException {
        out.writeLong(nameLength);
        out.writeFixed(new byte[] {'j', 'o', 'b'});
        out.writeLong(sizes);
        out.writeLong(7);
        out.writeLong(0);
        out.writeLong(labels);
        out.writeString("a");
        out.writeString("b");
        out.writeLong(0);
        out.writeEnum(kind);
        out.writeIndex(noteBranch);
        out.writeString("n");
        out.writeLong(1);
        out.writeLong(idLength);
        out.writeFixed(new byte[] {1, 2});
        out.writeLong(0);
    }

    static String refusal(byte[] bytes) {
        return assertThrows(AvroRuntimeException.class, () -> ClaimCheck.check(SCHEMA, bytes, 0, null)).getMessage();
    }

    @Test
    void aGoodRecordPasses() throws IOException {
        byte[] bytes = record(out -> good(out, 3, 1, 1, 1, 1, 2));
        ClaimCheck.check(SCHEMA, bytes, 0, null);
    }

    @Test
    void aStringClaimingMoreThanTheRecordHoldsIsNamed() throws IOException {
        byte[] bytes = record(out -> good(out, 1_000_000_000L, 1, 1, 1, 1, 2));
        assertEquals("Run.name: claims 1000000000 bytes in a record of " + bytes.length + " bytes", refusal(bytes));
    }

    @Test
    void aNegativeLengthIsNamed() throws IOException {
        byte[] bytes = record(out -> good(out, -5, 1, 1, 1, 1, 2));
        assertEquals("Run.name: claims -5 bytes in a record of " + bytes.length + " bytes", refusal(bytes));
    }

    @Test
    void anArrayOrMapClaimingMoreItemsThanTheRecordHasBytesIsNamed() throws IOException {
        byte[] array = record(out -> good(out, 3, Integer.MAX_VALUE, 1, 1, 1, 2));
        assertEquals("Run.sizes: claims 2147483647 items in a record of " + array.length + " bytes", refusal(array));
        byte[] map = record(out -> good(out, 3, 1, 500_000_000L, 1, 1, 2));
        assertEquals("Run.labels: claims 500000000 entries in a record of " + map.length + " bytes", refusal(map));
    }

    @Test
    void aFieldInsideAListIsNamedWithItsPath() throws IOException {
        byte[] bytes = record(out -> good(out, 3, 1, 1, 1, 1, 1L << 40));
        assertEquals("Run.points[].id: claims 1099511627776 bytes in a record of " + bytes.length + " bytes",
                refusal(bytes));
    }

    @Test
    void anEnumSymbolOrUnionBranchThatDoesNotExistIsNamed() throws IOException {
        assertEquals("Run.kind: symbol 5 of an enum of 2", refusal(record(out -> good(out, 3, 1, 1, 5, 1, 2))));
        assertEquals("Run.note: branch 7 of a union of 2", refusal(record(out -> good(out, 3, 1, 1, 1, 7, 2))));
    }

    /**
     * The check bounds an array's item count by the record's size, which holds while every item takes at least a
     * byte. A released schema with items that take none (an array of null, of an empty record) would need another
     * bound: this fails first.
     */
    @Test
    void everyItemOfEveryReleasedSchemaTakesAtLeastOneByte() {
        for (ReleasedSchemas.Released released : ReleasedSchemas.all()) {
            assertItemsTakeBytes(released.schema(), released.schema().getFullName(), new java.util.HashSet<>());
        }
    }

    private static void assertItemsTakeBytes(Schema schema, String path, java.util.Set<String> seen) {
        switch (schema.getType()) {
            case RECORD -> {
                if (seen.add(schema.getFullName())) {
                    schema.getFields().forEach(field -> assertItemsTakeBytes(field.schema(), path + "." + field.name(), seen));
                }
            }
            case UNION -> schema.getTypes().forEach(branch -> assertItemsTakeBytes(branch, path, seen));
            case ARRAY -> {
                assertTrue(leastBytes(schema.getElementType()) >= 1, path + "[] can take no bytes");
                assertItemsTakeBytes(schema.getElementType(), path + "[]", seen);
            }
            case MAP -> assertItemsTakeBytes(schema.getValueType(), path + "{}", seen);
            default -> { }
        }
    }

    /** The fewest bytes a value of {@code schema} is written in. */
    private static int leastBytes(Schema schema) {
        return switch (schema.getType()) {
            case NULL -> 0;
            case FIXED -> schema.getFixedSize();
            case FLOAT -> 4;
            case DOUBLE -> 8;
            case RECORD -> schema.getFields().stream().mapToInt(field -> leastBytes(field.schema())).sum();
            default -> 1; // a number, a boolean, an enum symbol, a union branch, a length or an item count
        };
    }

    @Test
    void aRecordCutShortNamesTheFieldItEndsIn() throws IOException {
        byte[] bytes = record(out -> good(out, 3, 1, 1, 1, 1, 2));
        // the last two bytes: the point's second id byte and the end of the points array
        assertEquals("Run.points[].id: the record ends inside this field",
                refusal(Arrays.copyOf(bytes, bytes.length - 2)));
    }
}
