package io.hookline.gateway.hook;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import io.hookline.gateway.envelope.EventIds;
import io.hookline.gateway.envelope.EventBounds;
import io.hookline.gateway.envelope.Figures;
import io.hookline.gateway.kafka.EventLog;
import io.hookline.gateway.source.KnownJobs;
import io.hookline.gateway.source.Source;
import io.hookline.runtime.text.Excerpt;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.RawRequest;
import io.hookline.schema.RejectedHook;
import io.hookline.schema.SourceKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * What every source's endpoint does once it has parsed a hook: append it and answer the caller's expected text
 * only after the broker has it, or record a refusal on hookline.rejected and answer its status and reason.
 */
@ApplicationScoped
public class HookIntake {

    private static final Logger LOG = Logger.getLogger(HookIntake.class);
    private static final String TEXT = MediaType.TEXT_PLAIN + ";charset=UTF-8";

    private final EventLog log;
    private final MeterRegistry metrics;
    private final KnownJobs jobs;
    /** By source kind's ordinal, made at its first accepted hook (see {@link #meters}). */
    private final Meters[] meters = new Meters[SourceKind.values().length];

    public HookIntake(EventLog log, MeterRegistry metrics, KnownJobs jobs) {
        this.log = log;
        this.metrics = metrics;
        this.jobs = jobs;
    }

    /** Appends the event; answers {@code ack} exactly once the broker acknowledged it, 503 otherwise. */
    public CompletionStage<Response> accept(Source source, BackupEvent parsed, String ack) {
        BackupEvent event = EventBounds.apply(parsed);
        var outOfRange = Figures.check(event);
        if (outOfRange.isPresent()) {
            return refuse(event.getSourceKind(), event.getSourceName(), Rejection.badRequest("bad-figure", outOfRange.get()),
                    event.getRaw(), 0);
        }
        if (!jobs.admit(event.getSourceName(), event.getJobKey(), source.limits().maxJobs())) {
            return refuse(event.getSourceKind(), event.getSourceName(), new Rejection(403, "too-many-jobs", "source "
                    + event.getSourceName() + " has " + jobs.count(event.getSourceName()) + " jobs, its limit "
                    + "(hookline.sources." + event.getSourceName() + ".max-jobs); a hook for a new job '"
                    + Excerpt.quoted(event.getJob()) + "' is refused"), event.getRaw(), 0);
        }
        Meters meters = meters(event.getSourceKind());
        Timer.Sample sample = Timer.start(metrics);
        // A CompletionStage, not a Uni: each of a Uni's steps captures and restores the request's context, which
        // an answer made from the broker's acknowledgement does not need (a twentieth of the event loops).
        return attempt(() -> log.append(event)).handle((metadata, error) -> {
            if (error == null) {
                sample.stop(meters.ack());
                meters.accepted().increment();
                return Response.ok(ack, TEXT).build();
            }
            meters.unavailable().increment();
            String why = describe(error);
            if (!(unwrap(error) instanceof EventLog.BrokerStalledException)) {
                // A stalled broker is logged once by EventLog, not once for each hook it turns away.
                LOG.warnf("hook for %s not accepted: %s", event.getJobKey(), why);
            }
            return Response.status(Response.Status.SERVICE_UNAVAILABLE)
                    .entity("hookline: the hook was not processed: " + why + "; send it again later")
                    .type(TEXT).header("Retry-After", "30").build();
        });
    }

    /** The send's future, or a failed one when it could not even be handed over (answered like any failure). */
    private static <T> CompletableFuture<T> attempt(java.util.function.Supplier<CompletableFuture<T>> send) {
        try {
            return send.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Names the refusal's record on hookline.rejected in the answer, so a caller's report can be found there. */
    public static final String REJECTION_HEADER = "Hookline-Rejection";

    /** Records the refusal (best effort, bounded) and answers its status and sentence. */
    public CompletionStage<Response> refuse(SourceKind kind, Source source, Rejection rejection, RawRequest raw) {
        return refuse(kind, source == null ? null : source.name(), rejection, raw, 0);
    }

    /** A refusal of an unauthenticated caller; {@code suppressed} like it were answered but not recorded. */
    public CompletionStage<Response> refuse(SourceKind kind, Source source, Rejection rejection, RawRequest raw, long suppressed) {
        return refuse(kind, source == null ? null : source.name(), rejection, raw, suppressed);
    }

    /** The answer to a refusal that is not recorded (a flood being sampled): counted, not logged. */
    public Response answerUnrecorded(SourceKind kind, Rejection rejection) {
        metrics.counter("hookline.hooks", "kind", kindTag(kind), "result", "rejected", "reason", rejection.reason())
                .increment();
        // The header still says the refusal was handled, so that nothing records it a second time.
        return Response.status(rejection.status()).entity("hookline: " + rejection.message()).type(TEXT)
                .header(REJECTION_HEADER, "not-recorded: sampled").build();
    }

    private CompletionStage<Response> refuse(SourceKind kind, String sourceName, Rejection rejection, RawRequest raw,
            long suppressed) {
        RejectedHook rejected = RejectedHook.newBuilder()
                .setRejectionId(EventIds.random())
                .setReceivedAt(Instant.now())
                .setSourceKind(kind)
                .setSourceName(sourceName)
                .setStatus(rejection.status())
                .setReason(rejection.reason())
                .setMessage(rejection.message())
                .setRaw(raw)
                .setSuppressed(suppressed)
                .build();
        metrics.counter("hookline.hooks", "kind", kindTag(kind), "result", "rejected", "reason", rejection.reason())
                .increment();
        LOG.infof("refused %s hook%s: %d %s", kindTag(kind), sourceName == null ? "" : " for source " + sourceName,
                rejection.status(), rejection.message());
        Response response = Response.status(rejection.status()).entity("hookline: " + rejection.message()).type(TEXT)
                .header(REJECTION_HEADER, rejected.getRejectionId()).build();
        return attempt(() -> log.reject(rejected)).handle((metadata, error) -> {
            if (error != null) {
                LOG.warnf("could not record a refused hook on %s: %s", log.topics().rejected(), describe(error));
            }
            return response;
        });
    }

    /** What every accepted or unavailable hook of one source kind counts and times. */
    private record Meters(Timer ack, Counter accepted, Counter unavailable) {
    }

    /**
     * The kind's meters, looked up once: the registry finds a meter by its name and tags, which it sorts and hashes,
     * and every hook paid for that three times. Two threads may both look them up at a kind's first hooks; the
     * registry gives both the same meters. Its "unavailable" count is 0 from the kind's first hook on, so that a
     * rate over it sees the first refusal.
     */
    private Meters meters(SourceKind kind) {
        Meters kindMeters = meters[kind.ordinal()];
        if (kindMeters == null) {
            String tag = kindTag(kind);
            kindMeters = new Meters(metrics.timer("hookline.hook.ack", "kind", tag),
                    metrics.counter("hookline.hooks", "kind", tag, "result", "accepted", "reason", "none"),
                    metrics.counter("hookline.hooks", "kind", tag, "result", "unavailable", "reason", "broker"));
            meters[kind.ordinal()] = kindMeters;
        }
        return kindMeters;
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    static String describe(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof EventLog.BrokerStalledException stalled) {
            return stalled.getMessage();
        }
        if (cause instanceof TimeoutException || cause instanceof org.apache.kafka.common.errors.TimeoutException) {
            return "the event log (Kafka) did not confirm the record in time";
        }
        return "the event log (Kafka) refused the record (" + cause.getClass().getSimpleName() + ")";
    }

    private static String kindTag(SourceKind kind) {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
