package io.hookline.processor.rest;

import java.util.ArrayList;
import java.util.Comparator;
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

    public JobsResource(KafkaStreams streams) {
        this.streams = streams;
    }

    @GET
    @Operation(summary = "Every job, sorted by job key")
    @APIResponse(responseCode = "503", description = "The processor is (re)building its state; try again shortly")
    public Response jobs() {
        ReadOnlyKeyValueStore<String, JobState> store = store();
        if (store == null) {
            return notReady();
        }
        List<JobView> jobs = new ArrayList<>();
        try (KeyValueIterator<String, JobState> all = store.all()) {
            all.forEachRemaining(entry -> jobs.add(JobView.of(entry.value, false)));
        } catch (InvalidStateStoreException e) {
            return notReady();
        }
        jobs.sort(Comparator.comparing(JobView::jobKey));
        return Response.ok(jobs).build();
    }

    @GET
    @Path("{key: .+}")
    @Operation(summary = "One job with its recent runs; the key is source/job or source/host/job")
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
        return Response.ok(JobView.of(state, true)).build();
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
