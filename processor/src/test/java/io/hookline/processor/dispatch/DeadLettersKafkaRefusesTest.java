package io.hookline.processor.dispatch;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.hookline.processor.Events;
import io.hookline.processor.KafkaTestResource;
import io.hookline.processor.EventWriter;
import io.hookline.processor.TopicWrites;
import io.hookline.processor.TestRules;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * What a notification's ending writes while Kafka refuses it (TopicWrites) is written once Kafka takes it, never
 * dropped with a line in the log: a notification given up on is a dead letter afterwards, a replay delivered leaves
 * the dead letters, a webhook action delivered ends its run.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class DeadLettersKafkaRefusesTest {

    @Test
    void aNotificationGivenUpOnWhileTheTopicRefusesWritesIsADeadLetterOnceItTakesThem() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        // The last attempt: the topic stops taking writes before it is answered, so the dead letter meets it.
        Receiver receiver = new Receiver(2, 500);
        List<String> idempotencyKeys = receiver.keys;
        try {
            String mine = receiver.failing("refused-" + tag, 2);
            try {
                Awaitility.await("the receiver's last attempt").atMost(Duration.ofSeconds(60))
                        .until(() -> idempotencyKeys.size() == 2);
                // Tries to keep it are refused meanwhile: nothing listed.
                Awaitility.await("tries refused").pollDelay(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(3))
                        .until(() -> true);
                assertEquals(List.of(), given().get(mine).then().extract().jsonPath().getList("alertKey"));
            } finally {
                TopicWrites.takeWrites(DEAD_LETTERS);
            }
            Awaitility.await("the dead letter kept once the topic takes writes").atMost(Duration.ofSeconds(60))
                    .until(() -> given().get(mine).then().statusCode(200).extract().jsonPath().getList("alertKey"),
                            List.of("borg/refused-" + tag + "/failed")::equals);
            receiver.sentTwiceUnderOneKey();
        } finally {
            receiver.server.stop(0);
        }
    }

    /**
     * A dead letter replayed and delivered while hookline.dead-letters refuses writes cannot be deleted: it stays listed
     * and claimed (a second replay sends nothing again) until the topic takes writes, then leaves the list.
     */
    @Test
    void aReplayDeliveredWhileTheTopicRefusesItsDeletionLeavesTheListOnceItTakesIt() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        // The replay: delivered, as hookline.dead-letters stops taking writes.
        Receiver receiver = new Receiver(2, 200);
        List<String> idempotencyKeys = receiver.keys;
        try {
            String mine = receiver.failing("replayed-" + tag, 1);
            String id = Awaitility.await("the dead letter").atMost(Duration.ofSeconds(60)).until(
                    () -> given().get(mine).then().statusCode(200).extract().jsonPath().<String>getList("notificationId"),
                    ids -> ids.size() == 1).get(0);
            try {
                given().post("/api/dead-letters/" + id + "/replay").then().statusCode(202);
                Awaitility.await("the replay delivered").atMost(Duration.ofSeconds(60)).until(() -> idempotencyKeys.size() == 2);
                // Its deletion is refused: still listed, and a second replay sends nothing while it is claimed.
                Awaitility.await("deletions refused").pollDelay(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(3))
                        .until(() -> true);
                assertEquals(List.of(id), given().get(mine).then().extract().jsonPath().getList("notificationId"));
                given().post("/api/dead-letters/" + id + "/replay").then().statusCode(202);
            } finally {
                TopicWrites.takeWrites(DEAD_LETTERS);
            }
            Awaitility.await("the delivered dead letter leaves the list").atMost(Duration.ofSeconds(60))
                    .until(() -> given().get(mine).then().extract().jsonPath().getList("notificationId").isEmpty());
            receiver.sentTwiceUnderOneKey();
        } finally {
            receiver.server.stop(0);
        }
    }

    /**
     * A webhook action (a chain's step) delivered as hookline.events stops taking writes: the run it ends is recorded
     * once the topic takes writes again, not lost with a warning and left running.
     */
    @Test
    void aWebhookActionDeliveredWhileTheEventsRefuseWritesEndsItsRunOnceTheyTakeThem() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String events = io.hookline.schema.topics.Topics.withDefaultPrefix().events();
        Receiver receiver = new Receiver(1, 200, events);
        try {
            TestRules.use("""
                    receivers:
                      - {name: log, type: console}
                      - {name: ci-%s, type: webhook, url: "http://127.0.0.1:%d/hook", max-attempts: 1}
                    default-receiver: log
                    chains:
                      - name: notify-ci-%s
                        when: {job: "borg/upstream-%s", on: succeeded}
                        run:
                          - {webhook: ci-%s}
                    """.formatted(tag, receiver.server.getAddress().getPort(), tag, tag, tag));
            try (EventWriter writer = new EventWriter()) {
                writer.write(io.hookline.schema.topics.Topics.withDefaultPrefix().events(), Events.succeeded("borg/upstream-" + tag, "1", Instant.now(), 1_000));
            }
            String succeeded = "/api/commands?job=webhook/ci-" + tag + "&status=succeeded";
            try {
                Awaitility.await("the webhook action delivered").atMost(Duration.ofSeconds(60))
                        .until(() -> receiver.keys.size() == 1);
                // Its end is refused meanwhile: the action has not succeeded yet.
                Awaitility.await("ends refused").pollDelay(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(3))
                        .until(() -> true);
                assertEquals(List.of(), given().get(succeeded).then().statusCode(200).extract().jsonPath()
                        .getList("commandId"));
            } finally {
                TopicWrites.takeWrites(events);
            }
            Awaitility.await("the action's run ended once the events take writes").atMost(Duration.ofSeconds(60))
                    .until(() -> given().get(succeeded).then().statusCode(200).extract().jsonPath()
                            .getList("commandId").size() == 1);
            assertEquals(1, receiver.keys.size(), "delivered once: " + receiver.keys);
        } finally {
            receiver.server.stop(0);
        }
    }

    static final String DEAD_LETTERS = io.hookline.schema.topics.Topics.withDefaultPrefix().deadLetters();

    /**
     * A webhook receiver that notes each call's idempotency key and answers 500, but call {@code changeAt}: before
     * answering that one {@code status}, it makes {@code refused} (hookline.dead-letters unless said) refuse writes.
     */
    static final class Receiver {

        final List<String> keys = new CopyOnWriteArrayList<>();
        final HttpServer server;

        Receiver(int changeAt, int status) throws java.io.IOException {
            this(changeAt, status, DEAD_LETTERS);
        }

        Receiver(int changeAt, int status, String refused) throws java.io.IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/hook", exchange -> {
                exchange.getRequestBody().readAllBytes();
                keys.add(exchange.getRequestHeaders().getFirst("webhook-id"));
                boolean change = keys.size() == changeAt;
                if (change) {
                    try {
                        TopicWrites.refuseWrites(refused);
                    } catch (Exception e) {
                        throw new java.io.IOException(e);
                    }
                }
                exchange.sendResponseHeaders(change ? status : 500, -1);
                exchange.close();
            });
            server.start();
        }

        /**
         * Puts this receiver in force as {@code name} and fails the job borg/{@code name}, whose alert it is sent;
         * answers the path that lists its dead letters.
         */
        String failing(String name, int maxAttempts) throws Exception {
            inForce(name, maxAttempts);
            try (EventWriter writer = new EventWriter()) {
                writer.write(io.hookline.schema.topics.Topics.withDefaultPrefix().events(),
                        Events.failed("borg/" + name, "1", Instant.now(), "repository locked"));
            }
            return "/api/dead-letters?receiver=" + name;
        }

        /** Two calls in all (nothing sent again), under one idempotency key. */
        void sentTwiceUnderOneKey() {
            assertEquals(2, keys.size(), "two calls, nothing sent again: " + keys);
            assertEquals(1, keys.stream().distinct().count(), "every call under one key: " + keys);
        }

        /** Puts this receiver in force under {@code name}. */
        void inForce(String name, int maxAttempts) {
            TestRules.use("""
                    receivers:
                      - {name: %s, type: webhook, url: "http://127.0.0.1:%d/hook", max-attempts: %d}
                    default-receiver: %s
                    """.formatted(name, server.getAddress().getPort(), maxAttempts, name));
        }
    }
}
