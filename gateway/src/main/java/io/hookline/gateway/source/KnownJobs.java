package io.hookline.gateway.source;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.hookline.gateway.GatewayConfig;
import io.hookline.schema.JobState;
import io.hookline.runtime.topics.CompactedTopicView;
import io.hookline.schema.topics.Topics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * The jobs that exist, per source: a ping to an unknown slug is refused unless it says {@code ?create=1} (as
 * Healthchecks does), and no source may create more than its {@code max-jobs}, so that one token cannot grow the
 * state without end. The gateway keeps no state of its own: it follows the compacted hookline.job-state topic,
 * and remembers what it admitted itself until the processor has folded it.
 */
@ApplicationScoped
public class KnownJobs {

    private final Map<String, Set<String>> bySource = new ConcurrentHashMap<>();
    private CompactedTopicView<JobState> jobs;

    public boolean contains(String jobKey) {
        return keysOf(sourceOf(jobKey)).contains(jobKey);
    }

    /** How many jobs the source has. */
    public int count(String sourceName) {
        return keysOf(sourceName).size();
    }

    /**
     * Admits the job: true when it exists or was added within the cap, false when the source already has
     * {@code maxJobs} jobs and this one is new.
     */
    public boolean admit(String sourceName, String jobKey, int maxJobs) {
        Set<String> keys = keysOf(sourceName);
        if (keys.contains(jobKey)) {
            return true;
        }
        synchronized (keys) {
            if (keys.size() >= maxJobs && !keys.contains(jobKey)) {
                return false;
            }
            keys.add(jobKey);
            return true;
        }
    }

    public void remember(String jobKey) {
        keysOf(sourceOf(jobKey)).add(jobKey);
    }

    private Set<String> keysOf(String sourceName) {
        return bySource.computeIfAbsent(sourceName, s -> ConcurrentHashMap.newKeySet());
    }

    /** A job key starts with its source's name: {@code source/job} or {@code source/host/job}. */
    private static String sourceOf(String jobKey) {
        int slash = jobKey.indexOf('/');
        return slash < 0 ? jobKey : jobKey.substring(0, slash);
    }

    void onStart(@Observes StartupEvent start, GatewayConfig config,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        // Only the keys are read: a job's state (its runs, its restore points) is the processor's business, and
        // decoding each state the processor writes would cost the gateway CPU on every hook.
        jobs = CompactedTopicView.followKeys(new Topics(config.topics().prefix()).jobState(), JobState.class,
                new HashMap<>(kafkaConfig), (key, written) -> {
                    if (written) {
                        remember(key);
                    } else {
                        keysOf(sourceOf(key)).remove(key);
                    }
                });
    }

    void onStop(@Observes ShutdownEvent stop) {
        if (jobs != null) {
            jobs.close();
        }
    }
}
