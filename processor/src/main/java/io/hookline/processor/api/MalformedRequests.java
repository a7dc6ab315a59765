package io.hookline.processor.api;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.hookline.runtime.http.RequestTargets;
import io.vertx.ext.web.Router;

/**
 * A request whose URI Java cannot parse is refused before anything else reads it (the operators' check included,
 * so that no lenient reading of a malformed path decides who may call what), with a sentence saying what was
 * wrong and where; never the URI itself, which may hold a token. So is an API path longer than any the API has.
 */
@ApplicationScoped
public class MalformedRequests {

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * The longest API path taken: a job key is at most 2,048 characters, and the routes with a key in the middle
     * ({key}/retention, {key}/restore-points/{id}/pin) are matched by patterns whose cost grows with the square of
     * the path, on an event loop: 0.4 s for 10,000 characters, 6.7 s for 40,000.
     */
    static final int MAX_API_PATH = 4_096;

    void routes(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String malformed = RequestTargets.malformation(ctx.request().uri());
            if (malformed != null) {
                refuse(ctx, 400, "the request's URI cannot be parsed: " + malformed + "; percent-encode it");
                return;
            }
            String path = ctx.request().path();
            if (path != null && path.length() > MAX_API_PATH && path.startsWith("/api/")) {
                refuse(ctx, 414, "the path is " + path.length() + " characters long; the API takes paths of up to "
                        + MAX_API_PATH + " (a job key is at most 2048 characters)");
                return;
            }
            ctx.next();
        });
    }

    private static void refuse(io.vertx.ext.web.RoutingContext ctx, int status, String sentence) {
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                    .end(JSON.writeValueAsString(Map.of("error", sentence)));
        } catch (JsonProcessingException e) {
            ctx.fail(e);
        }
    }
}
