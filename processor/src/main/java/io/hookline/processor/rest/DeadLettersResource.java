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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.hookline.processor.dispatch.DeliveryPipeline;
import io.hookline.processor.api.AuditLog;
import io.hookline.runtime.text.Excerpt;
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
    @Operation(summary = "Notifications given up on, oldest first, a page at a time: ?limit= (default 500, at most"
            + " 1000), the next page from the Link header; X-Total-Count says how many match. ?receiver= for one"
            + " receiver's")
    public Response list(@QueryParam("receiver") String receiver, @QueryParam("limit") String limitText,
            @QueryParam("after") String after) {
        Integer limit = JobQuery.pageSize(limitText, AlertsResource.DEFAULT_PAGE);
        if (limit == null) {
            return Response.status(Response.Status.BAD_REQUEST).entity(Map.of("error", JobQuery.badPageSize(limitText)))
                    .build();
        }
        int size = limit;
        Position cursor = after == null ? null : Position.parse(after);
        if (after != null && cursor == null) {
            return Response.status(Response.Status.BAD_REQUEST).entity(Map.of("error", "after must be the cursor a"
                    + " Link header gives (the epoch milliseconds a dead letter was given up on, ':', its notification"
                    + " id), not '" + Excerpt.quoted(after) + "'")).build();
        }
        List<DeadLetter> matching = delivery.deadLetters().stream()
                .filter(dead -> receiver == null || receiver.equals(dead.getReceiver())).toList();
        List<DeadLetter> page = matching.stream()
                .filter(dead -> cursor == null || Position.of(dead).compareTo(cursor) > 0)
                .limit(size + 1L).toList();
        boolean more = page.size() > size;
        page = more ? page.subList(0, size) : page;
        Response.ResponseBuilder response = Response.ok(page.stream().map(DeadLettersResource::view).toList())
                .header("X-Total-Count", matching.size());
        if (more) {
            StringBuilder next = new StringBuilder("</api/dead-letters?limit=").append(size).append("&after=")
                    .append(encode(Position.of(page.get(page.size() - 1)).cursor()));
            if (receiver != null) {
                next.append("&receiver=").append(encode(receiver));
            }
            response.header("Link", next.append(">; rel=\"next\"").toString());
        }
        return response.build();
    }

    /** Where a dead letter stands in the list: given up on first, first; then by notification id. */
    record Position(long deadAt, String notificationId) implements Comparable<Position> {

        static Position of(DeadLetter dead) {
            return new Position(dead.getDeadAt().toEpochMilli(), dead.getNotificationId());
        }

        static Position parse(String cursor) {
            String[] parts = cursor.split(":", 2);
            try {
                return parts.length == 2 && !parts[1].isEmpty() && cursor.length() <= 2_100
                        ? new Position(Long.parseLong(parts[0]), parts[1]) : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }

        String cursor() {
            return deadAt + ":" + notificationId;
        }

        @Override
        public int compareTo(Position other) {
            int byTime = Long.compare(deadAt, other.deadAt);
            return byTime != 0 ? byTime : notificationId.compareTo(other.notificationId);
        }
    }

    private static String encode(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    @POST
    @Path("replay")
    @Operation(summary = "Send every dead letter again (?receiver= for one receiver's), oldest first, each with its"
            + " own idempotency key; answers how many will go. For after a receiver's outage")
    public Response replayAll(@QueryParam("receiver") String receiver) {
        if (receiver != null && delivery.receiver(receiver).isEmpty()) {
            audit.record(current.getCurrent(), "dead-letter.replay-all", receiver, Map.of(), 404);
            return Response.status(Response.Status.NOT_FOUND).entity(Map.of("error", "no receiver '"
                    + Excerpt.quoted(receiver) + "' in the rules")).build();
        }
        int replaying = delivery.replayAll(receiver);
        audit.record(current.getCurrent(), "dead-letter.replay-all", receiver == null ? "*" : receiver,
                Map.of("replaying", replaying), 202);
        return Response.accepted(Map.of("replaying", replaying)).build();
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
