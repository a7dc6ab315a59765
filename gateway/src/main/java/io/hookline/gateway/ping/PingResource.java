package io.hookline.gateway.ping;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.hookline.gateway.envelope.EventEnvelope;
import io.hookline.gateway.envelope.EventIds;
import io.hookline.gateway.envelope.RawCapture;
import io.hookline.gateway.hook.HookGate;
import io.hookline.gateway.hook.HookIntake;
import io.hookline.gateway.hook.HookRequest;
import io.hookline.gateway.hook.Rejection;
import io.hookline.gateway.secrets.SecretScrubber;
import io.hookline.gateway.source.KnownJobs;
import io.hookline.gateway.source.Source;
import io.hookline.gateway.source.SourceRegistry;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.EventType;
import io.hookline.schema.PingDetail;
import io.hookline.schema.RunOutcome;
import io.hookline.schema.SourceKind;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/**
 * Healthchecks-compatible pings, so that borgmatic, resticprofile, cron + curl and every Healthchecks client work
 * with only the URL changed: {@code /ping/<uuid>[/start|/fail|/log|/<0-255>]} for a registered check, and
 * {@code /ping/<token>/<slug>[/...]} for a ping source's jobs ({@code ?create=1} creates the job on first use).
 * HEAD, GET and POST; {@code rid} pairs start and finish; the body (up to 100 kB) is the run's log.
 */
@Path("/ping")
public class PingResource {

