package io.hookline.processor;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Events on the real broker, folded by the real Kafka Streams application, read over HTTP. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class JobsApiTest {

    @Test
    void runsOnTheEventLogShowUpInTheJobsApi() throws Exception {
        String job = "esxi-prod/esxi01/" + UUID.randomUUID().toString().substring(0, 8);
        Instant t0 = Instant.now().minusSeconds(600);
        try (EventWriter writer = new EventWriter()) {
            writer.write("hookline.events", Events.failed(job, "100", t0, "VM1: snapshot failed"));
            writer.write("hookline.events", Events.succeeded(job, "101", t0.plusSeconds(300), 347_000));
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/jobs/" + job)
                .then().statusCode(200).body("runs", equalTo(2)));

        given().get("/api/jobs/" + job).then()
                .body("jobKey", equalTo(job))
                .body("status", equalTo("ok"))
                .body("host", equalTo("esxi01"))
                .body("lastRun.runId", equalTo("101"))
                .body("lastRun.outcome", equalTo("succeeded"))
                .body("lastRun.durationMs", equalTo(347000))
                .body("failed", equalTo(1))
                .body("consecutiveFailures", equalTo(0))
                .body("restorePoints", equalTo(1))
                .body("recentRuns[1].errorMessage", equalTo("VM1: snapshot failed"));
        given().get("/api/jobs").then().statusCode(200).body("jobKey", hasItem(job));
    }

    @Test
    void theDashboardIsServedAtTheRootAndReadsTheApi() {
        given().get("/").then().statusCode(200).contentType(org.hamcrest.Matchers.startsWith("text/html"))
                .body(org.hamcrest.Matchers.containsString("<title>Hookline: backup jobs</title>"))
                .body(org.hamcrest.Matchers.containsString("load('/api/jobs')"))
                .body(org.hamcrest.Matchers.containsString("load('/api/alerts')"));
    }

    @Test
    void anUnknownJobIs404WithASentenceOnceTheStateIsReady() {
        // While Kafka Streams starts, the answer is 503 with Retry-After; then the job's absence is a fact.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/jobs/nobody/never").then()
                .statusCode(404)
                .body("error", equalTo("no job with key 'nobody/never' has sent an event")));
    }
}
