package io.hookline.gateway.envelope;

import java.time.Instant;
import java.util.Map;

import io.hookline.gateway.source.Source;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.RawRequest;

/**
 * Where every source's hook becomes a {@link BackupEvent}: the fields that do not depend on the product
 * (identity, source, job key, raw request) are set here, once; a source's parser adds what its product said.
 */
public final class EventEnvelope {

    private EventEnvelope() {
    }

    /** {@code source/job}, or {@code source/host/job} when the product names the host. */
    public static String jobKey(Source source, String host, String job) {
        return host == null || host.isBlank() ? source.name() + "/" + job : source.name() + "/" + host + "/" + job;
    }

    public static BackupEvent.Builder begin(Source source, String eventId, Instant receivedAt, String host, String job,
            RawRequest raw) {
        return BackupEvent.newBuilder()
                .setEventId(eventId)
                .setReceivedAt(receivedAt)
                .setSourceKind(source.kind())
                .setSourceName(source.name())
                .setHost(host == null || host.isBlank() ? null : host)
                .setJob(job)
                .setJobKey(jobKey(source, host, job))
                .setLabels(Map.of())
                .setRaw(raw);
    }
}
