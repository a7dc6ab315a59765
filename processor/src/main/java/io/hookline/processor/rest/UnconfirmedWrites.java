package io.hookline.processor.rest;

import java.util.Map;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.hookline.runtime.topics.CompactedTopicView;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;

/**
 * An operator's change that Kafka did not acknowledge in time (a silence created or ended, a dead letter replayed while
 * the broker stalls or is away) is answered 503 with Retry-After and a sentence saying what was not done and why, not
 * a bare 500. Kafka may still append a record it received before it stopped answering, so the sentence says to look
 * before trying again: a second silence would be a second one.
 */
public class UnconfirmedWrites {

    private static final Logger LOG = Logger.getLogger(UnconfirmedWrites.class);
    static final String RETRY_AFTER_SECONDS = "10";

    private final CurrentVertxRequest current;

    public UnconfirmedWrites(CurrentVertxRequest current) {
        this.current = current;
    }

    @ServerExceptionMapper
    public Response map(CompactedTopicView.NotConfirmed error) {
        var request = current.getCurrent().request();
        LOG.warnf("%s %s not confirmed: %s", request.method(), request.path(), error.getMessage());
        return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", RETRY_AFTER_SECONDS)
                .type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", "not confirmed: " + error.getMessage() + ". Kafka may still write it once it"
                        + " answers again: look before you try again" + (creatingASilence(request.method().name(),
                                request.path()) ? " (sent again with the same Idempotency-Key, a silence is made once)" : "")))
                .build();
    }

    private static boolean creatingASilence(String method, String path) {
        return method.equals("POST") && (path.equals("/api/silences") || path.equals("/api/silences/"));
    }
}
