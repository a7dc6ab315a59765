package io.hookline.schema.serde;

import java.io.IOException;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Hookline's default wire format: Avro single-object encoding (marker, schema fingerprint, body), no registry.
 * The decoder knows every released version of the record, so it reads what any of them wrote. With a schema
 * registry ({@link #useRegistry}), records are written in the Confluent wire format instead, and read in either.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {

    private final Class<T> type;
    /** The single-object header of this build's schema: the marker C3 01 and the schema's CRC-64-AVRO fingerprint. */
    private final byte[] header;
    /** A buffered encoder per thread: Avro's own single-object encoder writes each value to the stream on its own. */
    private final ThreadLocal<BinaryEncoder> encoders = new ThreadLocal<>();
    private final ThreadLocal<Output> outputs = ThreadLocal.withInitial(Output::new);
    /**
     * A reader per schema this build can read, by the schema's fingerprint: this build's and every released version,
     * each resolved to this build's. Written once, in the constructor.
     */
    private final java.util.Map<Long, Body<T>> byFingerprint = new java.util.HashMap<>();
    /** This build's schema's fingerprint, the one nearly every record carries. */
    private final long currentFingerprint;
    /** Reads a record of this build's schema and checks its claims in the same pass. */
    private final Body<T> plan;
    /**
     * A decoder per thread, reading straight from the record's bytes: Avro's single-object decoder reads through a
     * ByteArrayInputStream one synchronized call per byte, 2.4 times as long for an event.
     */
    private final ThreadLocal<BinaryDecoder> decoders = new ThreadLocal<>();
    private final SpecificData model;
    private final Schema current;
    /** Writes as SpecificDatumWriter does, to the byte, without working each union's branch out again per value. */
    private final WritePlan.Step writer;
    private final java.util.Map<Integer, Body<T>> readers = new java.util.concurrent.ConcurrentHashMap<>();
    /** The Confluent wire format's first byte. */
    static final byte REGISTRY_MAGIC = 0;
    private static volatile SchemaRegistry registry;

    private AvroSerde(Class<T> type) {
        this.type = type;
        // Resolve record classes through the loader that loaded the type (Quarkus runs several loaders), with the
        // logical-type conversions the generated class declares.
        SpecificData model = Records.model(type);
        Schema current = model.getSchema(type);
        for (Schema version : ReleasedSchemas.versionsOf(current.getFullName())) {
            byFingerprint.put(SchemaNormalization.parsingFingerprint64(version),
                    resolving(new SpecificDatumReader<>(version, current, model)));
        }
        long fingerprint = SchemaNormalization.parsingFingerprint64(current);
        ReadPlan.Step read = ReadPlan.of(current, model);
        this.plan = (bytes, from) -> type.cast(read.read(new ReadPlan.Cursor(bytes, from)));
        this.currentFingerprint = fingerprint;
        this.header = new byte[10];
        header[0] = (byte) 0xC3;
        header[1] = (byte) 0x01;
        for (int i = 0; i < 8; i++) {
            // little-endian, as the single-object specification writes it
            header[2 + i] = (byte) (fingerprint >>> (8 * i));
        }
        byFingerprint.put(fingerprint, plan);
        this.model = model;
        this.current = current;
        this.writer = WritePlan.of(current, model);
    }

    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
        return new AvroSerde<>(type);
    }

    public Class<T> type() {
        return type;
    }

    /**
     * Writes through a schema registry from now on (the Confluent wire format: 0, the schema id, the body), or, with
     * null, as single objects again. Reading takes either format whatever is set, so that a topic written in both
     * (the days a registry is introduced) is read whole.
     */
    public static void useRegistry(SchemaRegistry registry) {
        AvroSerde.registry = registry;
    }

    public static SchemaRegistry registry() {
        return registry;
    }

    public byte[] encode(T record) {
        Output out = outputs.get();
        out.reset();
        SchemaRegistry through = registry;
        boolean written = false;
        try {
            if (through == null) {
                out.write(header);
            } else {
                int id = through.idFor(current);
                out.write(REGISTRY_MAGIC);
                out.write(new byte[] {(byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id});
            }
            BinaryEncoder body = EncoderFactory.get().binaryEncoder(out, encoders.get());
            encoders.set(body);
            writer.write(record, body);
            body.flush();
            written = true;
        } catch (IOException | AvroRuntimeException e) {
            throw new SerializationException("cannot encode " + type.getSimpleName() + ": " + e.getMessage(), e);
        } finally {
            if (!written) {
                // The encoder may hold part of the record (a null in a required field fails halfway): reused, it
                // would flush that part into the next record's bytes.
                encoders.remove();
            }
        }
        return out.bytes();
    }

    /**
     * The bytes of one record as they are written, kept per thread from one record to the next: a stream made
     * for each record grew twice for a typical event and copied itself each time (a tenth of what the gateway
     * allocated per hook). Not synchronized: one thread writes it. A buffer a large record grew is let go.
     */
    private static final class Output extends java.io.OutputStream {
        private static final int KEPT = 16 * 1024;
        private byte[] buffer = new byte[2048];
        private int length;

        void reset() {
            if (buffer.length > KEPT) {
                buffer = new byte[2048];
            }
            length = 0;
        }

        @Override
        public void write(int b) {
            ensure(1);
            buffer[length++] = (byte) b;
        }

        @Override
        public void write(byte[] bytes, int offset, int count) {
            ensure(count);
            System.arraycopy(bytes, offset, buffer, length, count);
            length += count;
        }

        private void ensure(int more) {
            if (length + more > buffer.length) {
                buffer = java.util.Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
            }
        }

        byte[] bytes() {
            return java.util.Arrays.copyOf(buffer, length);
        }
    }

    public T decode(byte[] bytes) {
        try {
            if (bytes.length >= 5 && bytes[0] == REGISTRY_MAGIC) {
                return decodeRegistered(bytes);
            }
            return decodeSingleObject(bytes);
        } catch (IOException | AvroRuntimeException e) {
            throw new SerializationException("cannot decode " + type.getSimpleName() + " (" + bytes.length
                    + " bytes): " + e.getMessage(), e);
        }
    }

    /** A single object: the marker C3 01, the writer's schema fingerprint (little-endian), the body. */
    private T decodeSingleObject(byte[] bytes) throws IOException {
        if (bytes.length < header.length) {
            throw new BadHeaderException("Not enough header bytes");
        }
        if (bytes[0] != header[0] || bytes[1] != header[1]) {
            throw new BadHeaderException(String.format(java.util.Locale.ROOT, "Unrecognized header bytes: 0x%02X 0x%02X",
                    bytes[0], bytes[1]));
        }
        long fingerprint = 0;
        for (int i = 0; i < 8; i++) {
            fingerprint |= (bytes[2 + i] & 0xffL) << (8 * i);
        }
        Body<T> reader = fingerprint == currentFingerprint ? plan : byFingerprint.get(fingerprint);
        if (reader == null) {
            throw new MissingSchemaException("Cannot resolve schema for fingerprint: " + fingerprint);
        }
        return reader.read(bytes, header.length);
    }

    /** Reads the body of a record from {@code from}. */
    @FunctionalInterface
    private interface Body<T> {
        T read(byte[] bytes, int from) throws IOException;
    }

    /**
     * Reads a record of another schema version through Avro's resolving reader, after checking what the body claims
     * (see {@link ClaimCheck}).
     */
    private Body<T> resolving(SpecificDatumReader<T> reader) {
        return (bytes, from) -> {
            ClaimCheck.check(reader.getSchema(), bytes, from, decoders.get());
            return reader.read(null, decoderOver(bytes, from));
        };
    }

    private BinaryDecoder decoderOver(byte[] bytes, int from) {
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, from, bytes.length - from, decoders.get());
        decoders.set(decoder);
        return decoder;
    }

    /** A record in the Confluent wire format: the writer's schema from the registry, resolved to this build's. */
    private T decodeRegistered(byte[] bytes) throws IOException {
        int id = ((bytes[1] & 0xff) << 24) | ((bytes[2] & 0xff) << 16) | ((bytes[3] & 0xff) << 8) | (bytes[4] & 0xff);
        SchemaRegistry through = registry;
        if (through == null) {
            throw new SerializationException("this " + type.getSimpleName() + " was written through a schema registry "
                    + "(schema id " + id + "): set hookline.schema-registry.url to read it");
        }
        Body<T> reader = readers.computeIfAbsent(id, key -> {
            Schema writer = through.schema(key);
            return SchemaNormalization.parsingFingerprint64(writer) == currentFingerprint ? plan
                    : resolving(new SpecificDatumReader<>(writer, current, model));
        });
        return reader.read(bytes, 5);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        return data == null ? null : encode(data);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        return data == null ? null : decode(data);
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {
        // Nothing to configure: the schemas are compiled in.
    }

    @Override
    public void close() {
        // Nothing to release: the encoder and decoder hold only schemas and thread-local buffers.
    }
}
