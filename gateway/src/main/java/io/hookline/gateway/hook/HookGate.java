package io.hookline.gateway.hook;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import io.hookline.gateway.GatewayConfig;
import io.hookline.gateway.source.Source;
import io.hookline.gateway.source.SourceRegistry;
import io.hookline.schema.SourceKind;

/**
 * What every endpoint checks before it parses a hook, in this order: the token (in the path or as
 * {@code Authorization: Bearer}), the source's rate limit, the size. A refusal is recorded like any other.
 */
@ApplicationScoped
public class HookGate {

    private final SourceRegistry sources;
    private final HookIntake intake;
    private final GatewayConfig config;
    private final RateLimiter limiter = new RateLimiter();
    private final AnonymousRefusals anonymousRefusals;

    public HookGate(SourceRegistry sources, HookIntake intake, GatewayConfig config) {
        this.sources = sources;
        this.intake = intake;
        this.config = config;
        GatewayConfig.Anonymous anonymous = config.gateway().anonymous();
        this.anonymousRefusals = new AnonymousRefusals(anonymous.rateLimit(), anonymous.rateBurst(),
                anonymous.sampleInterval(), anonymous.maxAddresses());
    }

    /** The admitted source, or the answer to give. */
    public record Admission(Source source, CompletionStage<Response> refusal) {
        public boolean admitted() {
            return source != null;
        }
    }

    /** What an endpoint does with an admitted hook: parse it and answer. */
    @FunctionalInterface
    public interface Handler {
        CompletionStage<Response> handle(Source source, HookRequest request, java.time.Instant receivedAt);
    }

    /**
     * Admits the request as a hook of this kind and hands it to the endpoint's handler, or answers the refusal.
     * The token comes from the path ({@code pathToken}) or, when that is null, from Authorization: Bearer.
     */
    /**
     * A resource method's path for the token in the path or, with nothing after the resource's own path, in
     * {@code Authorization: Bearer}: one method serves both ways of sending it.
     */
    public static final String OPTIONAL_TOKEN = "{token: [^/]*}";

    public CompletionStage<Response> handle(SourceKind kind, String pathToken, io.vertx.core.http.HttpServerRequest http, String body,
            Handler handler) {
        java.time.Instant receivedAt = java.time.Instant.now();
        HookRequest request = HookRequest.of(http, pathToken, body);
        Admission admission = admit(kind, pathToken, request);
        return admission.admitted() ? handler.handle(admission.source(), request, receivedAt) : admission.refusal();
    }

    public Admission admit(SourceKind kind, String pathToken, HookRequest request) {
        String token = pathToken != null && !pathToken.isEmpty() ? pathToken : bearer(request);
        Optional<Source> found = sources.authenticate(kind, token);
        if (found.isEmpty() && kind == SourceKind.CLOUDEVENTS) {
            found = sources.authenticate(SourceKind.GENERIC, token);
        }
        if (found.isEmpty()) {
            return new Admission(null, token == null || token.isEmpty()
                    ? refuseUnknown(kind, token, request, new Rejection(401, "missing-token",
                            "no token: put it in the URL or send Authorization: Bearer <token>"))
                    : refuseUnknown(kind, token, request, Rejection.unknownSource(displayName(kind))));
        }
        return admitAs(found.get(), request);
    }

    /** The rate limit and the size, for a source already authenticated (a ping check by its UUID). */
    public Admission admitAs(Source source, HookRequest request) {
        Source.Limits limits = source.limits();
        long retryAfter = limiter.acquire(source.name(), limits.ratePerSecond(), limits.burst(), System.nanoTime());
        if (retryAfter > 0) {
            Rejection rejection = new Rejection(429, "rate-limited", "source " + source.name() + " sent more than "
                    + limits.ratePerSecond() + " hooks per second; try again in " + retryAfter + " s");
            return new Admission(null, intake.refuse(source.kind(), source, rejection, RawCapture.of(request, captureBytes()))
                    .thenApply(response -> Response.fromResponse(response).header("Retry-After", retryAfter).build()));
        }
        long bytes = request.contentBytes();
        if (bytes > config.gateway().maxHookBytes()) {
            return new Admission(null, intake.refuse(source.kind(), source,
                    Rejection.tooLarge(bytes, config.gateway().maxHookBytes()), RawCapture.of(request, captureBytes())));
        }
        String keyProblem = request.idempotencyKeyProblem();
        if (keyProblem != null) {
            return new Admission(null, refuse(source, Rejection.badRequest("bad-idempotency-key", keyProblem), request));
        }
        return new Admission(source, null);
    }

    /** A secret that matches no source: recorded with a fingerprint of it, never the secret itself. */
    public CompletionStage<Response> refuseUnknown(SourceKind kind, String secret, HookRequest request, Rejection rejection) {
        String path = secret == null || secret.isEmpty() ? request.path()
                : request.path().replace("***", "***(token sha256:" + SourceRegistry.fingerprint(secret) + ")");
        HookRequest anonymous = new HookRequest(request.method(), path, request.rawQuery(), request.headers(), null,
                request.remoteAddress());
        return refuseAnonymous(kind, anonymous, rejection);
    }

    /** A request that matched no source's endpoint: its path and headers as given, already without secrets. */
    public CompletionStage<Response> refuseUnrouted(SourceKind kind, HookRequest anonymous, Rejection rejection) {
        return refuseAnonymous(kind, anonymous, rejection);
    }

    /**
     * A refusal of a caller that proved no source: limited per client address before anything is written, and
     * sampled once over the limit (the raw request is not even captured then).
     */
    private CompletionStage<Response> refuseAnonymous(SourceKind kind, HookRequest anonymous, Rejection rejection) {
        AnonymousRefusals.Verdict verdict = anonymousRefusals.admit(anonymous.remoteAddress(), System.nanoTime());
        Rejection answer = verdict.overLimit() ? new Rejection(429, "anonymous-rate-limited", "too many refused requests "
                + "from this address (" + rejection.message() + "); try again in " + verdict.retryAfterSeconds() + " s")
                : rejection;
        CompletionStage<Response> response = verdict.record()
                ? intake.refuse(kind, null, answer, RawCapture.of(anonymous, captureBytes()), verdict.suppressed())
                : CompletableFuture.completedFuture(intake.answerUnrecorded(kind, answer));
        return verdict.overLimit() ? response.thenApply(r -> Response.fromResponse(r)
                .header("Retry-After", verdict.retryAfterSeconds()).build()) : response;
    }

    public CompletionStage<Response> refuse(Source source, Rejection rejection, HookRequest request) {
        return intake.refuse(source.kind(), source, rejection, RawCapture.of(request, captureBytes()));
    }

    /** A path as it may be recorded or echoed: every place a token can stand, and every configured token, masked. */
    public String withoutTokens(String path) {
        return HookRequest.withoutToken(path, sources::isAnyToken);
    }

    public int captureBytes() {
        return config.gateway().rawCaptureBytes();
    }

    static String bearer(HookRequest request) {
        String authorization = request.authorization();
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).strip();
        }
        return null;
    }

    static String displayName(SourceKind kind) {
        return switch (kind) {
            case XSIBACKUP -> "XSIBackup";
            case RETROSPECT -> "Retrospect";
            case PING -> "ping";
            case PROXMOX -> "Proxmox";
            case AGENT -> "agent";
            case CLOUDEVENTS, GENERIC -> "event";
            default -> kind.name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
