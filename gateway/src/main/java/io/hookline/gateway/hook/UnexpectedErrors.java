package io.hookline.gateway.hook;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.hookline.gateway.envelope.EventIds;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.mutiny.Uni;

/**
 * What the endpoints refuse before a hook handler runs (no such method or path under an endpoint, a content type
 * it does not take) is answered with a sentence naming what was wrong and recorded on hookline.rejected. A bug
 * must not leak a token: Quarkus's default handler logs the full request URL, and hook URLs carry the source's
 * token, so a 500 is answered with an error id and logged without the URL.
 */
public class UnexpectedErrors {

    private static final Logger LOG = Logger.getLogger(UnexpectedErrors.class);

    private final UnroutedRequests unrouted;
    private final CurrentVertxRequest current;

    public UnexpectedErrors(UnroutedRequests unrouted, CurrentVertxRequest current) {
        this.unrouted = unrouted;
        this.current = current;
    }

    @ServerExceptionMapper
    public Uni<Response> map(Throwable error) {
        if (error instanceof WebApplicationException web && web.getResponse().getStatus() < 500) {
            int status = web.getResponse().getStatus();
            var request = current.getCurrent().request();
            return Uni.createFrom().completionStage(unrouted.refuse(request, status, UnroutedRequests.reasonOf(status),
                    unrouted.messageOf(status, request)));
        }
        String id = EventIds.random();
        LOG.errorf(error, "unexpected error %s while handling a hook", id);
        return Uni.createFrom().item(Response.serverError()
                .entity("hookline: internal error " + id + "; the hook was not processed").type(MediaType.TEXT_PLAIN).build());
    }
}
