package io.hookline.gateway.kafka;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.util.Map;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import io.hookline.devstack.SharedKafka;
import io.hookline.gateway.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The gateway's readiness on its open /q/health: whether the Kafka cluster answers, never where it is. Anyone who
 * can send a hook can read it; the brokers' addresses and the client's errors stay in the gateway's log.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class BrokerReadinessTest {

    @Test
    void readyNamesTheBrokerCheckAndHowManyAnsweredButNotWhere() {
        String body = given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem(BrokerReadiness.NAME))
                .body("checks.find { it.name == 'Kafka broker' }.data.brokers", equalTo(1))
                // Quarkus' own check, which listed each broker's host and port, is off.
                .body("checks.name", not(hasItem("Kafka connection health check")))
                .extract().asString();
        String address = SharedKafka.bootstrapServers();
        assertFalse(body.contains(address) || body.contains(address.substring(address.lastIndexOf(':') + 1)),
                "the broker's address on the open /q/health: " + body);
    }

    @Test
    void aClusterThatDoesNotAnswerIsDownWithoutItsAddressOrTheClientsError() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String nowhere = "127.0.0.1:" + port;
        BrokerReadiness readiness = new BrokerReadiness(Map.of("bootstrap.servers", nowhere,
                "reconnect.backoff.max.ms", 500));
        try {
            long start = System.nanoTime();
            HealthCheckResponse down = readiness.call();
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(HealthCheckResponse.Status.DOWN, down.getStatus());
            String reason = String.valueOf(down.getData().orElseThrow().get("reason"));
            assertEquals("the Kafka cluster did not answer within 5 s; the gateway's log says which address and why",
                    reason);
            assertFalse(reason.contains(Integer.toString(port)), reason);
            assertTrue(tookMs < BrokerReadiness.TIMEOUT_MS + 3_000, "a probe waits " + tookMs + " ms");
            // Callers while a probe is under way (strangers polling the open endpoint) get the last answer at once
            // instead of each waiting for a probe of its own behind the others.
            java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(20);
            try {
                long t0 = System.nanoTime();
                java.util.List<java.util.concurrent.Future<HealthCheckResponse>> answers = new java.util.ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    answers.add(callers.submit(readiness::call));
                }
                for (java.util.concurrent.Future<HealthCheckResponse> answer : answers) {
                    assertEquals(HealthCheckResponse.Status.DOWN, answer.get().getStatus());
                }
                long allMs = (System.nanoTime() - t0) / 1_000_000;
                // One probe's time, not twenty in a row (two minutes when each waited for its own).
                assertTrue(allMs < 2 * BrokerReadiness.TIMEOUT_MS + 3_000, "20 callers answered after " + allMs + " ms");
            } finally {
                callers.shutdownNow();
            }
        } finally {
            readiness.stop();
        }
    }
}
