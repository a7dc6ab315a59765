package io.hookline.schema;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.serde.ReleasedSchemas;

class AvroSerdeTest {

    private final AvroSerde<BackupEvent> serde = AvroSerde.of(BackupEvent.class);

    static BackupEvent sampleEvent() {
        return BackupEvent.newBuilder()
                .setEventId("0b8f3a6e-0000-8000-8000-000000000001")
                .setReceivedAt(Instant.parse("2026-11-21T18:06:00Z"))
                .setSourceKind(SourceKind.XSIBACKUP)
                .setSourceName("esxi-prod")
                .setHost("esxi01")
                .setJob("04")
                .setJobKey("esxi-prod/04")
                .setRunId("48211")
                .setType(EventType.RUN_FAILED)
                .setOutcome(RunOutcome.FAILED)
                .setErrors(List.of("VM1: snapshot failed"))
                .setDurationMs(347_000L)
                .setLabels(Map.of("vms", "VM1,VM2"))
                .setDetail(XsiBackupDetail.newBuilder().setHook("error").setPid("48211").setElapsedSeconds(347L)
                        .setVms(List.of(XsiBackupVm.newBuilder().setName("VM2").setDisks(List.of("disk1")).build()))
                        .build())
                .build();
    }

    @Test
    void decodedListsOfRecordsWithTimesAreComparedElementByElement() {
        RestorePoint point = RestorePoint.newBuilder().setId("xsibackup-4242")
                .setCreatedAt(Instant.parse("2026-12-02T05:53:20Z")).setReceivedAt(Instant.parse("2026-12-02T05:54:21Z"))
                .build();
        RestorePoint other = io.hookline.schema.serde.Records.deepCopy(point);
        other.setId("xsibackup-4243");
        BackupEvent event = sampleEvent();
        event.setRestorePoint(point);
        BackupEvent decoded = serde.deserialize("hookline.events", serde.serialize("hookline.events", event));
        JobState state = JobState.newBuilder().setJobKey("esxi-prod/04").setSourceKind(SourceKind.XSIBACKUP)
                .setSourceName("esxi-prod").setJob("04").setFirstSeenAt(Instant.EPOCH).setUpdatedAt(Instant.EPOCH)
                .setLastEventId("e").setLastEventType(EventType.RUN_SUCCEEDED)
                .setRestorePoints(List.of(decoded.getRestorePoint(), other)).build();
        AvroSerde<JobState> states = AvroSerde.of(JobState.class);
        List<RestorePoint> stored = states.deserialize("hookline.job-state", states.serialize("hookline.job-state", state))
                .getRestorePoints();
        List<RestorePoint> folded = new java.util.ArrayList<>(List.of(point, other));

        // What Avro's own list does with an Instant in a union: the reason Records.same exists.
        assertThrows(org.apache.avro.AvroRuntimeException.class, () -> stored.equals(folded));
        assertTrue(io.hookline.schema.serde.Records.same(stored, folded));
        assertTrue(io.hookline.schema.serde.Records.same(folded, stored));
        assertEquals(false, io.hookline.schema.serde.Records.same(stored, folded.subList(0, 1)));
        assertEquals(false, io.hookline.schema.serde.Records.same(stored, List.of(other, point)));
    }

    @Test
    void anEventSurvivesTheRoundTripWithItsSourceDetail() {
        BackupEvent event = sampleEvent();
        byte[] bytes = serde.serialize("hookline.events", event);

        assertEquals((byte) 0xC3, bytes[0], "single-object marker");
        assertEquals((byte) 0x01, bytes[1], "single-object marker");
        assertEquals(event, serde.deserialize("hookline.events", bytes));
    }

    /** The event in Avro's own single-object encoding, written by its own encoder. */
    private static byte[] avrosOwnBytes(BackupEvent event) throws IOException {
        ByteArrayOutputStream avro = new ByteArrayOutputStream();
        new BinaryMessageEncoder<BackupEvent>(io.hookline.schema.serde.Records.model(BackupEvent.class),
                BackupEvent.getClassSchema()).encode(event, avro);
        return avro.toByteArray();
    }

    @Test
    void theBytesAreAvrosOwnSingleObjectEncodingToTheByte() throws IOException {
        BackupEvent event = sampleEvent();
        byte[] avro = avrosOwnBytes(event);

        assertArrayEquals(avro, serde.encode(event));
        // Once more on the same thread: the encoder it keeps for the thread starts empty each time.
        assertArrayEquals(avro, serde.encode(event));
        BackupEvent large = sampleEvent();
        large.setErrorMessage("x".repeat(100_000));
        assertEquals(large, serde.decode(serde.encode(large)));
        assertArrayEquals(avro, serde.encode(event));
    }

