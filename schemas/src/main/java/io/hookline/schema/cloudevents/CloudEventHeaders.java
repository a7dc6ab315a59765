package io.hookline.schema.cloudevents;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Locale;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import io.hookline.schema.BackupEvent;
import io.hookline.schema.EventType;

/**
 * CloudEvents 1.0 attributes in Kafka binary mode, so that any CloudEvents-aware consumer can route Hookline's
 * records without decoding Avro.
 */
public final class CloudEventHeaders {

    public static final String SPEC_VERSION = "1.0";
    /** Single-object encoded Avro: a 2-byte marker, the 8-byte schema fingerprint, then the body. */
    public static final String CONTENT_TYPE = "application/avro; encoding=single-object";
    public static final String TYPE_PREFIX = "io.hookline.";

    private CloudEventHeaders() {
    }

    private static final byte[] SPEC_VERSION_BYTES = SPEC_VERSION.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_TYPE_BYTES = CONTENT_TYPE.getBytes(StandardCharsets.US_ASCII);

    /**
     * The headers of one record. Every record the processor writes gets them, so the constant ones are encoded once
     * (header values are only read once written) and the time is written without a formatter.
     */
    public static Headers of(String id, String source, String type, Instant time, String subject) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("ce_specversion", SPEC_VERSION_BYTES);
        add(headers, "ce_id", id);
        add(headers, "ce_source", source);
        add(headers, "ce_type", type);
        headers.add("ce_time", isoInstant(time));
        if (subject != null) {
            add(headers, "ce_subject", subject);
        }
        headers.add("content-type", CONTENT_TYPE_BYTES);
        return headers;
    }

    /**
     * {@code time.toString()} in ASCII bytes (ISO-8601 in UTC, the fraction in groups of three digits as needed),
     * without {@link java.time.format.DateTimeFormatter}, which took 2-4 % of the processor's stream thread in a
     * replay.
     * Years outside 0000-9999 take {@code toString()} itself.
     */
    static byte[] isoInstant(Instant time) {
        long seconds = time.getEpochSecond();
        long day = Math.floorDiv(seconds, 86_400L);
        if (day < -719_528L || day > 2_932_896L) { // 0000-01-01 .. 9999-12-31
            return time.toString().getBytes(StandardCharsets.US_ASCII);
        }
        int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
        LocalDate date = LocalDate.ofEpochDay(day);
        int nano = time.getNano();
        int digits = nano == 0 ? 0 : nano % 1_000_000 == 0 ? 3 : nano % 1_000 == 0 ? 6 : 9;
        byte[] out = new byte[20 + (digits == 0 ? 0 : digits + 1)];
        put(out, 0, date.getYear(), 4);
        out[4] = '-';
        put(out, 5, date.getMonthValue(), 2);
        out[7] = '-';
        put(out, 8, date.getDayOfMonth(), 2);
        out[10] = 'T';
        put(out, 11, secondOfDay / 3600, 2);
        out[13] = ':';
        put(out, 14, secondOfDay / 60 % 60, 2);
        out[16] = ':';
        put(out, 17, secondOfDay % 60, 2);
        int at = 19;
        if (digits > 0) {
            out[at++] = '.';
            put(out, at, nano / (digits == 3 ? 1_000_000 : digits == 6 ? 1_000 : 1), digits);
            at += digits;
        }
        out[at] = 'Z';
        return out;
    }

    /** {@code value} in {@code width} decimal digits, zero-padded, at {@code at}. */
    private static void put(byte[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }

    /** Headers of a record on hookline.events: type {@code io.hookline.backup.run.failed} and so on. */
    public static Headers forEvent(BackupEvent event) {
        return of(event.getEventId(), sourceUri(event.getSourceKind().name(), event.getSourceName()),
                eventType(event.getType()), event.getReceivedAt(), event.getJobKey());
    }

    public static String eventType(EventType type) {
        return TYPE_PREFIX + "backup." + type.name().toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** {@code /hookline/xsibackup/esxi-prod}: the kind and the configured source name. */
    public static String sourceUri(String kind, String sourceName) {
        return "/hookline/" + kind.toLowerCase(Locale.ROOT) + "/" + (sourceName == null ? "unknown" : sourceName);
    }

    public static String header(Headers headers, String name) {
        var header = headers.lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static void add(Headers headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
