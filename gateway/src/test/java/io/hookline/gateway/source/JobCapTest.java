package io.hookline.gateway.source;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.hookline.gateway.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** One token cannot create unbounded state: a source's jobs are capped, with a sentence past the cap. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class JobCapTest {

    static final String CAPPED = "test-token-capped-events-0123456789";

    static io.restassured.response.ValidatableResponse post(String job) {
        return given().header("Authorization", "Bearer " + CAPPED).contentType("application/json")
                .body("{\"job\":\"" + job + "\",\"status\":\"succeeded\"}").post("/events").then();
    }

    @Test
    void aFourthNewJobOfASourceCappedAtThreeIsRefusedAndTheThreeStillReport() {
        String run = UUID.randomUUID().toString().substring(0, 6);
        for (int i = 1; i <= 3; i++) {
            post("job-" + i + "-" + run).statusCode(200);
        }
        post("job-4-" + run).statusCode(403).body(equalTo("hookline: source capped has 3 jobs, its limit "
                + "(hookline.sources.capped.max-jobs); a hook for a new job 'job-4-" + run + "' is refused"));
        post("job-2-" + run).statusCode(200);
        // The refusal quotes 40 characters of the name; here the 40th is an emoji, two UTF-16 halves, and a cut
        // between them would answer a '?' in its place.
        post("x".repeat(39) + "\uD83D\uDCBE-" + run).statusCode(403).body(equalTo("hookline: source capped has 3 "
                + "jobs, its limit (hookline.sources.capped.max-jobs); a hook for a new job '" + "x".repeat(39)
                + "\u2026' is refused"));
    }
}