    @Test
    void aRecordThatCannotBeWrittenLeavesNothingOfItInTheNextOne() throws IOException {
        BackupEvent event = sampleEvent();
        byte[] avro = avrosOwnBytes(event);
        // Fails halfway: the fields before the job key are already written when the null is met.
        BackupEvent broken = sampleEvent();
        broken.setJobKey(null);

        assertThrows(RuntimeException.class, () -> serde.encode(broken));

        assertArrayEquals(avro, serde.encode(event));
        assertEquals(event, serde.decode(serde.encode(event)));
    }

    @Test
    void plainAvroReadsTheBytesWithTheCommittedSchemaAlone() throws IOException {
        List<Schema> versions = ReleasedSchemas.versionsOf("io.hookline.schema.BackupEvent");
        Schema committed = versions.get(versions.size() - 1);
        byte[] bytes = serde.encode(sampleEvent());

        GenericRecord read = new BinaryMessageDecoder<GenericRecord>(GenericData.get(), committed).decode(bytes.clone(), null);

        assertEquals("esxi-prod/04", read.get("jobKey").toString());
        assertEquals("RUN_FAILED", read.get("type").toString());
        assertEquals("48211", ((GenericRecord) read.get("detail")).get("pid").toString());
    }

    @Test
    void bytesWrittenByAPlainAvroWriterOfTheReleasedSchemaDecodeIntoTheGeneratedClass() throws IOException {
        Schema committed = ReleasedSchemas.versionsOf("io.hookline.schema.RejectedHook").get(0);
        GenericRecord raw = new GenericData.Record(committed.getField("raw").schema());
        raw.put("method", "GET");
        raw.put("path", "/hooks/xsibackup/***/error");
        raw.put("headers", Map.of());
        raw.put("originalBytes", 3L);
        raw.put("truncated", false);
        raw.put("scrubbed", false);
        GenericRecord rejected = new GenericData.Record(committed);
        rejected.put("rejectionId", "r-1");
        rejected.put("receivedAt", 1_700_000_000_000L);
        rejected.put("sourceKind", new GenericData.EnumSymbol(committed.getField("sourceKind").schema(), "XSIBACKUP"));
        rejected.put("status", 400);
        rejected.put("reason", "not-base64");
        rejected.put("message", "the query string is not base64");
        rejected.put("raw", raw);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), committed).encode(rejected, out);

        RejectedHook decoded = AvroSerde.of(RejectedHook.class).decode(out.toByteArray());

        assertEquals("not-base64", decoded.getReason());
        assertEquals(Instant.ofEpochMilli(1_700_000_000_000L), decoded.getReceivedAt());
        assertEquals("/hooks/xsibackup/***/error", decoded.getRaw().getPath());
    }

    @Test
    void bytesThatAreNotHooklineRecordsGiveAClearError() {
        SerializationException e = assertThrows(SerializationException.class,
                () -> serde.decode("PID=1|t=2".getBytes()));
        assertTrue(e.getMessage().startsWith("cannot decode BackupEvent (9 bytes)"), e.getMessage());
    }

    @Test
    void anEventClaimingAGigabyteStringIsRefusedWithTheFieldNamed() throws IOException {
        byte[] good = serde.encode(sampleEvent());
        // The body's first field is eventId: its length, then its characters. Claim 2^30 bytes instead.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(good, 0, 10);
        org.apache.avro.io.BinaryEncoder length = org.apache.avro.io.EncoderFactory.get().binaryEncoder(bytes, null);
        length.writeLong(1L << 30);
        length.flush();
        bytes.write(good, 11, good.length - 11);
        byte[] hostile = bytes.toByteArray();

        SerializationException e = assertThrows(SerializationException.class, () -> serde.decode(hostile));
        assertEquals("cannot decode BackupEvent (" + hostile.length + " bytes): BackupEvent.eventId: claims 1073741824"
                + " bytes in a record of " + hostile.length + " bytes", e.getMessage());
    }

    @Test
    void aRecordOfAnUnknownSchemaIsRefusedNotMisread() {
        byte[] bytes = AvroSerde.of(JobState.class).encode(JobState.newBuilder()
                .setJobKey("a/b").setSourceKind(SourceKind.PING).setSourceName("a").setJob("b")
                .setFirstSeenAt(Instant.EPOCH).setUpdatedAt(Instant.EPOCH)
                .setLastEventId("e").setLastEventType(EventType.RUN_STARTED).build());

        SerializationException e = assertThrows(SerializationException.class, () -> serde.decode(bytes));
        assertTrue(e.getMessage().contains("Cannot resolve schema for fingerprint"), e.getMessage());
    }

    @Test
    void nullIsATombstoneBothWays() {
        assertEquals(null, serde.serialize("t", null));
        assertEquals(null, serde.deserialize("t", null));
        assertArrayEquals(serde.encode(sampleEvent()), serde.encode(sampleEvent()));
    }
}
