package io.hookline.runtime.topics;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import io.hookline.schema.topics.Topics;

/**
 * Creates Hookline's missing topics. For local runs and tests; on Kubernetes, Strimzi KafkaTopic resources
 * own the topics and this is switched off ({@code hookline.topics.create=false}).
 */
public final class TopicBootstrap {

    private TopicBootstrap() {
    }

    /** Creates the missing topics and returns the names it created. */
    public static List<String> ensure(Admin admin, List<Topics.Spec> specs, int partitions, short replicationFactor,
            long timeoutMs) throws InterruptedException, TimeoutException {
        try {
            Set<String> existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (Topics.Spec spec : specs) {
                if (!existing.contains(spec.name())) {
                    missing.add(new NewTopic(spec.name(), partitions, replicationFactor).configs(spec.configs()));
                }
            }
            List<String> created = new ArrayList<>();
            for (NewTopic topic : missing) {
                try {
                    admin.createTopics(List.of(topic)).all().get(timeoutMs, TimeUnit.MILLISECONDS);
                    created.add(topic.name());
                } catch (ExecutionException e) {
                    // Another instance created it between listing and creating: that is fine.
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + topic.name() + ": "
                                + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
            return created;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list topics: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * Creates the missing topics now, or, while the broker cannot be reached, every 10 s in the background, so
     * that a service starts (and reports not ready) instead of crashing. Close the handle at shutdown.
     */
    public static AutoCloseable ensureInBackground(Map<String, Object> adminConfig, List<Topics.Spec> specs,
            int partitions, short replicationFactor, Consumer<String> log) {
        ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "hookline-topic-setup");
            thread.setDaemon(true);
            return thread;
        });
        Runnable attempt = new Runnable() {
            @Override
            public void run() {
                try (Admin admin = Admin.create(adminConfig)) {
                    List<String> created = ensure(admin, specs, partitions, replicationFactor, 10_000);
                    if (!created.isEmpty()) {
                        log.accept("created topics " + created);
                    }
                    retries.shutdown();
                } catch (Exception e) {
                    log.accept("cannot create topics yet (" + e.getMessage() + "); trying again in 10 s");
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    retries.schedule(this, 10, TimeUnit.SECONDS);
                }
            }
        };
        attempt.run();
        return retries::shutdownNow;
    }

    /**
     * Creates the topics in the background when the settings say so (else does nothing): what each service runs at
     * start. Close the answer at shutdown.
     */
    public static AutoCloseable atStart(TopicSettings settings, Map<String, Object> kafkaConfig, String clientId,
            Consumer<String> log) {
        if (!settings.create()) {
            return () -> { };
        }
        Map<String, Object> adminConfig = new java.util.HashMap<>(kafkaConfig);
        adminConfig.put("client.id", clientId);
        return ensureInBackground(adminConfig, new Topics(settings.prefix()).specs(settings.eventsRetentionMs()),
                settings.partitions(), settings.replicationFactor(), log);
    }
}
