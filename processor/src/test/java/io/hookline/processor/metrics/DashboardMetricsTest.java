package io.hookline.processor.metrics;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.hookline.devstack.MonitoringQueries;
import io.hookline.processor.EventWriter;
import io.hookline.processor.Events;
import io.hookline.processor.KafkaTestResource;
import io.hookline.processor.TestRules;
import io.hookline.schema.topics.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The Grafana dashboard in deploy/grafana and the Prometheus rules in deploy/prometheus use the processor's real
 * metrics: after a failure is alerted (one receiver takes it, one is gone: a dead letter) and a policy prunes through
 * a webhook, every metric a processor panel or rule queries is on /q/metrics, under the name the query uses.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class DashboardMetricsTest {

    static final Topics TOPICS = Topics.withDefaultPrefix();

    @Test
    void everyMetricTheDashboardAndTheAlertingRulesUseOfTheProcessorIsExported() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 6);
        String failing = "esxi-prod/metrics-" + tag;
        String pruned = "restic/metrics-" + tag;
        TestRules.use("""
                receivers:
                  - {name: ok-%1$s, type: webhook, url: "%2$s"}
                  - {name: gone-%1$s, type: webhook, url: "%3$s", max-attempts: 1}
                routes:
                  - {match: {job: "%4$s"}, receiver: ok-%1$s, continue: true}
                  - {match: {job: "%4$s"}, receiver: gone-%1$s}
                default-receiver: ok-%1$s
                retention:
                  - match: "%5$s"
                    keep-last: 1
                    enforce: true
                    prune: {webhook: ok-%1$s}
                """.formatted(tag, TestRules.url("/metrics-ok-" + tag), TestRules.url("/gone"), failing, pruned));
        try (EventWriter writer = new EventWriter()) {
            writer.write(TOPICS.events(), Events.failed(failing, "1", Instant.now(), "datastore full"));
            writer.write(TOPICS.events(), Events.succeeded(pruned, "1", Instant.now().minusSeconds(120), 1000));
            writer.write(TOPICS.events(), Events.succeeded(pruned, "2", Instant.now().minusSeconds(60), 1000));
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertTrue(metrics.contains("hookline_dead_letters_total{channel=\"webhook\""), "no dead letter counted yet");
            assertTrue(metrics.contains("hookline_retention_prunes_total{result=\"deleted\""), "no prune counted yet");
            assertTrue(metrics.contains("hookline_deliveries_total{channel=\"webhook\",outcome=\"delivered\""),
                    "no delivery counted yet");
        });

        // Kafka Streams may be rebalancing at any one moment (its gauge then reads 0, and tasks away hold no
        // alerts): the gauges are read once it runs.
        String metrics = await().atMost(Duration.ofSeconds(60)).until(
                () -> given().get("/q/metrics").then().statusCode(200).extract().asString(),
                text -> text.lines().anyMatch(l -> l.equals("hookline_streams_running 1.0")
                        || l.matches("hookline_streams_running\\{[^}]*\\} 1\\.0")));
        Set<String> exported = new TreeSet<>();
        metrics.lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                .forEach(line -> exported.add(line.split("[{ ]", 2)[0]));
        Set<String> used = MonitoringQueries.metricsOf(Path.of("..", "deploy"), "hookline-processor");
        assertTrue(used.size() >= 10 && used.contains("hookline_delivery_stopped"),
                "the processor's metrics in the dashboard and the rules: " + used);
        Set<String> missing = new TreeSet<>(used);
        missing.removeAll(exported);
        assertEquals(Set.of(), missing, "metrics the dashboard or the alerting rules use that the processor does not export");
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("hookline_alerts_firing") && !l.endsWith(" 0.0")
                && !l.endsWith("NaN")), "the failure fires an alert, and the gauge counts it: "
                + metrics.lines().filter(l -> l.startsWith("hookline_alerts_firing")).toList());
    }
}
