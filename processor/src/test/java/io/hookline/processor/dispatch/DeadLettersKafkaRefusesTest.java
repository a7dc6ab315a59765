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
import io.hookline.processor.OwnBroker;
import io.hookline.processor.TestRules;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Dead letters that hookline.dead-letters does not take when they are written (the topic refuses writes: a record size
 * limit below any record's, on the application's own broker) are kept or cleared once it takes them, never dropped
 * with a line in the log: a notification given up on is listed afterwards, a replay delivered leaves the list.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@TestProfile(OwnBroker.class)
class DeadLettersKafkaRefusesTest {

    @Test
    void aNotificationGivenUpOnWhileTheTopicRefusesWritesIsADeadLetterOnceItTakesThem() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String job = "borg/refused-" + tag;
        String deadLetters = io.hookline.schema.topics.Topics.withDefaultPrefix().deadLetters();
        List<String> idempotencyKeys = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            idempotencyKeys.add(exchange.getRequestHeaders().getFirst("webhook-id"));
            if (idempotencyKeys.size() == 2) {
                // The last attempt: the topic stops taking writes before it is answered, so the dead letter meets it.
                try {
                    OwnBroker.refuseWrites(deadLetters);
                } catch (Exception e) {
                    throw new java.io.IOException(e);
                }
            }
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
        });
        receiver.start();
        try {
            Awaitility.await("the application on its own broker").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> given().get("/api/rules").statusCode() == 200);
            TestRules.use("""
                    receivers:
                      - {name: refused-%s, type: webhook, url: "http://127.0.0.1:%d/hook", max-attempts: 2}
                    default-receiver: refused-%s
                    """.formatted(tag, receiver.getAddress().getPort(), tag));
            OwnBroker.write(Events.failed(job, "1", Instant.now(), "repository locked"));
            String mine = "/api/dead-letters?receiver=refused-" + tag;
            try {
                Awaitility.await("the receiver's last attempt").atMost(Duration.ofSeconds(60))
                        .until(() -> idempotencyKeys.size() == 2);
                // Tries to keep it are refused meanwhile: nothing listed.
                Awaitility.await("tries refused").pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                        .until(() -> true);
                assertEquals(List.of(), given().get(mine).then().extract().jsonPath().getList("alertKey"));
            } finally {
                OwnBroker.takeWrites(deadLetters);
            }
            Awaitility.await("the dead letter kept once the topic takes writes").atMost(Duration.ofSeconds(60))
                    .until(() -> given().get(mine).then().statusCode(200).extract().jsonPath().getList("alertKey"),
                            List.of(job + "/failed")::equals);
            assertEquals(2, idempotencyKeys.size(), "two attempts, nothing sent again: " + idempotencyKeys);
            assertEquals(1, idempotencyKeys.stream().distinct().count(), "every attempt under one key: " + idempotencyKeys);
        } finally {
            receiver.stop(0);
        }
    }

    /**
     * A dead letter replayed and delivered while hookline.dead-letters refuses writes cannot be deleted: it stays listed
     * and claimed (a second replay sends nothing again) until the topic takes writes, then leaves the list.
     */
    @Test
    void aReplayDeliveredWhileTheTopicRefusesItsDeletionLeavesTheListOnceItTakesIt() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String job = "borg/replayed-" + tag;
        String deadLetters = io.hookline.schema.topics.Topics.withDefaultPrefix().deadLetters();
        List<String> idempotencyKeys = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            idempotencyKeys.add(exchange.getRequestHeaders().getFirst("webhook-id"));
            int status = 500;
            if (idempotencyKeys.size() == 2) {
                // The replay: delivered, as hookline.dead-letters stops taking writes.
                try {
                    OwnBroker.refuseWrites(deadLetters);
                } catch (Exception e) {
                    throw new java.io.IOException(e);
                }
                status = 200;
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
        try {
            Awaitility.await("the application on its own broker").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> given().get("/api/rules").statusCode() == 200);
            TestRules.use("""
                    receivers:
                      - {name: replayed-%s, type: webhook, url: "http://127.0.0.1:%d/hook", max-attempts: 1}
                    default-receiver: replayed-%s
                    """.formatted(tag, receiver.getAddress().getPort(), tag));
            OwnBroker.write(Events.failed(job, "1", Instant.now(), "repository locked"));
            String mine = "/api/dead-letters?receiver=replayed-" + tag;
            String id = Awaitility.await("the dead letter").atMost(Duration.ofSeconds(60)).until(
                    () -> given().get(mine).then().statusCode(200).extract().jsonPath().<String>getList("notificationId"),
                    ids -> ids.size() == 1).get(0);
            try {
                given().post("/api/dead-letters/" + id + "/replay").then().statusCode(202);
                Awaitility.await("the replay delivered").atMost(Duration.ofSeconds(60)).until(() -> idempotencyKeys.size() == 2);
                // Its deletion is refused: still listed, and a second replay sends nothing while it is claimed.
                Awaitility.await("deletions refused").pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                        .until(() -> true);
                assertEquals(List.of(id), given().get(mine).then().extract().jsonPath().getList("notificationId"));
                given().post("/api/dead-letters/" + id + "/replay").then().statusCode(202);
            } finally {
                OwnBroker.takeWrites(deadLetters);
            }
            Awaitility.await("the delivered dead letter leaves the list").atMost(Duration.ofSeconds(60))
                    .until(() -> given().get(mine).then().extract().jsonPath().getList("notificationId").isEmpty());
            assertEquals(2, idempotencyKeys.size(), "the first try and the replay, nothing sent twice: " + idempotencyKeys);
            assertEquals(1, idempotencyKeys.stream().distinct().count(), "one key: " + idempotencyKeys);
        } finally {
            receiver.stop(0);
        }
    }
}
