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
import io.hookline.processor.OwnBroker;
import io.hookline.processor.TestRules;
import io.hookline.schema.topics.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * An operator silences and ends silences while Kafka hangs (SIGSTOP of a broker of the application's own: the
 * module's shared one is left alone). Each change is answered 503 with Retry-After and a sentence saying it was not
 * done, why, and to look before trying again, within the write time-out and each on its own; the silences already
 * there are still listed; once the broker goes on, changes are made again and the list is what hookline.silences
 * holds, whatever the hung broker appended.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@TestProfile(OwnBroker.class)
class SilencesWhileTheBrokerHangsTest {

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

    static final String KEY = "7d1f0c52-hung-broker-silence";

    @Test
    void anIdempotencyKeyThatIsNotOneIsRefusedWithASentence() {
        for (String key : List.of("x".repeat(201), "two words", "\u00e9t\u00e9")) {
            Response answer = create("bad key", key);
            assertEquals(400, answer.statusCode(), answer.asString());
            String error = answer.path("error");
            assertTrue(error.startsWith("the Idempotency-Key header must be 1 to 200 visible ASCII characters (a UUID,"
                    + " say), not '"), error);
        }
    }

    @Test
    void changesTheHungBrokerDoesNotConfirmAreAnswered503WithASentenceAndTheListStaysTheTopics() throws Exception {
        // The application reads and writes this broker's topics: the module's shared broker would take this one.
        String before = Awaitility.await("a silence before the broker hangs").atMost(Duration.ofSeconds(60))
                .until(() -> create("before"), answer -> answer.statusCode() == 201).path("id");
        String ended = create("to be ended").then().statusCode(201).extract().path("id");

        ExecutorService operators = Executors.newFixedThreadPool(2);
        List<Future<Response>> changes;
        long[] took = new long[2];
        Set<String> listedWhileHung;
        long start;
        OwnBroker.freeze();
        try {
            start = System.nanoTime();
            changes = operators.invokeAll(List.of(() -> {
                Response answer = create("while hung", KEY);
                took[0] = System.nanoTime() - start;
                return answer;
            }, () -> {
                Response answer = given().delete("/api/silences/" + ended);
                took[1] = System.nanoTime() - start;
                return answer;
            }));
            listedWhileHung = listed();
        } finally {
            OwnBroker.thaw();
            operators.shutdown();
        }
        for (int i = 0; i < 2; i++) {
            Response answer = changes.get(i).get();
            String what = i == 0 ? "the new silence" : "ending " + ended;
            assertEquals(503, answer.statusCode(), what + ": " + answer.asString());
            assertEquals("10", answer.header("Retry-After"), what);
            String error = answer.path("error");
            String key = i == 0 ? "sil_" : ended;
            assertTrue(error.startsWith("not confirmed: Kafka did not confirm the write of '" + key), error);
            assertTrue(error.contains("' to hookline.silences within 10 s ("), error);
            assertTrue(error.endsWith(". Kafka may still write it once it answers again: look before you try again"
                    + (i == 0 ? " (sent again with the same Idempotency-Key, a silence is made once)" : "")), error);
            double seconds = took[i] / 1e9;
            assertTrue(seconds < 16, what + " answered " + seconds + " s after it was asked: " + error);
        }
        assertEquals(new TreeSet<>(Set.of(before, ended)), listedWhileHung, "listed while the broker hung");

        String after = Awaitility.await("a silence once the broker goes on").atMost(Duration.ofSeconds(60))
                .until(() -> create("after"), answer -> answer.statusCode() == 201).path("id");
        // The silence asked for while the broker hung, sent again with its key: made once, whether the hung broker
        // wrote it after all (200, the same id) or not (201).
        Response again = create("while hung", KEY);
        assertTrue(again.statusCode() == 200 || again.statusCode() == 201, again.asString());
        String whileHung = again.path("id");
        Response third = create("while hung", KEY);
        assertEquals(200, third.statusCode(), third.asString());
        assertEquals(whileHung, third.path("id"), "the same key, the same silence");
        Response otherKey = create("while hung", KEY + "-2");
        assertEquals(201, otherKey.statusCode(), otherKey.asString());
        assertTrue(!otherKey.path("id").equals(whileHung), "another key, another silence");
        Awaitility.await("the list is what hookline.silences holds").atMost(Duration.ofSeconds(30))
                .until(() -> listed().equals(onTopic()));
        Set<String> listedAfter = listed();
        assertTrue(listedAfter.containsAll(Set.of(before, after, whileHung, otherKey.<String>path("id"))),
                listedAfter.toString());
        assertEquals(2, given().get("/api/silences").then().extract().jsonPath()
                .getList("findAll { it.comment == 'while hung' }").size(), "sent three times with two keys: two silences");
        System.out.printf("while the broker hung: a new silence answered 503 after %.1f s, ending one after %.1f s; "
                + "sent again with its key: %d; listed after the thaw: %s%n", took[0] / 1e9, took[1] / 1e9,
                again.statusCode(), listedAfter);
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
        OwnBroker.write(Events.failed(job, "1", t0, "lock timeout"));
        Awaitility.await("the alert fires").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> given()
                .get("/api/alerts?status=firing").then().extract().jsonPath().<String>getList("alertKey")
                .contains(job + "/failed"));
        String id = given().contentType(ContentType.JSON)
                .body(Map.of("untilResolved", job + "/failed", "comment", "known"))
                .post("/api/silences").then().statusCode(201).extract().path("id");

        String silences = Topics.withDefaultPrefix().silences();
        OwnBroker.refuseWrites(silences);
        try {
            OwnBroker.write(Events.succeeded(job, "2", t0.plusSeconds(30), 1_000));
            Awaitility.await("the alert resolves").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> given()
                    .get("/api/alerts?status=firing").then().extract().jsonPath().<String>getList("alertKey")
                    .stream().noneMatch((job + "/failed")::equals));
            // Tries to end it are refused while the alert stays resolved.
            Awaitility.await("ends refused").pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
                    .until(() -> true);
            assertTrue(listed().contains(id), "ended though Kafka refused the end");
        } finally {
            OwnBroker.takeWrites(silences);
        }
        Awaitility.await("the silence ended once Kafka takes writes").atMost(Duration.ofSeconds(60))
                .until(() -> !listed().contains(id) && !onTopic().contains(id));
    }

    /** The ids hookline.silences holds now: the last record of each key read to the topic's end, deleted ones left out. */
    static Set<String> onTopic() {
        Set<String> ids = new TreeSet<>();
        String topic = Topics.withDefaultPrefix().silences();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]>(
                Map.of("bootstrap.servers", OwnBroker.bootstrapServers()),
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
