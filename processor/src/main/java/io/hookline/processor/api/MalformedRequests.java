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
 * wrong and where; never the URI itself, which may hold a token.
 */
@ApplicationScoped
public class MalformedRequests {

    private static final ObjectMapper JSON = new ObjectMapper();

    void routes(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String malformed = RequestTargets.malformation(ctx.request().uri());
            if (malformed == null) {
                ctx.next();
                return;
            }
            try {
                ctx.response().setStatusCode(400).putHeader("Content-Type", "application/json")
                        .end(JSON.writeValueAsString(Map.of("error", "the request's URI cannot be parsed: " + malformed
                                + "; percent-encode it")));
            } catch (JsonProcessingException e) {
                ctx.fail(e);
            }
        });
    }
}