    /** As Healthchecks: the body is kept up to this size and the limit is announced on every answer. */
    public static final int BODY_LIMIT = 100_000;
    private static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9_-]{0,99}");
    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final HookGate gate;
    private final HookIntake intake;
    private final SourceRegistry sources;
    private final KnownJobs knownJobs;

    public PingResource(HookGate gate, HookIntake intake, SourceRegistry sources, KnownJobs knownJobs) {
        this.gate = gate;
        this.intake = intake;
        this.sources = sources;
        this.knownJobs = knownJobs;
    }

    @GET
    @Path("{first}")
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "Success ping of a registered check: /ping/<uuid>")
    public Uni<Response> get1(@PathParam("first") String first, @QueryParam("rid") String rid,
            @QueryParam("create") String create, @Context HttpServerRequest http) {
        return ping(List.of(first), rid, create, null, http);
    }

    @POST
    @Path("{first}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.TEXT_PLAIN)
    public Uni<Response> post1(@PathParam("first") String first, @QueryParam("rid") String rid,
            @QueryParam("create") String create, String body, @Context HttpServerRequest http) {
        return ping(List.of(first), rid, create, body, http);
    }

    @GET
    @Path("{first}/{second}")
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "/ping/<uuid>/<signal> or /ping/<token>/<slug>")
    public Uni<Response> get2(@PathParam("first") String first, @PathParam("second") String second,
            @QueryParam("rid") String rid, @QueryParam("create") String create, @Context HttpServerRequest http) {
        return ping(List.of(first, second), rid, create, null, http);
    }

    @POST
    @Path("{first}/{second}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.TEXT_PLAIN)
    public Uni<Response> post2(@PathParam("first") String first, @PathParam("second") String second,
            @QueryParam("rid") String rid, @QueryParam("create") String create, String body,
            @Context HttpServerRequest http) {
        return ping(List.of(first, second), rid, create, body, http);
    }

    @GET
    @Path("{token}/{slug}/{signal}")
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "/ping/<token>/<slug>/<start|fail|log|0-255>")
    public Uni<Response> get3(@PathParam("token") String token, @PathParam("slug") String slug,
            @PathParam("signal") String signal, @QueryParam("rid") String rid, @QueryParam("create") String create,
            @Context HttpServerRequest http) {
        return ping(List.of(token, slug, signal), rid, create, null, http);
    }

    @POST
    @Path("{token}/{slug}/{signal}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.TEXT_PLAIN)
    public Uni<Response> post3(@PathParam("token") String token, @PathParam("slug") String slug,
            @PathParam("signal") String signal, @QueryParam("rid") String rid, @QueryParam("create") String create,
            String body, @Context HttpServerRequest http) {
        return ping(List.of(token, slug, signal), rid, create, body, http);
    }

    private Uni<Response> ping(List<String> segments, String rid, String create, String body, HttpServerRequest http) {
        Instant receivedAt = Instant.now();
        // A registered check's UUID is its secret; otherwise the first segment is a ping source's token.
        Optional<SourceRegistry.Check> check = UUID.matcher(segments.get(0)).matches() && segments.size() <= 2
                ? sources.check(segments.get(0)) : Optional.empty();
        String secret = segments.get(0);
        HookRequest request = HookRequest.of(http, secret, body);
        String job;
        String signal;
        Source source;
        if (check.isPresent()) {
            HookGate.Admission admission = gate.admitAs(check.get().source(), request);
            if (!admission.admitted()) {
                return announce(admission.refusal());
            }
            source = admission.source();
            job = check.get().job();
            signal = segments.size() > 1 ? segments.get(1) : "";
        } else {
            if (segments.size() == 1) {
                return announce(gate.refuseUnknown(SourceKind.PING, secret, request,
                        new Rejection(404, "unknown-check", "no check has this UUID")));
            }
            HookGate.Admission admission = gate.admit(SourceKind.PING, secret, request);
            if (!admission.admitted()) {
                return announce(admission.refusal());
            }
            source = admission.source();
            job = segments.get(1);
            signal = segments.size() > 2 ? segments.get(2) : "";
            if (!SLUG.matcher(job).matches()) {
                return announce(gate.refuse(source, Rejection.badRequest("bad-slug", "the slug '" + shorten(job)
                        + "' is not lowercase letters, digits, '-' and '_'"), request));
            }
            String jobKey = EventEnvelope.jobKey(source, null, job);
            boolean known = knownJobs.contains(jobKey) || "1".equals(create);
            if (!known) {
                return announce(gate.refuse(source, new Rejection(404, "unknown-slug", "no job '" + job
                        + "' in source " + source.name() + ": add ?create=1 to create it with this ping"), request));
            }
        }
        Signal parsed = Signal.parse(signal);
        if (parsed == null) {
            return announce(gate.refuse(source, Rejection.badRequest("unknown-signal", "'" + shorten(signal)
                    + "' is not start, fail, log or an exit status 0-255"), request));
        }
        return announce(intake.accept(toEvent(source, job, parsed, rid, request, receivedAt), "OK"));
    }

    /** success, start, fail, log, or an exit status. */
    record Signal(String name, EventType type, Integer exitStatus) {
        static Signal parse(String text) {
            switch (text) {
                case "" -> {
                    return new Signal("success", EventType.RUN_SUCCEEDED, null);
                }
                case "start" -> {
                    return new Signal("start", EventType.RUN_STARTED, null);
                }
                case "fail" -> {
                    return new Signal("fail", EventType.RUN_FAILED, null);
                }
                case "log" -> {
                    return new Signal("log", EventType.RUN_LOG, null);
                }
                default -> {
                    if (!text.matches("\\d{1,3}")) {
                        return null;
                    }
                    int status = Integer.parseInt(text);
                    if (status > 255) {
                        return null;
                    }
                    return new Signal("exit", status == 0 ? EventType.RUN_SUCCEEDED : EventType.RUN_FAILED, status);
                }
            }
        }
    }

    private BackupEvent toEvent(Source source, String job, Signal signal, String rid, HookRequest request,
            Instant receivedAt) {
        long bodyBytes = request.body() == null ? 0 : request.body().getBytes(StandardCharsets.UTF_8).length;
        // rid pairs a run's start and end; it does not tell a retry from a second /log of the same run.
        String eventId = EventIds.forCall(source.name(), request.idempotencyKey());
        BackupEvent.Builder event = EventEnvelope.begin(source, eventId, receivedAt, null, job,
                RawCapture.withLog(request, BODY_LIMIT, 4096))
                .setJobName(job)
                .setRunId(rid == null || rid.isBlank() ? null : rid)
                .setType(signal.type())
                .setLabels(Map.of());
        if (signal.type() == EventType.RUN_SUCCEEDED) {
            event.setOutcome(RunOutcome.SUCCEEDED);
        } else if (signal.type() == EventType.RUN_FAILED) {
            event.setOutcome(RunOutcome.FAILED);
            // From the whole body, not the kept head: a script's last words are at its end.
            String last = SecretScrubber.scrub(lastLine(request.body() == null ? "" : request.body()));
            String message = last != null ? last
                    : signal.exitStatus() != null ? "exit status " + signal.exitStatus() : "failure reported by ping";
            event.setErrorMessage(message);
            event.setErrors(List.of(message));
            if (signal.exitStatus() != null) {
                event.setErrorCode(Integer.toString(signal.exitStatus()));
            }
        }
        event.setDetail(PingDetail.newBuilder()
                .setSignal(signal.name())
                .setExitStatus(signal.exitStatus())
                .setMethod(request.method())
                .setSlug(job)
                .setRid(rid)
                .setUserAgent(request.header("user-agent"))
                .setBodyBytes(bodyBytes)
                .build());
        return event.build();
    }

    private static Uni<Response> announce(Uni<Response> answer) {
        return answer.map(response -> Response.fromResponse(response).header("Ping-Body-Limit", BODY_LIMIT).build());
    }

    /** The last non-blank line, found from the end: the body may be far longer than what is kept. */
    static String lastLine(String log) {
        int end = log.length();
        while (end > 0) {
            int start = log.lastIndexOf('\n', end - 1) + 1;
            String line = log.substring(start, end).strip();
            if (!line.isEmpty()) {
                return line.length() > 500 ? line.substring(0, 500) : line;
            }
            end = start - 1;
        }
        return null;
    }

    private static String shorten(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }
}
