package io.hookline.gateway.hook;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.hookline.runtime.http.RequestTargets;
import io.hookline.runtime.text.Excerpt;
import io.hookline.schema.SourceKind;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Requests that reach no hook endpoint are refused like any bad hook: a status and a sentence naming what was
 * wrong, and a record on hookline.rejected (with the token's place in the path masked and the query left out,
 * since it is not known where a secret sits). Two Vert.x routes do it: the last one answers paths nothing else
 * took, and the first one refuses a URI Java cannot parse (Quarkus's own check, which answers an empty 400, is
 * turned off by {@link io.hookline.gateway.GatewayMain}) and records what Vert.x itself refused before any endpoint
 * ran (a body over quarkus.http.limits.max-body-size), and refuses over HTTP/2 the headers HTTP/1.1 would not take. A
 * refusal already recorded carries the Hookline-Rejection header.
 */
@ApplicationScoped
public class UnroutedRequests {

    private final HookGate gate;
    /**
     * The bytes of headers HTTP/1.1 takes, where Vert.x refuses more itself. Over HTTP/2 the server takes 2 MiB of
     * headers, as the path and query are one there (quarkus.http.limits.max-header-list-size); the others are held to
     * this here, so that no header larger than HTTP/1.1 takes reaches an event or a record.
     */
    private final long maxHeaderBytes;

    public UnroutedRequests(HookGate gate,
            @ConfigProperty(name = "quarkus.http.limits.max-header-size", defaultValue = "20K") MemorySize maxHeaderSize) {
        this.gate = gate;
        this.maxHeaderBytes = maxHeaderSize.asLongValue();
    }

    void routes(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            HttpServerRequest request = ctx.request();
            String malformed = RequestTargets.malformation(request.uri());
            if (malformed != null) {
                answer(ctx, refuse(request, 400, "malformed-uri", "the request's URI cannot be parsed: " + malformed
                        + "; a hook's URL must be percent-encoded"));
                return;
            }
            if (request.version() == HttpVersion.HTTP_2) {
                long headerBytes = headerBytes(request);
                if (headerBytes > maxHeaderBytes) {
                    answer(ctx, refuse(request, 431, reasonOf(431), "the request's headers take " + headerBytes
                            + " bytes; the gateway takes " + maxHeaderBytes + " bytes of headers besides the URL", false));
                    return;
                }
            }
            ctx.addHeadersEndHandler(ignored -> {
                int status = ctx.response().getStatusCode();
                if (status >= 400 && status < 500 && ctx.response().headers().get(HookIntake.REJECTION_HEADER) == null
                        && !request.path().startsWith("/q/")) {
                    // Recorded in the background, its outcome logged by the refusal itself.
                    refuse(request, status, reasonOf(status), messageOf(status, request));
                }
            });
            ctx.next();
        });
        router.route().order(Integer.MAX_VALUE)
                .handler(ctx -> answer(ctx, refuse(ctx.request(), 404, "no-endpoint", messageOf(404, ctx.request()))));
    }

    private static void answer(RoutingContext ctx, CompletionStage<Response> refusal) {
        refusal.whenComplete((response, error) -> {
            if (error != null) {
                ctx.fail(error);
            } else if (!ctx.response().ended()) {
                ctx.response().setStatusCode(response.getStatus())
                        .putHeader("Content-Type", "text/plain;charset=UTF-8")
                        .putHeader(HookIntake.REJECTION_HEADER, response.getHeaderString(HookIntake.REJECTION_HEADER))
                        .end(String.valueOf(response.getEntity()));
            }
        });
    }

    /** Records a refusal of a request that matched no endpoint (also used by {@link UnexpectedErrors}). */
    CompletionStage<Response> refuse(HttpServerRequest request, int status, String reason, String message) {
        return refuse(request, status, reason, message, true);
    }

    /** The same, its headers recorded or, when they are what was refused, left out. */
    private CompletionStage<Response> refuse(HttpServerRequest request, int status, String reason, String message,
            boolean withHeaders) {
        String path = gate.withoutTokens(request.path());
        HookRequest anonymous = HookRequest.of(request, null, null);
        anonymous = new HookRequest(anonymous.method(), path, null, withHeaders ? anonymous.headers() : Map.of(), null,
                anonymous.remoteAddress());
        return gate.refuseUnrouted(kindOf(path), anonymous, new Rejection(status, reason, message));
    }

    /** The request's headers as HTTP/1.1 counts them: each name, ": ", its value and a line's end. */
    static long headerBytes(HttpServerRequest request) {
        long bytes = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            bytes += header.getKey().length() + header.getValue().length() + 4;
        }
        return bytes;
    }

    static String reasonOf(int status) {
        return switch (status) {
            case 404 -> "no-endpoint";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 413 -> "too-large";
            case 414, 431 -> "request-too-long";
            case 415 -> "unsupported-media-type";
            default -> "refused-" + status;
        };
    }

    String messageOf(int status, HttpServerRequest request) {
        String path = shortened(gate.withoutTokens(request.path()));
        String what = request.method().name() + " " + path;
        return switch (status) {
            case 404 -> "no endpoint for " + what + ": hooks go to /hooks/xsibackup/<token>/<success|error>,"
                    + " /hooks/retrospect/<token>, /hooks/proxmox/<token>, /ping/<uuid or token/slug> or /events";
            case 405 -> request.method().name() + " is not accepted at " + path;
            case 413 -> "the request body is larger than the gateway accepts";
            case 415 -> "content type '" + Excerpt.quoted(request.getHeader("Content-Type")) + "' is not accepted at " + path;
            default -> "refused " + what + " with status " + status;
        };
    }

    /** A path as a message names it: whole up to 200 characters, a path a scanner makes 2 MiB long is not. */
    static String shortened(String path) {
        return Excerpt.withLength(path, 200);
    }

    static SourceKind kindOf(String path) {
        String[] segments = path.split("/");
        if (segments.length > 2 && segments[1].equals("hooks")) {
            try {
                return SourceKind.valueOf(segments[2].toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return SourceKind.UNKNOWN;
            }
        }
        return segments.length > 1 && segments[1].equals("ping") ? SourceKind.PING
                : segments.length > 1 && segments[1].equals("events") ? SourceKind.CLOUDEVENTS : SourceKind.UNKNOWN;
    }
}
