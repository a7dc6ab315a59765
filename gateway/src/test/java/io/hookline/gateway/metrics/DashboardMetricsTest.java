package io.hookline.gateway.metrics;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import io.hookline.devstack.MonitoringQueries;
import io.hookline.gateway.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The Grafana dashboard in deploy/grafana and the Prometheus rules in deploy/prometheus use the gateway's real
 * metrics: after a hook is acknowledged and one refused, every metric a gateway panel or rule queries is on
 * /q/metrics, under the name the query uses (the ack latency as a histogram, for its p50 and p99).
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class DashboardMetricsTest {

    static final String TOKEN = "test-token-esxi-prod-0123456789";

    @Test
    void everyMetricTheDashboardAndTheAlertingRulesUseOfTheGatewayIsExported() throws Exception {
        String query = Base64.getEncoder().encodeToString(("PID=77001|t=5|cmd=" + Base64.getEncoder().encodeToString(
                "--backup-point=/vmfs/volumes/nas --backup-id=metrics".getBytes(StandardCharsets.UTF_8)))
                .getBytes(StandardCharsets.UTF_8));
        given().urlEncodingEnabled(false).get("/hooks/xsibackup/" + TOKEN + "/success?" + query).then().statusCode(200);
        given().urlEncodingEnabled(false).get("/hooks/xsibackup/not-a-token-0123456789/success?" + query).then()
                .statusCode(404);

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Set<String> exported = new TreeSet<>();
        metrics.lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                .forEach(line -> exported.add(line.split("[{ ]", 2)[0]));
        Set<String> used = MonitoringQueries.metricsOf(Path.of("..", "deploy"), "hookline-gateway");
        assertTrue(used.contains("hookline_hook_ack_seconds_bucket"), used.toString());
        Set<String> missing = new TreeSet<>(used);
        missing.removeAll(exported);
        assertEquals(Set.of(), missing, "metrics the dashboard or the alerting rules use that the gateway does not export");
        assertTrue(metrics.contains("hookline_hooks_total{kind=\"xsibackup\",reason=\"none\",result=\"accepted\"}"),
                metrics.lines().filter(l -> l.startsWith("hookline_hooks_total")).toList().toString());
        // The rule on hooks the broker did not take (HooklineBrokerRefusesHooks) sees the first one: its series is
        // there from the kind's first hook on, not only once something failed.
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith(
                "hookline_hooks_total{kind=\"xsibackup\",reason=\"broker\",result=\"unavailable\"} ")),
                metrics.lines().filter(l -> l.startsWith("hookline_hooks_total")).toList().toString());
        // Every hook is counted and timed by the gateway's own metrics; Quarkus's per-request timers, which cost a
        // twentieth of the event loops (README, Monitoring), are off.
        assertTrue(metrics.lines().noneMatch(l -> l.startsWith("http_server_requests_seconds")), "per-request timers");
        assertTrue(metrics.contains("hookline_hook_ack_seconds_bucket{kind=\"xsibackup\",le=\"0.001\"}")
                || metrics.lines().anyMatch(l -> l.startsWith("hookline_hook_ack_seconds_bucket{kind=\"xsibackup\"")),
                "the ack time has buckets");
    }
}
