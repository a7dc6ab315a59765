package io.hookline.processor;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.hookline.devstack.SharedKafka;
import io.hookline.schema.topics.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** A record the processor cannot fold is set aside on hookline.quarantine; every job after it is still folded. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class PoisonEventTest {

    static final Topics TOPICS = Topics.withDefaultPrefix();

    @Test
    void aRecordThatIsNotAnEventIsQuarantinedAndTheNextEventOfTheSameJobIsStillFolded() throws Exception {
        String job = "esxi-prod/esxi01/poison-" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.now();
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(
                Map.of("bootstrap.servers", SharedKafka.bootstrapServers(), "acks", "all"),
                new StringSerializer(), new ByteArraySerializer());
                EventWriter writer = new EventWriter()) {
            raw.send(new ProducerRecord<>(TOPICS.events(), job, "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8)))
                    .get(30, TimeUnit.SECONDS);
            writer.write(TOPICS.events(), Events.succeeded(job, "after-the-poison", now, 60_000));
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/jobs/" + job)
                .then().statusCode(200).body("runs", equalTo(1)).body("lastRun.runId", equalTo("after-the-poison")));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/quarantine")
                .then().statusCode(200).body("jobKey", hasItem(job)));
        given().get("/api/quarantine").then()
                .body("find { it.jobKey == '" + job + "' }.stage", equalTo("decode"))
                .body("find { it.jobKey == '" + job + "' }.valueBytes", equalTo(14))
                .body("find { it.jobKey == '" + job + "' }.quarantineId", startsWith("hookline.events/"));
        given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("hookline_events_quarantined_total"));
    }
}
