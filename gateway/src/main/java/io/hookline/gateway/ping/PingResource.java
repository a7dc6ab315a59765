package io.hookline.gateway.ping;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
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
import io.hookline.gateway.hook.HookGate;
import io.hookline.gateway.hook.HookIntake;
import io.hookline.gateway.hook.HookRequest;
import io.hookline.gateway.hook.Rejection;
import io.hookline.gateway.source.KnownJobs;
import io.hookline.gateway.source.Source;
import io.hookline.gateway.source.SourceRegistry;
import io.hookline.runtime.text.Excerpt;
import io.hookline.schema.SourceKind;
import io.vertx.core.http.HttpServerRequest;

/**
 * Healthchecks-compatible pings, so that borgmatic, resticprofile, cron + curl and every Healthchecks client work
 * with only the URL changed: {@code /ping/<uuid>[/start|/fail|/log|/<0-255>]} for a registered check, and
 * {@code /ping/<token>/<slug>[/...]} for a ping source's jobs ({@code ?create=1} creates the job on first use).
 * HEAD, GET and POST; {@code rid} pairs start and finish; the body (up to 100 kB) is the run's log.
 */
@Path("/ping")
public class PingResource {

    /** One to three path segments: a check, a check and its signal, a token and a slug, and a signal. */
    static final String SEGMENTS = "{segments: [^/]+(/[^/]+){0,2}}";
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
    @Path(SEGMENTS)
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "A ping: /ping/<uuid>[/<signal>] for a registered check, /ping/<token>/<slug>[/<signal>] for a"
            + " job of a ping source; the signal is start, fail, log or an exit status 0-255, none for success")
    public CompletionStage<Response> ping(@PathParam("segments") String segments, @QueryParam("rid") String rid,
            @QueryParam("create") String create, @Context HttpServerRequest http) {
        return ping(List.of(segments.split("/")), rid, create, null, http);
    }

    @POST
    @Path(SEGMENTS)
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "The same ping with the run's log as the body (kept up to 100 kB)")
    public CompletionStage<Response> pingWithLog(@PathParam("segments") String segments, @QueryParam("rid") String rid,
            @QueryParam("create") String create, String body, @Context HttpServerRequest http) {
        return ping(List.of(segments.split("/")), rid, create, body, http);
    }

    private CompletionStage<Response> ping(List<String> segments, String rid, String create, String body, HttpServerRequest http) {
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
                return announce(gate.refuse(source, Rejection.badRequest("bad-slug", "the slug '" + Excerpt.quoted(job)
                        + "' is not lowercase letters, digits, '-' and '_'"), request));
            }
            String jobKey = EventEnvelope.jobKey(source, null, job);
            boolean known = knownJobs.contains(jobKey) || "1".equals(create);
            if (!known) {
                return announce(gate.refuse(source, new Rejection(404, "unknown-slug", "no job '" + job
                        + "' in source " + source.name() + ": add ?create=1 to create it with this ping"), request));
            }
        }
        PingHook.Signal parsed = PingHook.Signal.parse(signal);
        if (parsed == null) {
            return announce(gate.refuse(source, Rejection.badRequest("unknown-signal", "'" + Excerpt.quoted(signal)
                    + "' is not start, fail, log or an exit status 0-255"), request));
        }
        return announce(intake.accept(source, PingHook.toEvent(source, job, parsed, rid, request, receivedAt), "OK"));
    }

    private static CompletionStage<Response> announce(CompletionStage<Response> answer) {
        return answer.thenApply(response -> Response.fromResponse(response).header("Ping-Body-Limit", PingHook.BODY_LIMIT).build());
    }
}
