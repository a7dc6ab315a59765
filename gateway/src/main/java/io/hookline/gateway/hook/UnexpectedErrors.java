package io.hookline.gateway.hook;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.hookline.gateway.envelope.EventIds;

/**
 * A bug must not leak a token: Quarkus's default handler logs the full request URL, and hook URLs carry the
 * source's token. This answers 500 with an error id and logs the error without the URL.
 */
public class UnexpectedErrors {

    private static final Logger LOG = Logger.getLogger(UnexpectedErrors.class);

    @ServerExceptionMapper
    public Response map(Throwable error) {
        if (error instanceof WebApplicationException web && web.getResponse().getStatus() < 500) {
            return Response.status(web.getResponse().getStatus())
                    .entity("hookline: " + Response.Status.fromStatusCode(web.getResponse().getStatus()).getReasonPhrase())
                    .type(MediaType.TEXT_PLAIN).build();
        }
        String id = EventIds.random();
        LOG.errorf(error, "unexpected error %s while handling a hook", id);
        return Response.serverError().entity("hookline: internal error " + id + "; the hook was not processed")
                .type(MediaType.TEXT_PLAIN).build();
    }
}
