package io.hookline.processor.alerts;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.junit.jupiter.api.Test;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.hookline.devstack.TopicReader;
import io.hookline.processor.EventWriter;
import io.hookline.processor.Events;
import io.hookline.processor.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.hookline.schema.topics.Topics;

/** A failed run on the real broker becomes a firing alert, on hookline.alerts and in /api/alerts, until it recovers. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class AlertsApiTest {

    static final Topics TOPICS = Topics.withDefaultPrefix();

    @Test
    void aFailureFiresAnAlertThatTheApiAndTheTopicShowUntilTheJobRecovers() throws Exception {
        String job = "esxi-prod/esxi01/" + UUID.randomUUID().toString().substring(0, 8);
        String key = job + "/failed";
        Instant t0 = Instant.now().minusSeconds(300).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        try (EventWriter writer = new EventWriter()) {
            writer.write(TOPICS.events(), Events.failed(job, "1", t0, "disk full"));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/alerts?status=firing")
                    .then().statusCode(200).body("alertKey", hasItem(key)));
            given().get("/api/alerts?status=firing").then()
                    .body("find { it.alertKey == '" + key + "' }.severity", equalTo("critical"))
                    .body("find { it.alertKey == '" + key + "' }.summary", equalTo(job + " failed at " + t0 + ": disk full"));

            writer.write(TOPICS.events(), Events.succeeded(job, "2", t0.plusSeconds(60), 1000));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/alerts?status=resolved")
                    .then().statusCode(200).body("alertKey", hasItem(key)));
            given().get("/api/alerts?status=firing").then().body("alertKey", not(hasItem(key)));
        }

        // An outside consumer decodes with the newest released version of the schema alone.
        Path released = Path.of("../schemas/src/main/resources/io/hookline/schema/released/AlertEvent");
        int newest;
        try (var files = Files.list(released)) {
            newest = files.map(f -> Integer.parseInt(f.getFileName().toString().replace(".avsc", "")))
                    .max(Integer::compare).orElseThrow();
        }
        Schema committed = new Schema.Parser().parse(Files.readString(released.resolve(newest + ".avsc")));
        BinaryMessageDecoder<GenericRecord> decoder = new BinaryMessageDecoder<>(GenericData.get(), committed);
        try (TopicReader<ConsumerRecord<String, byte[]>> alerts = TopicReader.records(TOPICS.alerts())) {
            List<String> statuses = new java.util.ArrayList<>();
            for (var record : alerts.awaitCount(r -> key.equals(r.key()), 2, Duration.ofSeconds(30))) {
                statuses.add(decoder.decode(record.value()).get("status").toString());
            }
            assertEquals(List.of("FIRING", "RESOLVED"), statuses);
        }
    }

    @Test
    void aWrongStatusFilterIsRefusedWithASentence() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/alerts").then().statusCode(200));
        given().get("/api/alerts?status=open").then().statusCode(400)
                .body("error", equalTo("status must be firing or resolved, not 'open'"));
    }
}
