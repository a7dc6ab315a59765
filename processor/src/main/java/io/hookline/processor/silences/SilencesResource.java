package io.hookline.processor.silences;

import io.hookline.processor.api.ApiAccess;
import io.hookline.processor.api.AuditLog;
import io.hookline.processor.api.Operator;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.hookline.runtime.text.Excerpt;
import io.hookline.schema.Silence;
import io.hookline.runtime.time.WeeklyWindow;

/**
 * {@code POST /api/silences}: mute matching alerts for a while, inside a recurring maintenance window, or until
 * one alert resolves. A silence never stops a resolve.
 */
@Path("/api/silences")
@Produces(MediaType.APPLICATION_JSON)
public class SilencesResource {

    /** What an operator posts. {@code duration} (30m, 2h, 1d) or {@code endsAt}; neither means until deleted. */
    public record NewSilence(Map<String, String> matchers, String duration, String startsAt, String endsAt,
            String recurring, String timeZone, String untilResolved, String comment, String createdBy) {
    }

    private final Silences silences;

    private AuditLog audit;
    private CurrentVertxRequest current;

    @jakarta.inject.Inject
    void audited(AuditLog audit, CurrentVertxRequest current) {
        this.audit = audit;
        this.current = current;
    }

    public SilencesResource(Silences silences) {
        this.silences = silences;
    }

