package io.hookline.gateway.xsibackup;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.hookline.devstack.SharedKafka;
import io.hookline.gateway.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** With the broker down, XSIBackup must never get its acknowledgement text: it would believe the hook was kept. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class BrokerOutageTest {

    static final String TOKEN = "test-token-esxi-prod-0123456789";

    @AfterEach
    void brokerBack() {
        SharedKafka.broker();
    }

    @Test
    void brokerDownGives503WithAReasonWithinTheAckTimeoutAndTheGatewayRecoversAfterwards() {
        // First make sure the producer has metadata, as a running gateway would.
        given().urlEncodingEnabled(false).get("/hooks/xsibackup/" + TOKEN + "/success?"
                + XsiBackupHookTest.query(XsiBackupHookTest.unique(), XsiBackupHookTest.cmd("30"), null))
                .then().statusCode(200).body(equalTo("OK"));

        SharedKafka.broker().stop();
        long started = System.nanoTime();
        given().urlEncodingEnabled(false).get("/hooks/xsibackup/" + TOKEN + "/error?"
                + XsiBackupHookTest.query(XsiBackupHookTest.unique(), XsiBackupHookTest.cmd("30"), "disk full"))
                .then().statusCode(503)
                .header("Retry-After", "30")
                .body(not(equalTo("OK")))
                .body(startsWith("hookline: the hook was not processed: the event log (Kafka) "));
        Duration waited = Duration.ofNanos(System.nanoTime() - started);
        // hookline.gateway.ack-timeout is 4 s in tests: the caller is answered, not left hanging.
        assertTrue(waited.compareTo(Duration.ofSeconds(15)) < 0, "answered after " + waited);

        SharedKafka.broker();
        given().urlEncodingEnabled(false).get("/hooks/xsibackup/" + TOKEN + "/success?"
                + XsiBackupHookTest.query(XsiBackupHookTest.unique(), XsiBackupHookTest.cmd("30"), null))
                .then().statusCode(200).body(equalTo("OK"));
    }
}
