package io.hookline.processor;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.hookline.devstack.SharedKafka;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.serde.AvroSerde;
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
        // It lists the newest (hookline.quarantine.listed) and counts all the topic holds.
        var listed = given().get("/api/quarantine").then().extract();
        org.junit.jupiter.api.Assertions.assertTrue(Long.parseLong(listed.header("X-Total-Count"))
                >= listed.jsonPath().getList("$").size(), listed.headers().toString());
        given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("hookline_events_quarantined_total"));
    }

    /**
     * An event whose eventId claims a gigabyte: Avro would allocate it before finding the record ends (an
     * OutOfMemoryError on a smaller heap, the stream thread gone, the same record again after every restart).
     */
    @Test
    void anEventClaimingMoreThanItHoldsIsQuarantinedWithTheFieldNamed() throws Exception {
        String job = "esxi-prod/esxi01/claims-" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.now();
        byte[] good = AvroSerde.of(BackupEvent.class).encode(Events.succeeded(job, "the-hostile-one", now, 60_000));
        ByteArrayOutputStream hostile = new ByteArrayOutputStream();
        hostile.write(good, 0, 10);
        BinaryEncoder length = EncoderFactory.get().binaryEncoder(hostile, null);
        length.writeLong(1L << 30); // eventId, the body's first field: its length, in place of the UUID's 36
        length.flush();
        hostile.write(good, 11, good.length - 11);
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(
                Map.of("bootstrap.servers", SharedKafka.bootstrapServers(), "acks", "all"),
                new StringSerializer(), new ByteArraySerializer());
                EventWriter writer = new EventWriter()) {
            raw.send(new ProducerRecord<>(TOPICS.events(), job, hostile.toByteArray())).get(30, TimeUnit.SECONDS);
            writer.write(TOPICS.events(), Events.succeeded(job, "after-it", now.plusSeconds(60), 60_000));
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/jobs/" + job)
                .then().statusCode(200).body("runs", equalTo(1)).body("lastRun.runId", equalTo("after-it")));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/quarantine")
                .then().statusCode(200).body("jobKey", hasItem(job)));
        given().get("/api/quarantine").then()
                .body("find { it.jobKey == '" + job + "' }.stage", equalTo("decode"))
                .body("find { it.jobKey == '" + job + "' }.error",
                        containsString("BackupEvent.eventId: claims 1073741824 bytes in a record of"));
    }
}
