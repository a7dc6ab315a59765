package io.hookline.schema.cloudevents;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
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

    public static Headers of(String id, String source, String type, Instant time, String subject) {
        RecordHeaders headers = new RecordHeaders();
        add(headers, "ce_specversion", SPEC_VERSION);
        add(headers, "ce_id", id);
        add(headers, "ce_source", source);
        add(headers, "ce_type", type);
        add(headers, "ce_time", time.toString());
        if (subject != null) {
            add(headers, "ce_subject", subject);
        }
        add(headers, "content-type", CONTENT_TYPE);
        return headers;
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
