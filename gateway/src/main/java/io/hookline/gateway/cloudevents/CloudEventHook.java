package io.hookline.gateway.cloudevents;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.hookline.gateway.envelope.EventEnvelope;
import io.hookline.gateway.envelope.EventIds;
import io.hookline.gateway.hook.HookRequest;
import io.hookline.gateway.hook.Rejection;
import io.hookline.gateway.secrets.SecretScrubber;
import io.hookline.gateway.source.Source;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.CloudEventDetail;
import io.hookline.schema.EventType;
import io.hookline.schema.RawRequest;
import io.hookline.schema.RestorePoint;
import io.hookline.schema.RunOutcome;
import io.hookline.schema.cloudevents.CloudEventHeaders;

/**
 * A CloudEvent (binary mode: {@code ce-*} headers and the data as body; structured mode:
 * {@code application/cloudevents+json}) or the generic JSON body as an event, or the refusal that names what is
 * wrong with it. Pure: {@link EventsResource} authenticates and checks the signature.
 */
final class CloudEventHook {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> CORE = Set.of("specversion", "id", "source", "type", "subject", "time",
            "datacontenttype", "dataschema", "data", "data_base64");

    /** The event, or why there is none. */
    record Result(BackupEvent event, Rejection rejection) {
    }

    private CloudEventHook() {
    }

    /** The attributes and data of the event, whichever way it came. */
    record Incoming(String id, String ceSource, String type, String specversion, String subject, String time,
            String dataContentType, String dataSchema, Map<String, String> extensions, JsonNode data, boolean cloudEvent) {
    }

    static Result toEvent(Source source, HookRequest request, Instant receivedAt, RawRequest raw) {
        String body = request.body();
        String contentType = Optional.ofNullable(request.header("content-type")).orElse("").toLowerCase(Locale.ROOT);
        if (contentType.startsWith("application/cloudevents-batch")) {
            return refused(new Rejection(415, "batch-unsupported",
                    "CloudEvents batch mode is not supported: send one event per request"));
        }
        Incoming incoming;
        try {
            incoming = read(request, body, contentType);
        } catch (JsonProcessingException e) {
            return refused(Rejection.badRequest("not-json", "the body is not JSON: "
                    + e.getOriginalMessage()));
        }
        List<String> missing = new ArrayList<>();
        if (incoming.cloudEvent()) {
            for (var attribute : Map.of("id", nz(incoming.id()), "source", nz(incoming.ceSource()), "type",
                    nz(incoming.type()), "specversion", nz(incoming.specversion())).entrySet()) {
                if (attribute.getValue().isEmpty()) {
                    missing.add(attribute.getKey());
                }
            }
        }
        if (!missing.isEmpty()) {
            missing.sort(null);
            return refused(Rejection.badRequest("missing-attribute",
                    "the CloudEvent has no " + String.join(", ", missing)));
        }
        if (incoming.cloudEvent() && !incoming.specversion().equals("1.0")) {
            return refused(Rejection.badRequest("bad-specversion",
                    "specversion is '" + incoming.specversion() + "'; Hookline reads CloudEvents 1.0"));
        }
        JsonNode data = incoming.data() == null ? JSON.createObjectNode() : incoming.data();
        String job = firstText(incoming.subject(), text(data, "job"));
        if (job == null) {
            return refused(Rejection.badRequest("missing-field", incoming.cloudEvent()
                    ? "no job: set the CloudEvent's subject, or data.job" : "no job: the JSON needs \"job\""));
        }
        Optional<EventType> type = typeOf(incoming.type(), text(data, "status"));
        if (type.isEmpty()) {
            return refused(Rejection.badRequest("unknown-status", "status must be started, succeeded, "
                    + "warning, failed, aborted or log (or type io.hookline.backup.run.<...>), not '" + text(data, "status")
                    + "'"));
        }
        Instant occurred = null;
        String when = firstText(incoming.time(), text(data, "occurredAt"));
        if (when != null) {
            try {
                occurred = Instant.parse(when);
            } catch (DateTimeParseException e) {
                return refused(Rejection.badRequest("bad-time",
                        "time '" + when + "' is not an RFC 3339 timestamp like 2026-11-21T18:06:00Z"));
            }
        }
        return new Result(toEvent(source, incoming, data, job, type.get(), occurred, when, request, receivedAt, raw), null);
    }