    @GET
    @Operation(summary = "The silences, with whether each is active now")
    public List<Map<String, Object>> list() {
        Instant now = Instant.now();
        List<Map<String, Object>> views = new ArrayList<>();
        for (Silence silence : silences.all()) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("id", silence.getId());
            view.put("matchers", silence.getMatchers());
            view.put("startsAt", silence.getStartsAt().toString());
            view.put("endsAt", silence.getEndsAt() == null ? null : silence.getEndsAt().toString());
            view.put("recurring", silence.getRecurring());
            view.put("timeZone", silence.getTimeZone());
            view.put("untilResolved", silence.getUntilResolved());
            view.put("comment", silence.getComment());
            view.put("createdBy", silence.getCreatedBy());
            view.put("activeNow", Silences.activeAt(silence, now));
            view.put("expired", Silences.ended(silence, now));
            views.add(view);
        }
        return views;
    }

    /** The longest Idempotency-Key taken: a UUID is 36 characters. */
    static final int MAX_IDEMPOTENCY_KEY = 200;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a silence; answers its id. With an Idempotency-Key, sending it again (after a 503 or a"
            + " lost answer) makes no second silence: 201 the first time it is made, 200 with the same id after")
    public Response create(NewSilence request, @HeaderParam("Idempotency-Key") String idempotencyKey) throws Exception {
        if (idempotencyKey != null && (idempotencyKey.isEmpty() || idempotencyKey.length() > MAX_IDEMPOTENCY_KEY
                || !idempotencyKey.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
            return bad("the Idempotency-Key header must be 1 to " + MAX_IDEMPOTENCY_KEY + " visible ASCII characters"
                    + " (a UUID, say), not " + (idempotencyKey.isEmpty() ? "empty" : "'" + Excerpt.quoted(idempotencyKey)
                    + "' (" + idempotencyKey.length() + " characters)"));
        }
        if (request == null) {
            return bad("the body must be a JSON silence: {\"matchers\": {\"job\": \"esxi-prod/*\"}, \"duration\": \"2h\"}");
        }
        Map<String, String> matchers = request.matchers() == null ? Map.of() : request.matchers();
        String tooLong = tooLong("comment", request.comment(), 1_000);
        tooLong = tooLong != null ? tooLong : tooLong("createdBy", request.createdBy(), 100);
        tooLong = tooLong != null ? tooLong : tooLong("recurring", request.recurring(), 100);
        tooLong = tooLong != null ? tooLong : tooLong("timeZone", request.timeZone(), 64);
        tooLong = tooLong != null ? tooLong : tooLong("untilResolved", request.untilResolved(), 1_024);
        tooLong = tooLong != null ? tooLong : tooLong("duration", request.duration(), 32);
        tooLong = tooLong != null ? tooLong : tooLong("startsAt", request.startsAt(), 64);
        tooLong = tooLong != null ? tooLong : tooLong("endsAt", request.endsAt(), 64);
        if (tooLong != null) {
            return bad(tooLong);
        }
        for (String key : matchers.keySet()) {
            if (!io.hookline.processor.match.Matchers.KEYS.contains(key)) {
                return bad("matcher '" + Excerpt.quoted(key) + "' is not one of "
                        + io.hookline.processor.match.Matchers.KEYS.stream().sorted().toList());
            }
            String glob = matchers.get(key);
            if (glob == null || glob.length() > io.hookline.processor.match.Glob.MAX_LENGTH) {
                return bad("matcher " + key + " is " + (glob == null ? "null" : glob.length() + " characters long")
                        + "; a glob of at most " + io.hookline.processor.match.Glob.MAX_LENGTH + " characters");
            }
        }
        if (matchers.isEmpty() && request.untilResolved() == null) {
            return bad("a silence needs matchers (or untilResolved: <alert key>): it would mute everything");
        }
        Instant now = Instant.now();
        Instant startsAt;
        Instant endsAt = null;
        try {
            startsAt = request.startsAt() == null ? now : Instant.parse(request.startsAt());
            if (request.endsAt() != null) {
                endsAt = Instant.parse(request.endsAt());
            }
        } catch (DateTimeParseException e) {
            return bad("startsAt and endsAt are RFC 3339 times like 2026-11-22T06:00:00Z");
        }
        if (request.duration() != null) {
            Duration duration = io.hookline.processor.rules.Rules.parseDuration(request.duration());
            if (duration == null) {
                return bad("duration '" + request.duration() + "' is not like 30m, 2h or 1d");
            }
            endsAt = startsAt.plus(duration);
        }
        if (endsAt != null && !endsAt.isAfter(startsAt)) {
            return bad("the silence ends before it starts");
        }
        String zone = request.timeZone() == null ? "UTC" : request.timeZone();
        try {
            ZoneId.of(zone);
        } catch (DateTimeException e) {
            return bad("timeZone '" + zone + "' is not a time zone (e.g. Europe/Berlin)");
        }
        if (request.recurring() != null) {
            try {
                WeeklyWindow.parse(request.recurring());
            } catch (IllegalArgumentException e) {
                return bad(e.getMessage());
            }
        }
        String id = idempotencyKey == null ? "sil_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16)
                : idOf(idempotencyKey);
        if (idempotencyKey != null && silences.get(id).isPresent()) {
            // Made by an earlier send of this request, whose answer was lost or a 503 (Kafka wrote it after all).
            audit.record(current.getCurrent(), "silence.create", id, Map.of("idempotencyKey", idempotencyKey,
                    "alreadyMade", true), 200);
            return Response.ok(Map.of("id", id)).build();
        }
        Silence silence = Silence.newBuilder()
                .setId(id)
                .setMatchers(matchers)
                .setStartsAt(startsAt)
                .setEndsAt(endsAt)
                .setRecurring(request.recurring())
                .setTimeZone(zone)
                .setUntilResolved(request.untilResolved())
                .setComment(request.comment() == null ? "" : request.comment())
                // The operator who asked, not whatever name the body gives.
                .setCreatedBy(createdBy(request))
                .setCreatedAt(now)
                .build();
        silences.put(silence);
        audit.record(current.getCurrent(), "silence.create", silence.getId(), Map.of("matchers", matchers,
                "startsAt", startsAt, "endsAt", String.valueOf(endsAt), "recurring", String.valueOf(request.recurring()),
                "comment", silence.getComment()), 201);
        return Response.status(Response.Status.CREATED).entity(Map.of("id", silence.getId())).build();
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "End a silence now: it stays listed, expired, for hookline.silences.keep-ended (5d); ending "
            + "one that has ended changes nothing")
    public Response delete(@PathParam("id") String id) throws Exception {
        if (silences.get(id).isEmpty()) {
            return Response.status(Response.Status.NOT_FOUND).entity(Map.of("error", "no silence '" + id + "'")).build();
        }
        boolean ended = silences.end(id, Instant.now());
        audit.record(current.getCurrent(), "silence.delete", id, ended ? Map.of() : Map.of("alreadyEnded", true), 204);
        return Response.noContent().build();
    }

    /**
     * The silence an Idempotency-Key makes, the same for every send of it by the same operator: another operator's
     * key of the same text makes another silence.
     */
    private String idOf(String idempotencyKey) {
        Operator operator = ApiAccess.of(current.getCurrent());
        String scope = (operator == Operator.ANONYMOUS ? "" : operator.name()) + "\n" + idempotencyKey;
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(scope.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "sil_" + java.util.HexFormat.of().formatHex(digest, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    private String createdBy(NewSilence request) {
        Operator operator = ApiAccess.of(current.getCurrent());
        if (operator != Operator.ANONYMOUS) {
            return operator.name();
        }
        return request.createdBy() == null ? "" : request.createdBy();
    }

    /** What a silence stores is bounded: every field has a length limit. */
    private static String tooLong(String field, String value, int max) {
        return value == null || value.length() <= max ? null
                : field + " is " + value.length() + " characters long; at most " + max;
    }

    private static Response bad(String message) {
        return Response.status(Response.Status.BAD_REQUEST).entity(Map.of("error", message)).build();
    }
}
