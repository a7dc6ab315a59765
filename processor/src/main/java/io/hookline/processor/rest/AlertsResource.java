package io.hookline.processor.rest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.eclipse.microprofile.openapi.annotations.Operation;

import io.hookline.processor.alerts.AlertLogic;
import io.hookline.processor.alerts.AlertOrder;
import io.hookline.processor.alerts.AlertReactor;
import io.hookline.processor.alerts.FiringAlerts;
import io.hookline.runtime.text.Excerpt;
import io.hookline.schema.AlertCondition;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.AlertStatus;

/**
 * The alerts as the processor holds them: firing ones first, then resolved ones of the last 7 days, a page at a time
 * (an outage can fire one for every job).
 */
@Path("/api/alerts")
@Produces(MediaType.APPLICATION_JSON)
public class AlertsResource {

    private final io.hookline.processor.rules.RulesFile rules;

    /** An alert as the API shows it. */
    public record AlertView(String alertKey, String status, String condition, String severity, String jobKey,
            String host, String summary, Instant startsAt, Instant endsAt, Instant updatedAt, long sequence,
            List<String> eventIds, String silencedBy) {

        static AlertView of(AlertEvent alert, String silencedBy) {
            return new AlertView(alert.getAlertKey(), lower(alert.getStatus().name()), lower(alert.getCondition().name()),
                    lower(alert.getSeverity().name()), alert.getJobKey(), alert.getHost(), alert.getSummary(),
                    alert.getStartsAt(), alert.getEndsAt(), alert.getUpdatedAt(), alert.getSequence(), alert.getEventIds(),
                    silencedBy);
        }

        private static String lower(String name) {
            return name.toLowerCase(Locale.ROOT);
        }
    }

    private final KafkaStreams streams;
    private final io.hookline.processor.silences.Silences silences;
    private final Peers peers;
    private final FiringAlerts firing;
    /** Alerts a page holds unless ?limit= says otherwise. */
    static final int DEFAULT_PAGE = 500;

    public AlertsResource(KafkaStreams streams, io.hookline.processor.silences.Silences silences,
            io.hookline.processor.rules.RulesFile rules, Peers peers, FiringAlerts firing) {
        this.firing = firing;
        this.rules = rules;
        this.peers = peers;
        this.streams = streams;
        this.silences = silences;
    }

