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
import io.hookline.schema.topics.Topics;

/** Events on the real broker, folded by the real Kafka Streams application, read over HTTP. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class JobsApiTest {

    static final Topics TOPICS = Topics.withDefaultPrefix();

    @Test
    void runsOnTheEventLogShowUpInTheJobsApi() throws Exception {
        String job = "esxi-prod/esxi01/" + UUID.randomUUID().toString().substring(0, 8);
        Instant t0 = Instant.now().minusSeconds(600);
        try (EventWriter writer = new EventWriter()) {
            writer.write(TOPICS.events(), Events.failed(job, "100", t0, "VM1: snapshot failed"));
            writer.write(TOPICS.events(), Events.succeeded(job, "101", t0.plusSeconds(300), 347_000));
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
    void anUnknownJobIs404WithASentenceOnceTheStateIsReady() {
        // While Kafka Streams starts, the answer is 503 with Retry-After; then the job's absence is a fact.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/jobs/nobody/never").then()
                .statusCode(404)
                .body("error", equalTo("no job with key 'nobody/never' has sent an event")));
    }

    @Test
    void jobsArePagedByKeyWithANextLinkAndATotal() throws Exception {
        String prefix = "paging-" + UUID.randomUUID().toString().substring(0, 6);
        try (EventWriter writer = new EventWriter()) {
            for (int i = 0; i < 5; i++) {
                writer.write(TOPICS.events(), Events.succeeded("esxi-prod/" + prefix + "-" + i, "1", Instant.now(), 1000));
            }
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/jobs?limit=1000").then()
                .statusCode(200).body("jobKey", hasItem("esxi-prod/" + prefix + "-4")));
        java.util.List<String> everything = given().get("/api/jobs?limit=1000").then().extract().path("jobKey");
        java.util.List<String> paged = new java.util.ArrayList<>();
        String next = "/api/jobs?limit=2";
        while (next != null) {
            io.restassured.response.Response page = given().urlEncodingEnabled(false).get(next);
            page.then().statusCode(200).header("X-Total-Count", String.valueOf(everything.size()));
            java.util.List<String> keys = page.path("jobKey");
            org.junit.jupiter.api.Assertions.assertTrue(keys.size() <= 2);
            paged.addAll(keys);
            String link = page.header("Link");
            next = link == null ? null : link.substring(1, link.indexOf('>'));
        }
        org.junit.jupiter.api.Assertions.assertEquals(everything, paged, "the pages together are every job, in order");
        given().get("/api/jobs?limit=0").then().statusCode(400).body("error", equalTo("limit must be from 1 to 1000, not 0"));
    }
}
