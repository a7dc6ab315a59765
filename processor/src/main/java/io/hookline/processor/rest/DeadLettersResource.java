package io.hookline.processor.rest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.hookline.processor.dispatch.DeliveryPipeline;
import io.hookline.processor.api.AuditLog;
import io.hookline.schema.DeadLetter;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;

/** The notifications Hookline gave up on (hookline.dead-letters), and their replay. */
@Path("/api/dead-letters")
@Produces(MediaType.APPLICATION_JSON)
public class DeadLettersResource {

    private final DeliveryPipeline delivery;
    private final AuditLog audit;
    private final CurrentVertxRequest current;

    public DeadLettersResource(DeliveryPipeline delivery, AuditLog audit, CurrentVertxRequest current) {
        this.delivery = delivery;
        this.audit = audit;
        this.current = current;
    }

    @GET
    @Operation(summary = "Notifications given up on, oldest first")
    public List<Map<String, Object>> list() {
        return delivery.deadLetters().stream().map(DeadLettersResource::view).toList();
    }

    @POST
    @Path("{notificationId}/replay")
    @Operation(summary = "Send a dead letter again (same idempotency key); it leaves the list once delivered")
    public Response replay(@PathParam("notificationId") String notificationId) throws Exception {
        boolean replaying = delivery.replay(notificationId);
        audit.record(current.getCurrent(), "dead-letter.replay", notificationId, Map.of(), replaying ? 202 : 404);
        if (!replaying) {
            return Response.status(Response.Status.NOT_FOUND).entity(Map.of("error", "no dead letter '" + notificationId
                    + "' whose receiver is still in the rules")).build();
        }
        return Response.accepted(Map.of("replaying", notificationId)).build();
    }

    static Map<String, Object> view(DeadLetter dead) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("notificationId", dead.getNotificationId());
        view.put("receiver", dead.getReceiver());
        view.put("channel", dead.getChannel());
        view.put("alertKey", dead.getAlert().getAlertKey());
        view.put("alertStatus", dead.getAlert().getStatus().name().toLowerCase(Locale.ROOT));
        view.put("summary", dead.getAlert().getSummary());
        view.put("groupKey", dead.getGroupKey() == null ? dead.getAlert().getAlertKey() : dead.getGroupKey());
        view.put("alertKeys", dead.getAlerts().isEmpty() ? List.of(dead.getAlert().getAlertKey())
                : dead.getAlerts().stream().map(io.hookline.schema.AlertEvent::getAlertKey).toList());
        view.put("attempts", dead.getAttempts());
        view.put("lastStatus", dead.getLastStatus());
        view.put("lastMessage", dead.getLastMessage());
        view.put("deadAt", dead.getDeadAt().toString());
        view.put("replays", dead.getReplays());
        if (dead.getCommand() != null) {
            // A chain's webhook action: which command, of which rule, for which job.
            view.put("command", Map.of("commandId", dead.getCommand().getCommandId(), "rule",
                    dead.getCommand().getCause().getRule(), "jobKey", dead.getCommand().getJobKey()));
        }
        return view;
    }
}