    @GET
    @Operation(summary = "Alerts, firing ones first, the latest change first, a page at a time: ?limit= (default 500,"
            + " at most 1000), the next page from the Link header; X-Total-Count says how many match. ?status=firing or"
            + " ?status=resolved to filter, ?group=<group key> for the alerts of one message (what a notification links"
            + " to), ?job=<job key> for one job's; silencedBy names a muting silence")
    public Response alerts(@QueryParam("status") String status, @QueryParam("group") String group,
            @QueryParam("job") String job, @QueryParam("limit") String limitText, @QueryParam("after") String after) {
        if (status != null && !List.of("firing", "resolved").contains(status)) {
            return Response.status(Response.Status.BAD_REQUEST)
                    .entity(Map.of("error", "status must be firing or resolved, not '" + status + "'")).build();
        }
        if (group != null && group.length() > 2_048) {
            return Response.status(Response.Status.BAD_REQUEST)
                    .entity(Map.of("error", "group is " + group.length() + " characters long; a group key is at most 2048"))
                    .build();
        }
        if (job != null && job.length() > 2_048) {
            return Response.status(Response.Status.BAD_REQUEST)
                    .entity(Map.of("error", "job is " + job.length() + " characters long; a job key is at most 2048"))
                    .build();
        }
        Integer limit = JobQuery.pageSize(limitText, DEFAULT_PAGE);
        if (limit == null) {
            return Response.status(Response.Status.BAD_REQUEST).entity(Map.of("error", JobQuery.badPageSize(limitText)))
                    .build();
        }
        int size = limit;
        AlertOrder cursor = null;
        if (after != null) {
            cursor = after.length() > 2_100 ? null : AlertOrder.parse(after);
            if (cursor == null) {
                return Response.status(Response.Status.BAD_REQUEST).entity(Map.of("error", "after must be the cursor"
                        + " a Link header gives (f: or r:, the epoch milliseconds of a change, ':', an alert key), not '"
                        + Excerpt.quoted(after) + "'")).build();
            }
        }
        Peers.Gathering elsewhere = peers.gatherLater(AlertReactor.STORE);
        // The first alerts after the cursor, never more than a page of them in memory however many there are.
        java.util.TreeMap<AlertOrder, AlertEvent> page = new java.util.TreeMap<>();
        long total = 0;
        try {
            ReadOnlyKeyValueStore<String, AlertEvent> store = streams.store(StoreQueryParameters.fromNameAndType(
                    AlertReactor.STORE, QueryableStoreTypes.keyValueStore()));
            if (job != null) {
                // A job's alerts are under its key and a condition's suffix: read those, not every alert.
                List<AlertEvent> ofJob = new ArrayList<>();
                for (AlertCondition condition : AlertCondition.values()) {
                    AlertEvent alert = store.get(AlertLogic.key(job, condition));
                    if (alert != null && job.equals(alert.getJobKey())) {
                        ofJob.add(alert);
                    }
                }
                total = take(ofJob.iterator(), status, group, cursor, size, page);
            } else if ("firing".equals(status) && group == null) {
                // The open alerts are kept in the list's order as they change: only the page is read.
                total = firing.count();
                for (AlertOrder place : firing.first(cursor, size + 1)) {
                    AlertEvent alert = store.get(place.alertKey());
                    // Resolved since the list was read: left out, as it would be a moment later.
                    if (FiringAlerts.isOpen(alert)) {
                        page.put(AlertOrder.of(alert), alert);
                    }
                }
            } else {
                try (KeyValueIterator<String, AlertEvent> all = store.all()) {
                    total = take(new java.util.Iterator<>() {
                        @Override
                        public boolean hasNext() {
                            return all.hasNext();
                        }

                        @Override
                        public AlertEvent next() {
                            return all.next().value;
                        }
                    }, status, group, cursor, size, page);
                }
            }
        } catch (InvalidStateStoreException | IllegalStateException e) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", "2")
                    .entity(Map.of("error", "the processor's alert state is not available (Kafka Streams is "
                            + streams.state() + "); try again in a few seconds"))
                    .build();
        }
        boolean more = page.size() > size;
        if (more) {
            page.pollLastEntry();
        }
        Instant now = Instant.now();
        List<AlertView> views = new ArrayList<>(page.size());
        page.values().forEach(alert -> views.add(AlertView.of(alert, alert.getStatus() == AlertStatus.RESOLVED ? null
                : silences.muting(alert, now).map(io.hookline.schema.Silence::getId).orElse(null))));
        AlertOrder last = page.isEmpty() ? null : page.lastKey();
        List<Peers.Answer> answers;
        try {
            answers = elsewhere.answers();
        } catch (Peers.Unreachable e) {
            return Peers.unreachable(e.getMessage());
        }
        Object body = views;
        if (!answers.isEmpty()) {
            Peers.Page merged = peers.merge(views, total, more, answers, size,
                    Comparator.comparing((com.fasterxml.jackson.databind.JsonNode alert) -> AlertOrder.of(alert)));
            total = merged.total();
            more = merged.more();
            last = merged.items().isEmpty() ? null : AlertOrder.of(merged.items().get(merged.items().size() - 1));
            body = merged.items();
        }
        Response.ResponseBuilder response = Response.ok(body).header("X-Total-Count", total);
        if (more && last != null) {
            response.header("Link", "</api/alerts?" + nextQuery(size, last, status, group, job) + ">; rel=\"next\"");
        }
        return response.build();
    }

    /**
     * Of {@code alerts}, those that pass the filters counted, and the first {@code size + 1} after the cursor put into
     * {@code page}: never more than that in memory however many there are.
     */
    private long take(java.util.Iterator<AlertEvent> alerts, String status, String group, AlertOrder cursor, int size,
            java.util.TreeMap<AlertOrder, AlertEvent> page) {
        long total = 0;
        while (alerts.hasNext()) {
            AlertEvent alert = alerts.next();
            boolean resolved = alert.getStatus() == AlertStatus.RESOLVED;
            if ((status != null && status.equals("resolved") != resolved) || (group != null && !inGroup(alert, group))) {
                continue;
            }
            total++;
            AlertOrder at = AlertOrder.of(alert);
            if (cursor != null && at.compareTo(cursor) <= 0) {
                continue;
            }
            page.put(at, alert);
            if (page.size() > size + 1) {
                page.pollLastEntry();
            }
        }
        return total;
    }

    /** The request's filters, with the page's size and the cursor after its last alert. */
    private static String nextQuery(int size, AlertOrder last, String... filters) {
        StringBuilder next = new StringBuilder("limit=").append(size).append("&after=").append(encode(last.cursor()));
        String[] names = {"status", "group", "job"};
        for (int i = 0; i < names.length; i++) {
            if (filters[i] != null) {
                next.append('&').append(names[i]).append('=').append(encode(filters[i]));
            }
        }
        return next.toString();
    }

    private static String encode(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Whether an alert is in the group a message was about, at any of the receivers its routes choose. */
    private boolean inGroup(AlertEvent alert, String group) {
        return alert.getAlertKey().equals(group) || rules.current().targetsFor(alert).stream()
                .anyMatch(t -> t.grouping().groupKey(t.receiver().name(), alert).equals(group));
    }
}
