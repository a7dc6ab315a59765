package io.hookline.processor.rest;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.eclipse.microprofile.openapi.annotations.Operation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.hookline.processor.retention.Forget;
import io.hookline.processor.retention.Point;
import io.hookline.processor.retention.Retention;
import io.hookline.processor.retention.Verdict;
import io.hookline.processor.rules.RetentionRule;
import io.hookline.processor.rules.Rules;
import io.hookline.processor.rules.RulesException;
import io.hookline.processor.rules.RulesFile;
import io.hookline.processor.streams.TopologyProducer;
import io.hookline.runtime.text.Excerpt;
import io.hookline.schema.JobState;

/** The prune simulator: what a policy keeps of given restore points, or of a job's real history. */
@Path("/api/retention")
@Produces(MediaType.APPLICATION_JSON)
public class RetentionResource {

    /** Restore points one simulation may hold (a million take a second in-process; see bench/). */
    static final int MAX_POINTS = 200_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaStreams streams;
    private final RulesFile rules;

    public RetentionResource(KafkaStreams streams, RulesFile rules) {
        this.streams = streams;
        this.rules = rules;
    }

    @POST
    @Path("/simulate")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "What a policy ({\"keep-daily\": 7, ...}, the keys of the rules file) keeps: of the given "
            + "restorePoints [{id, time, tags}], exactly as restic forget (or borg prune) decides; or, with \"job\", of "
            + "that job's restore points with Hookline's safety rules, beside what the policy in force keeps")
    public Response simulate(String body) {
        JsonNode request;
        try {
            request = JSON.readTree(body == null ? "" : body);
        } catch (java.io.IOException e) {
            return bad("the body is not JSON: " + e.getMessage(), List.of());
        }
        if (request == null || !request.isObject() || !request.path("policy").isObject()) {
            return bad("the body needs \"policy\": {\"keep-daily\": 7, ...} and \"restorePoints\": [...] or \"job\"",
                    List.of());
        }
        RetentionRule rule;
        try {
            rule = Rules.parseRetentionPolicy(request.get("policy").toString());
        } catch (RulesException e) {
            return bad("the policy is not valid", e.problems());
        }
        if (request.has("job") == request.has("restorePoints")) {
            return bad("give either \"restorePoints\": [{\"id\", \"time\", \"tags\"}] or \"job\": \"<job key>\"", List.of());
        }
        Instant now = Instant.now();
        if (request.has("job")) {
            return job(request.path("job").asText(), rule, now);
        }
        JsonNode given = request.get("restorePoints");
        if (!given.isArray()) {
            return bad("restorePoints must be a list of {\"id\", \"time\", \"tags\"}", List.of());
        }
        if (given.size() > MAX_POINTS) {
            return bad("at most " + MAX_POINTS + " restore points per simulation, not " + given.size(), List.of());
        }
        List<Point> points = new ArrayList<>(given.size());
        List<String> problems = new ArrayList<>();
        Map<String, String> asGiven = new HashMap<>();
        for (int i = 0; i < given.size() && problems.size() < 20; i++) {
            JsonNode point = given.get(i);
            String where = "restorePoints[" + i + "]";
            String id = point.path("id").isTextual() ? point.get("id").asText() : null;
            if (id == null || id.isEmpty() || id.length() > 512) {
                problems.add(where + ".id: a text of 1 to 512 characters is needed");
                continue;
            }
            OffsetDateTime time;
            try {
                time = OffsetDateTime.parse(point.path("time").asText());
            } catch (DateTimeParseException e) {
                problems.add(where + ".time: '" + cut(point.path("time").asText()) + "' is not a time like "
                        + "2016-01-02T15:04:05Z");
                continue;
            }
            List<String> tags = new ArrayList<>();
            if (point.has("tags")) {
                if (!point.get("tags").isArray()) {
                    problems.add(where + ".tags: a list of tags is needed");
                    continue;
                }
                point.get("tags").forEach(tag -> tags.add(tag.asText()));
            }
            points.add(new Point(id, time.toInstant(), time.getOffset(), tags));
            asGiven.put(id + "\u0000" + time.toInstant(), point.path("time").asText());
        }
        if (!problems.isEmpty()) {
            return bad("some restore points are not valid", problems);
        }
        List<Map<String, Object>> answer = new ArrayList<>(points.size());
        for (Verdict verdict : Forget.apply(rule.policy(), points, now)) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("id", verdict.id());
            entry.put("time", asGiven.getOrDefault(verdict.id() + "\u0000" + verdict.time(), verdict.time().toString()));
            entry.put("keep", verdict.keep());
            entry.put("reasons", verdict.reasons());
            answer.add(entry);
        }
        return Response.ok(answer).build();
    }

    /** A job's real restore points under the new policy, with what the policy in force decides beside it. */
    private Response job(String key, RetentionRule rule, Instant now) {
        JobState state;
        try {
            ReadOnlyKeyValueStore<String, JobState> jobs = streams.store(StoreQueryParameters.fromNameAndType(
                    TopologyProducer.JOB_STATE_STORE, QueryableStoreTypes.keyValueStore()));
            state = jobs.get(key);
        } catch (InvalidStateStoreException | IllegalStateException e) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", "2")
                    .entity(Map.of("error", "the processor's job state is not available yet; try again shortly")).build();
        }
        if (state == null) {
            return Response.status(Response.Status.NOT_FOUND)
                    .entity(Map.of("error", "no job with key '" + cut(key) + "' has sent an event")).build();
        }
        RetentionRule inForce = rules.current().retentionFor(key).orElse(null);
        Map<String, Boolean> now0 = new HashMap<>();
        Retention.decide(inForce == null ? null : inForce.policy(), inForce == null ? 0 : inForce.keepAtLeast(),
                state.getRestorePoints(), now).forEach(e -> now0.put(e.id(), e.keep()));
        List<Map<String, Object>> answer = new ArrayList<>();
        for (Retention.Entry entry : Retention.decide(rule.policy(), rule.keepAtLeast(), state.getRestorePoints(),
                now)) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("id", entry.id());
            view.put("time", entry.time().toString());
            view.put("keep", entry.keep());
            view.put("reasons", entry.reasons());
            view.put("keptNow", now0.get(entry.id()));
            view.put("changes", now0.get(entry.id()) != entry.keep());
            answer.add(view);
        }
        return Response.ok(answer).build();
    }

    private static String cut(String text) {
        return Excerpt.of(text, 101);
    }

    private static Response bad(String error, List<String> problems) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        if (!problems.isEmpty()) {
            body.put("problems", problems);
        }
        return Response.status(Response.Status.BAD_REQUEST).entity(body).build();
    }
}
