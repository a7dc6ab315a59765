package io.hookline.gateway.ping;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.hookline.gateway.GatewayConfig;
import io.hookline.schema.JobState;
import io.hookline.schema.topics.CompactedTopicView;
import io.hookline.schema.topics.Topics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * The jobs that exist, so that a ping to an unknown slug is refused unless it says {@code ?create=1}, as
 * Healthchecks does. The gateway keeps no state of its own: it follows the compacted hookline.job-state topic, and
 * remembers what it created itself until the processor has folded it.
 */
@ApplicationScoped
public class KnownJobs {

    private final Set<String> created = ConcurrentHashMap.newKeySet();
    private CompactedTopicView<JobState> jobs;

    public boolean contains(String jobKey) {
        return created.contains(jobKey) || (jobs != null && jobs.get(jobKey).isPresent());
    }

    public void remember(String jobKey) {
        created.add(jobKey);
    }

    void onStart(@Observes StartupEvent start, GatewayConfig config,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        jobs = new CompactedTopicView<>(new Topics(config.topics().prefix()).jobState(), JobState.class,
                new HashMap<>(kafkaConfig));
    }

    void onStop(@Observes ShutdownEvent stop) {
        if (jobs != null) {
            jobs.close();
        }
    }
}
