package io.hookline.processor.rest;

import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.hookline.processor.ProcessorConfig;
import io.hookline.schema.QuarantinedEvent;
import io.hookline.runtime.topics.CompactedTopicView;
import io.hookline.schema.topics.Topics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/** The events the processor could not fold and set aside (hookline.quarantine), newest first. */
@Path("/api/quarantine")
@Produces(MediaType.APPLICATION_JSON)
@ApplicationScoped
public class QuarantineResource {

    private CompactedTopicView<QuarantinedEvent> quarantined;

    void onStart(@Observes StartupEvent start, ProcessorConfig config,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        // The newest only: a fold that fails on every event would otherwise bring the whole topic (90 days of it)
        // into memory; the topic keeps every one.
        quarantined = CompactedTopicView.newest(new Topics(config.topics().prefix()).quarantine(), QuarantinedEvent.class,
                kafkaConfig, new CompactedTopicView.Bound<>(config.quarantine().listed(),
                        config.quarantine().listedBytes().asLongValue(), QuarantinedEvent::getQuarantinedAt, false,
                        (key, event) -> { }));
    }

    void onStop(@Observes ShutdownEvent stop) {
        if (quarantined != null) {
            quarantined.close();
        }
    }

    @GET
    @Operation(summary = "Events set aside because they could not be folded, newest first (the newest"
            + " hookline.quarantine.listed, 1000 unless set); X-Total-Count says how many hookline.quarantine holds."
            + " Every other job goes on")
    public jakarta.ws.rs.core.Response list() {
        List<Map<String, Object>> listed = quarantined.values().stream()
                .sorted(Comparator.comparing(QuarantinedEvent::getQuarantinedAt).reversed())
                .map(QuarantineResource::view).toList();
        return jakarta.ws.rs.core.Response.ok(listed)
                .header("X-Total-Count", Math.max(listed.size(), quarantined.valuesRead())).build();
    }

    static Map<String, Object> view(QuarantinedEvent event) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("quarantineId", event.getQuarantineId());
        view.put("quarantinedAt", event.getQuarantinedAt().toString());
        view.put("jobKey", event.getKey());
        view.put("eventId", event.getEventId());
        view.put("stage", event.getStage());
        view.put("error", event.getError());
        view.put("offset", event.getOffset());
        view.put("partition", event.getPartition());
        view.put("valueBytes", event.getValueBytes());
        if (event.getValue() != null) {
            java.nio.ByteBuffer value = event.getValue().duplicate();
            byte[] bytes = new byte[value.remaining()];
            value.get(bytes);
            view.put("valueBase64", Base64.getEncoder().encodeToString(bytes));
        }
        return view;
    }
}