    private static Result refused(Rejection rejection) {
        return new Result(null, rejection);
    }

    private static BackupEvent toEvent(Source source, Incoming incoming, JsonNode data, String job, EventType type,
            Instant occurred, String when, HookRequest request, Instant receivedAt, RawRequest raw) {
        String host = firstText(text(data, "host"), incoming.extensions().get("host"));
        String id = incoming.cloudEvent() ? incoming.id() : text(data, "id");
        // A CloudEvent's source and id identify it (CloudEvents 1.0); the generic body's id is its sender's key.
        String eventId = id != null ? EventIds.stable("events", source.name(), nz(incoming.ceSource()), id)
                : EventIds.forCall(source.name(), request.idempotencyKey());
        List<String> errors = new ArrayList<>();
        data.path("errors").forEach(e -> errors.add(SecretScrubber.scrub(e.asText())));
        String message = SecretScrubber.scrub(text(data, "message"));
        String status = text(data, "status") == null ? "" : normalized(text(data, "status"));
        RunOutcome outcome = switch (type) {
            case RUN_SUCCEEDED -> status.equals("warning") ? RunOutcome.WARNING : RunOutcome.SUCCEEDED;
            case RUN_FAILED -> status.equals("aborted") ? RunOutcome.ABORTED : RunOutcome.FAILED;
            default -> null;
        };
        if (outcome == RunOutcome.FAILED && errors.isEmpty() && message != null) {
            errors.add(message);
        }
        Map<String, String> labels = new LinkedHashMap<>();
        data.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(),
                SecretScrubber.scrubValue(e.getKey(), e.getValue().asText())));
        BackupEvent.Builder event = EventEnvelope.begin(source, eventId, receivedAt, host, job,
                raw)
                .setOccurredAt(occurred)
                .setOccurredAtRaw(when)
                .setJobName(firstText(text(data, "name"), job))
                .setRunId(text(data, "run"))
                .setType(type)
                .setOutcome(outcome)
                .setErrors(errors)
                .setErrorCount(errors.isEmpty() ? null : errors.size())
                .setErrorMessage(outcome == RunOutcome.FAILED || outcome == RunOutcome.WARNING ? message : null)
                .setDurationMs(number(data, "durationMs"))
                .setBytes(number(data, "bytes"))
                .setFiles(number(data, "files"))
                .setTarget(text(data, "target"))
                .setLabels(labels);
        JsonNode point = data.path("restorePoint");
        if (point.isObject() && text(point, "id") != null && outcome != RunOutcome.FAILED) {
            Instant created = Optional.ofNullable(text(point, "createdAt")).map(CloudEventHook::instantOrNull)
                    .orElse(occurred != null ? occurred : receivedAt);
            List<String> tags = new ArrayList<>();
            point.path("tags").forEach(t -> tags.add(t.asText()));
            event.setRestorePoint(RestorePoint.newBuilder().setId(text(point, "id")).setCreatedAt(created)
                    .setUtcOffsetSeconds(point.path("utcOffsetSeconds").asInt(0)).setHost(host)
                    .setLocation(text(point, "location")).setSizeBytes(number(point, "sizeBytes")).setTags(tags).build());
        }
        if (incoming.cloudEvent()) {
            event.setDetail(CloudEventDetail.newBuilder().setId(incoming.id()).setSource(incoming.ceSource())
                    .setType(incoming.type()).setSpecversion(incoming.specversion()).setSubject(incoming.subject())
                    .setDataContentType(incoming.dataContentType()).setDataSchema(incoming.dataSchema())
                    .setExtensions(incoming.extensions()).build());
        }
        return event.build();
    }

    static Incoming read(HookRequest request, String body, String contentType) throws JsonProcessingException {
        String specversion = request.header("ce-specversion");
        if (specversion != null) {
            Map<String, String> extensions = new LinkedHashMap<>();
            request.headers().forEach((name, value) -> {
                if (name.startsWith("ce-") && !CORE.contains(name.substring(3))) {
                    extensions.put(name.substring(3), SecretScrubber.scrubValue(name.substring(3), value));
                }
            });
            JsonNode data = body == null || body.isBlank() ? null : JSON.readTree(body);
            return new Incoming(request.header("ce-id"), request.header("ce-source"), request.header("ce-type"),
                    specversion, request.header("ce-subject"), request.header("ce-time"),
                    request.header("content-type"), request.header("ce-dataschema"), extensions, data, true);
        }
        JsonNode root = JSON.readTree(body == null || body.isBlank() ? "{}" : body);
        if (!root.isObject()) {
            throw new JsonProcessingException("the body must be a JSON object") { };
        }
        if (contentType.startsWith("application/cloudevents+json") || root.has("specversion")) {
            Map<String, String> extensions = new LinkedHashMap<>();
            root.fields().forEachRemaining(e -> {
                if (!CORE.contains(e.getKey()) && e.getValue().isValueNode()) {
                    extensions.put(e.getKey(), SecretScrubber.scrubValue(e.getKey(), e.getValue().asText()));
                }
            });
            return new Incoming(text(root, "id"), text(root, "source"), text(root, "type"), nz(text(root, "specversion")),
                    text(root, "subject"), text(root, "time"), text(root, "datacontenttype"), text(root, "dataschema"),
                    extensions, root.get("data"), true);
        }
        return new Incoming(null, null, null, null, null, null, "application/json", null, Map.of(), root, false);
    }

    /** Hookline's own CloudEvents types first ({@code io.hookline.backup.run.failed}), then data.status. */
    static Optional<EventType> typeOf(String ceType, String status) {
        if (ceType != null && ceType.startsWith(CloudEventHeaders.TYPE_PREFIX + "backup.")) {
            for (EventType type : EventType.values()) {
                if (CloudEventHeaders.eventType(type).equals(ceType)) {
                    return Optional.of(type);
                }
            }
        }
        if (status == null) {
            return ceType != null ? Optional.of(EventType.OTHER) : Optional.empty();
        }
        return switch (normalized(status)) {
            case "started" -> Optional.of(EventType.RUN_STARTED);
            case "succeeded", "warning" -> Optional.of(EventType.RUN_SUCCEEDED);
            case "failed", "aborted" -> Optional.of(EventType.RUN_FAILED);
            case "log" -> Optional.of(EventType.RUN_LOG);
            default -> Optional.empty();
        };
    }

    /** The status words of common tools, Bacula/Bareos' %e among them ("OK -- with warnings", "Fatal Error"). */
    static String normalized(String status) {
        String lower = status.strip().toLowerCase(Locale.ROOT);
        if (lower.contains("warning")) {
            return "warning";
        }
        return switch (lower) {
            case "started", "start", "running" -> "started";
            case "succeeded", "success", "successful", "ok", "done" -> "succeeded";
            case "failed", "failure", "fail", "error", "fatal error", "fatal" -> "failed";
            case "canceled", "cancelled", "aborted", "abort" -> "aborted";
            case "log" -> "log";
            default -> lower;
        };
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || value.isNull() || value.asText().isBlank() ? null : value.asText();
    }

    private static Long number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.canConvertToLong() ? value.asLong() : null;
    }

    private static Instant instantOrNull(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String firstText(String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }

    private static String nz(String value) {
        return value == null ? "" : value;
    }
}
