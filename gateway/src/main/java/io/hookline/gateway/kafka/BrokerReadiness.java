package io.hookline.gateway.kafka;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * Readiness: the Kafka cluster answers (its brokers listed within {@value #TIMEOUT_MS} ms). {@code /q/health} is
 * open and the gateway faces the backup hosts, so the answer says how many brokers answered, never their addresses
 * or the client's error (Quarkus' own check shows both); the reason goes to the gateway's log, once a minute at
 * most while it lasts. One probe at a time: a caller that comes while one is under way gets the last answer at
 * once, so callers of the open endpoint never queue behind each other's probes while the cluster is away.
 */
@Readiness
@ApplicationScoped
public class BrokerReadiness implements HealthCheck {

    static final String NAME = "Kafka broker";
    static final int TIMEOUT_MS = 5_000;
    private static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final Logger LOG = Logger.getLogger(BrokerReadiness.class);

    private final Map<String, Object> kafkaConfig;
    private final java.util.concurrent.locks.ReentrantLock probing = new java.util.concurrent.locks.ReentrantLock();
    private volatile HealthCheckResponse last;
    /** Read and written by the probe only (under {@link #probing}). */
    private Admin admin;
    private long loggedAt;
    private boolean failing;

    public BrokerReadiness(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.kafkaConfig = kafkaConfig;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponse known = last;
        if (known != null && !probing.tryLock()) {
            return known;
        }
        if (known == null) {
            probing.lock();
        }
        try {
            last = probe();
            return last;
        } finally {
            probing.unlock();
        }
    }

    private HealthCheckResponse probe() {
        try {
            if (admin == null) {
                admin = Admin.create(kafkaConfig);
            }
            int brokers = admin.describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS)).nodes()
                    .get(TIMEOUT_MS + 1_000L, TimeUnit.MILLISECONDS).size();
            if (failing) {
                LOG.infof("the Kafka cluster answers again (%d brokers)", brokers);
                failing = false;
            }
            return HealthCheckResponse.named(NAME).up().withData("brokers", brokers).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return down(e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            return down(e);
        }
    }

    private HealthCheckResponse down(Exception e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        long now = System.nanoTime();
        if (!failing || now - loggedAt >= LOG_EVERY_NANOS) {
            LOG.warnf("not ready: the Kafka cluster (%s) did not list its brokers within %d ms: %s",
                    kafkaConfig.get("bootstrap.servers"), TIMEOUT_MS, cause.toString());
            loggedAt = now;
        }
        failing = true;
        // A client that failed may stay broken (its thread gone): the next probe starts a new one.
        close();
        return HealthCheckResponse.named(NAME).down()
                .withData("reason", "the Kafka cluster did not answer within " + TIMEOUT_MS / 1000
                        + " s; the gateway's log says which address and why")
                .build();
    }

    private void close() {
        if (admin != null) {
            admin.close(java.time.Duration.ZERO);
            admin = null;
        }
    }

    /** Closes its client (a probe under way finishes first). */
    void stop() {
        probing.lock();
        try {
            close();
        } finally {
            probing.unlock();
        }
    }

    void onStop(@Observes ShutdownEvent stop) {
        stop();
    }
}
