package io.hookline.gateway.metrics;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.hookline.gateway.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The Grafana dashboard in deploy/grafana shows the gateway's real metrics: after a hook is acknowledged and one
 * refused, every metric a gateway panel queries is on /q/metrics, under the name the panel uses (the ack latency as
 * a histogram, for its p50 and p99).
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class DashboardMetricsTest {

    static final String TOKEN = "test-token-esxi-prod-0123456789";
    static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{");

    @Test
    void everyMetricTheDashboardShowsOfTheGatewayIsExported() throws Exception {
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
        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(Path.of("..", "deploy", "grafana",
                "hookline.json")));
        Set<String> used = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                if (expr.contains("job=\"hookline-gateway\"") || expr.contains("job=~\"hookline-.*\"")) {
                    Matcher m = SELECTOR.matcher(expr);
                    while (m.find()) {
                        used.add(m.group(1));
                    }
                }
            }
        }
        assertTrue(used.contains("hookline_hook_ack_seconds_bucket"), used.toString());
        Set<String> missing = new TreeSet<>(used);
        missing.removeAll(exported);
        assertEquals(Set.of(), missing, "metrics the dashboard queries that the gateway does not export");
        assertTrue(metrics.contains("hookline_hooks_total{kind=\"xsibackup\",reason=\"none\",result=\"accepted\"}"),
                metrics.lines().filter(l -> l.startsWith("hookline_hooks_total")).toList().toString());
        assertTrue(metrics.contains("hookline_hook_ack_seconds_bucket{kind=\"xsibackup\",le=\"0.001\"}")
                || metrics.lines().anyMatch(l -> l.startsWith("hookline_hook_ack_seconds_bucket{kind=\"xsibackup\"")),
                "the ack time has buckets");
    }
}
