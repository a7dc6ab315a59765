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

import io.hookline.processor.alerts.AlertReactor;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.AlertStatus;

/** The alerts as the processor holds them: firing ones first, then resolved ones of the last 7 days. */
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

    public AlertsResource(KafkaStreams streams, io.hookline.processor.silences.Silences silences,
            io.hookline.processor.rules.RulesFile rules, Peers peers) {
        this.rules = rules;
        this.peers = peers;
        this.streams = streams;
        this.silences = silences;
    }

    @GET
    @Operation(summary = "Alerts; ?status=firing or ?status=resolved to filter, ?group=<group key> for the alerts of"
            + " one message (what a notification links to), ?job=<job key> for one job's; silencedBy names a muting silence")
    public Response alerts(@QueryParam("status") String status, @QueryParam("group") String group,
            @QueryParam("job") String job) {
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
        List<AlertView> views = new ArrayList<>();
        try {
            ReadOnlyKeyValueStore<String, AlertEvent> store = streams.store(StoreQueryParameters.fromNameAndType(
                    AlertReactor.STORE, QueryableStoreTypes.keyValueStore()));
            try (KeyValueIterator<String, AlertEvent> all = store.all()) {
                all.forEachRemaining(entry -> {
                    boolean resolved = entry.value.getStatus() == AlertStatus.RESOLVED;
                    if ((status == null || status.equals("resolved") == resolved)
                            && (group == null || inGroup(entry.value, group))
                            && (job == null || job.equals(entry.value.getJobKey()))) {
                        views.add(AlertView.of(entry.value, resolved ? null : silences.muting(entry.value, Instant.now())
                                .map(io.hookline.schema.Silence::getId).orElse(null)));
                    }
                });
            }
        } catch (InvalidStateStoreException | IllegalStateException e) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", "2")
                    .entity(Map.of("error", "the processor's alert state is not available (Kafka Streams is "
                            + streams.state() + "); try again in a few seconds"))
                    .build();
        }
        views.sort(Comparator.comparing((AlertView v) -> v.status().equals("resolved"))
                .thenComparing(AlertView::updatedAt, Comparator.reverseOrder()));
        List<Peers.Answer> answers;
        try {
            answers = peers.gather(AlertReactor.STORE);
        } catch (Peers.Unreachable e) {
            return Peers.unreachable(e.getMessage());
        }
        if (answers.isEmpty()) {
            return Response.ok(views).build();
        }
        // Every instance's alerts, in the same order: firing first, the latest change first.
        List<com.fasterxml.jackson.databind.JsonNode> merged = new ArrayList<>();
        peers.tree(views).forEach(merged::add);
        answers.forEach(answer -> answer.body().forEach(merged::add));
        merged.sort(Comparator.comparing((com.fasterxml.jackson.databind.JsonNode v) -> v.path("status").asText()
                .equals("resolved")).thenComparing(v -> Instant.parse(v.path("updatedAt").asText()),
                        Comparator.reverseOrder()));
        return Response.ok(merged).build();
    }

    /** Whether an alert is in the group a message was about, at any of the receivers its routes choose. */
    private boolean inGroup(AlertEvent alert, String group) {
        return alert.getAlertKey().equals(group) || rules.current().targetsFor(alert).stream()
                .anyMatch(t -> t.grouping().groupKey(t.receiver().name(), alert).equals(group));
    }
}
