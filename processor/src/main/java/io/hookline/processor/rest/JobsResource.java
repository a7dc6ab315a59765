package io.hookline.processor.rest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import io.hookline.processor.streams.TopologyProducer;
import io.hookline.schema.JobState;

/** Every job's state, read from the Kafka Streams state store. */
@Path("/api/jobs")
@Produces(MediaType.APPLICATION_JSON)
public class JobsResource {

    private final KafkaStreams streams;
    private final io.hookline.processor.rules.RulesFile rules;

    public JobsResource(KafkaStreams streams, io.hookline.processor.rules.RulesFile rules) {
        this.streams = streams;
        this.rules = rules;
    }

    /** A page holds at most this many jobs; the Link header names the next page. */
    static final int MAX_PAGE = 1000;

    @GET
    @Operation(summary = "Jobs sorted by job key, a page at a time: ?limit= (default 500, at most 1000) and ?after=<job key>"
            + " from the Link header's next page; X-Total-Count says how many jobs there are")
    @APIResponse(responseCode = "503", description = "The processor is (re)building its state; try again shortly")
    public Response jobs(@jakarta.ws.rs.QueryParam("limit") Integer limit, @jakarta.ws.rs.QueryParam("after") String after) {
        int size = limit == null ? 500 : limit;
        if (size < 1 || size > MAX_PAGE) {
            return Response.status(Response.Status.BAD_REQUEST).entity(java.util.Map.of("error",
                    "limit must be from 1 to " + MAX_PAGE + ", not " + size)).build();
        }
        if (after != null && after.length() > 2_048) {
            return Response.status(Response.Status.BAD_REQUEST).entity(java.util.Map.of("error",
                    "after is " + after.length() + " characters long; a job key is at most 2048")).build();
        }
        ReadOnlyKeyValueStore<String, JobState> store = store();
        if (store == null) {
            return notReady();
        }
        // The smallest keys after the cursor, never more than a page in memory however many jobs there are.
        java.util.TreeMap<String, JobState> page = new java.util.TreeMap<>();
        long total = 0;
        try (KeyValueIterator<String, JobState> all = store.all()) {
            while (all.hasNext()) {
                var entry = all.next();
                total++;
                if (after != null && entry.key.compareTo(after) <= 0) {
                    continue;
                }
                page.put(entry.key, entry.value);
                if (page.size() > size + 1) {
                    page.pollLastEntry();
                }
            }
        } catch (InvalidStateStoreException e) {
            return notReady();
        }
        boolean more = page.size() > size;
        if (more) {
            page.pollLastEntry();
        }
        List<JobView> jobs = new ArrayList<>(page.size());
        page.values().forEach(state -> jobs.add(JobView.of(state, false)));
        Response.ResponseBuilder response = Response.ok(jobs).header("X-Total-Count", total);
        if (more) {
            response.header("Link", "</api/jobs?limit=" + size + "&after="
                    + java.net.URLEncoder.encode(page.lastKey(), java.nio.charset.StandardCharsets.UTF_8) + ">; rel=\"next\"");
        }
        return response.build();
    }

    @GET
    @Path("{key: .+}")
    @Operation(summary = "One job with its recent runs, the chained commands addressed to it (commands) and those its "
            + "runs triggered (triggered); the key is source/job or source/host/job")
    @APIResponse(responseCode = "404", description = "No event has been seen for this job key")
    public Response job(@PathParam("key") String key) {
        ReadOnlyKeyValueStore<String, JobState> store = store();
        if (store == null) {
            return notReady();
        }
        JobState state;
        try {
            state = store.get(key);
        } catch (InvalidStateStoreException e) {
            return notReady();
        }
        if (state == null) {
            return Response.status(Response.Status.NOT_FOUND)
                    .entity(Map.of("error", "no job with key '" + key + "' has sent an event")).build();
        }
        JobView view = JobView.of(state, true);
        try {
            List<CommandView> triggered = new ArrayList<>();
            for (io.hookline.schema.Command command : CommandsResource.issued(streams)) {
                if (command.getCause().getUpstream().stream().anyMatch(u -> u.getJobKey().equals(key))) {
                    triggered.add(CommandsResource.view(command, store));
                }
            }
            triggered.sort(java.util.Comparator.comparing(CommandView::createdAt).reversed());
            if (!triggered.isEmpty()) {
                view = view.withTriggered(triggered.size() > 50 ? triggered.subList(0, 50) : triggered);
            }
        } catch (InvalidStateStoreException | IllegalStateException e) {
            // The job's own state is shown; what it triggered is in /api/commands?job= once the stores are back.
        }
        return Response.ok(view).build();
    }

    @GET
    @Path("{key: .+}/retention")
    @Operation(summary = "A job's restore points under its retention policy: keep or prune each, and why (for a pruned "
            + "one, what would keep it were it newer), the policy in force, the prunes pending")
    @APIResponse(responseCode = "404", description = "No event has been seen for this job key")
    public Response retention(@PathParam("key") String key) {
        ReadOnlyKeyValueStore<String, JobState> store = store();
        if (store == null) {
            return notReady();
        }
        JobState state;
        try {
            state = store.get(key);
        } catch (InvalidStateStoreException e) {
            return notReady();
        }
        if (state == null) {
            return Response.status(Response.Status.NOT_FOUND)
                    .entity(Map.of("error", "no job with key '" + key + "' has sent an event")).build();
        }
        var rule = rules.current().retentionFor(key).orElse(null);
        Map<String, Object> view = new java.util.LinkedHashMap<>();
        view.put("jobKey", key);
        view.put("policy", rule == null ? null : RetentionView.of(rule));
        view.put("restorePoints", io.hookline.processor.retention.Retention.decide(rule, state.getRestorePoints(),
                java.time.Instant.now()));
        view.put("restorePointsDropped", state.getRestorePointsDropped());
        // Prunes are not sent yet (enforce: true is refused): none is ever pending.
        view.put("pendingPrunes", List.of());
        return Response.ok(view).build();
    }

    private ReadOnlyKeyValueStore<String, JobState> store() {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(TopologyProducer.JOB_STATE_STORE,
                    QueryableStoreTypes.keyValueStore()));
        } catch (InvalidStateStoreException | IllegalStateException e) {
            return null;
        }
    }

    private Response notReady() {
        return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", "2")
                .entity(Map.of("error", "the processor's job state is not available (Kafka Streams is "
                        + streams.state() + "); try again in a few seconds, and see /q/health if it lasts"))
                .build();
    }
}
