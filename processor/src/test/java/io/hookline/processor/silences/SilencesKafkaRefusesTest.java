package io.hookline.processor.silences;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.hookline.processor.KafkaTestResource;
import io.hookline.processor.Events;
import io.hookline.processor.EventWriter;
import io.hookline.processor.TopicWrites;
import io.hookline.processor.TestRules;
import io.hookline.schema.topics.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * An operator silences and ends silences while Kafka refuses hookline.silences' writes (TopicWrites). Each change is
 * answered 503 with Retry-After and a sentence saying it was not confirmed, why, and to look before trying again;
 * the silences already there are still listed; a silence sent again with its Idempotency-Key is made once; and a
 * silence "until resolved" whose end is refused is ended once Kafka takes it. CompactedTopicViewTest hangs a broker
 * for the same writes, where each waits its own 10 s.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class SilencesKafkaRefusesTest {

    static Response create(String comment) {
        return create(comment, null);
    }

    static Response create(String comment, String idempotencyKey) {
        var request = given().contentType(ContentType.JSON);
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return request
                .body(Map.of("matchers", Map.of("job", "borg/hung-broker"), "duration", "2h", "comment", comment))
                .post("/api/silences");
    }

    static Set<String> listed() {
        return new TreeSet<>(given().get("/api/silences").then().statusCode(200).extract().<String>jsonPath().getList("id"));
    }

    static final String KEY = "7d1f0c52-refused-silence-" + java.util.UUID.randomUUID();

    @Test
    void anIdempotencyKeyThatIsNotOneIsRefusedWithASentenceAndAStrangerMakesNothingWithAGoodOne() {
        int before = listed().size();
        for (String key : List.of("x".repeat(201), "x".repeat(10_000), "two words", "\u00e9t\u00e9")) {
            Response answer = create("bad key", key);
            assertEquals(400, answer.statusCode(), answer.asString());
            String error = answer.path("error");
            assertTrue(error.startsWith("the Idempotency-Key header must be 1 to 200 visible ASCII characters (a UUID,"
                    + " say), not '"), error);
            assertTrue(error.length() < 400, "the key is quoted cut: " + error.length() + " characters");
        }
        // Without credentials, or with a reader's, twice: refused before the key is looked at.
        for (String authorization : List.of("", "Bearer " + KafkaTestResource.READER_TOKEN, "")) {
            var request = given().contentType(ContentType.JSON).header("Idempotency-Key", "stranger-" + KEY);
            if (!authorization.isEmpty()) {
                request.header("Authorization", authorization);
            } else {
                request.noFilters();
            }
            Response answer = request.body(Map.of("matchers", Map.of("job", "borg/stranger"), "duration", "2h"))
                    .post("/api/silences");
            assertEquals(authorization.isEmpty() ? 401 : 403, answer.statusCode(), answer.asString());
        }
        assertEquals(before, listed().size(), "no silence made by a refused request");
    }

    @Test
    void changesKafkaRefusesAreAnswered503WithASentenceAndASilenceSentAgainWithItsKeyIsMadeOnce() throws Exception {
        String before = create("before").then().statusCode(201).extract().path("id");
        String ended = create("to be ended").then().statusCode(201).extract().path("id");
        String silences = Topics.withDefaultPrefix().silences();
        Response made;
        Response end;
        Set<String> listedWhileRefused;
        TopicWrites.refuseWrites(silences);
        try {
            made = create("while refused", KEY);
            end = given().delete("/api/silences/" + ended);
            listedWhileRefused = listed();
        } finally {
            TopicWrites.takeWrites(silences);
        }
        for (Response answer : List.of(made, end)) {
            boolean creating = answer == made;
            String what = creating ? "the new silence" : "ending " + ended;
            assertEquals(503, answer.statusCode(), what + ": " + answer.asString());
            assertEquals("10", answer.header("Retry-After"), what);
            String error = answer.path("error");
            assertTrue(error.startsWith("not confirmed: Kafka did not confirm the write of '" + (creating ? "sil_" : ended)),
                    error);
            assertTrue(error.contains("' to hookline.silences within 10 s (RecordTooLargeException: "), error);
            assertTrue(error.endsWith(". Kafka may still write it once it answers again: look before you try again"
                    + (creating ? " (sent again with the same Idempotency-Key, a silence is made once)" : "")), error);
        }
        assertTrue(listedWhileRefused.containsAll(Set.of(before, ended)), "listed while refused: " + listedWhileRefused);

        // Sent again with its key once Kafka takes writes: made (201), then the same silence (200).
        Response again = Awaitility.await("the silence made once Kafka takes writes").atMost(Duration.ofSeconds(30))
                .until(() -> create("while refused", KEY), answer -> answer.statusCode() != 503);
        assertEquals(201, again.statusCode(), again.asString());
        String madeOnce = again.path("id");
        Response third = create("while refused", KEY);
        assertEquals(200, third.statusCode(), third.asString());
        assertEquals(madeOnce, third.path("id"), "the same key, the same silence");
        Response otherKey = create("while refused", KEY + "-2");
        assertEquals(201, otherKey.statusCode(), otherKey.asString());
        assertTrue(!otherKey.path("id").equals(madeOnce), "another key, another silence");
        assertEquals(2, given().get("/api/silences").then().extract().jsonPath()
                .getList("findAll { it.comment == 'while refused' }").size(), "sent four times with two keys: two silences");
        Awaitility.await("the list is what hookline.silences holds").atMost(Duration.ofSeconds(30))
                .until(() -> listed().equals(onTopic()));
        assertTrue(listed().containsAll(Set.of(before, ended, madeOnce)), listed().toString());
    }

    /**
     * hookline.silences refuses writes (here: a record size limit below any record's, set on the topic) as the alert
     * of a silence "until resolved" resolves: the silence is ended once the topic takes writes again, not left to
     * mute the job's next failure.
     */
    @Test
    void aSilenceUntilResolvedWhoseEndKafkaRefusesEndsOnceKafkaTakesItAgain() throws Exception {
        TestRules.use("""
                receivers:
                  - {name: log, type: console}
                default-receiver: log
                """);
        String job = "borg/until-resolved-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        java.time.Instant t0 = java.time.Instant.now().minusSeconds(60);
        try (EventWriter writer = new EventWriter()) {
            writer.write(Topics.withDefaultPrefix().events(), Events.failed(job, "1", t0, "lock timeout"));
        }
        Awaitility.await("the alert fires").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> given()
                .get("/api/alerts?status=firing").then().extract().jsonPath().<String>getList("alertKey")
                .contains(job + "/failed"));
        String id = given().contentType(ContentType.JSON)
                .body(Map.of("untilResolved", job + "/failed", "comment", "known"))
                .post("/api/silences").then().statusCode(201).extract().path("id");

        String silences = Topics.withDefaultPrefix().silences();
        TopicWrites.refuseWrites(silences);
        try {
            try (EventWriter writer = new EventWriter()) {
                writer.write(Topics.withDefaultPrefix().events(), Events.succeeded(job, "2", t0.plusSeconds(30), 1_000));
            }
            Awaitility.await("the alert resolves").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> given()
                    .get("/api/alerts?status=firing").then().extract().jsonPath().<String>getList("alertKey")
                    .stream().noneMatch((job + "/failed")::equals));
            // Tries to end it are refused while the alert stays resolved.
            Awaitility.await("ends refused").pollDelay(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(5))
                    .until(() -> true);
            assertEquals(false, expired(id), "ended though Kafka refused the end");
        } finally {
            TopicWrites.takeWrites(silences);
        }
        // Ended, it stays listed as expired (hookline.silences.keep-ended), its end on the topic.
        Awaitility.await("the silence ended once Kafka takes writes").atMost(Duration.ofSeconds(60))
                .until(() -> Boolean.TRUE.equals(expired(id)));
        Awaitility.await("the list is what hookline.silences holds").atMost(Duration.ofSeconds(30))
                .until(() -> listed().equals(onTopic()));
    }

    /** Whether /api/silences lists the silence as expired; null when it is not listed. */
    static Boolean expired(String id) {
        return given().get("/api/silences").then().statusCode(200).extract().jsonPath()
                .get("find { it.id == '" + id + "' }.expired");
    }

    /** The ids hookline.silences holds now: the last record of each key read to the topic's end, deleted ones left out. */
    static Set<String> onTopic() {
        Set<String> ids = new TreeSet<>();
        String topic = Topics.withDefaultPrefix().silences();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]>(
                Map.of("bootstrap.servers", io.hookline.devstack.SharedKafka.bootstrapServers()),
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new org.apache.kafka.common.TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    if (record.value() == null) {
                        ids.remove(record.key());
                    } else {
                        ids.add(record.key());
                    }
                });
            }
        }
        return ids;
    }
}
