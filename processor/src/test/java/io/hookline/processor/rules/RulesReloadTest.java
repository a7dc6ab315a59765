package io.hookline.processor.rules;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.time.Duration;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.hookline.devstack.TopicReader;
import io.hookline.schema.AuditEvent;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.topics.Topics;

import io.hookline.processor.KafkaTestResource;
import io.hookline.processor.TestRules;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The rules file is read again on request; a file with mistakes is refused, naming its lines, and changes nothing. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class RulesReloadTest {

    @Test
    void aReloadPutsTheNewRulesInForceAndAMistakeKeepsTheRulesInForce() throws Exception {
        TestRules.use("""
                receivers:
                  - {name: chat, type: slack, url: "%s"}
                """.formatted(TestRules.url("/slack")));
        given().get("/api/rules").then().statusCode(200)
                .body("receivers.name", contains("chat"))
                .body("lastReload.applied", equalTo(true));

        Path file = Path.of(given().get("/api/rules").then().extract().<String>path("file"));
        Files.writeString(file, """
                receivers:
                  - {name: mail, type: email, host: smtp.example.org, port: abc, from: a@example.org, to: b@example.org}
                """);
        given().post("/api/rules/reload").then().statusCode(422)
                .body("applied", equalTo(false))
                .body("problems", hasItem("line 2: receiver mail (email) port 'abc' is not a whole number"))
                .body("receivers", contains("chat"));
        given().get("/api/rules").then().body("receivers.name", contains("chat"))
                .body("lastReload.applied", equalTo(false));
        given().post("/api/receivers/chat/test").then().statusCode(200).body("delivered", equalTo(true));

        TestRules.use("receivers: []\n");
        given().get("/api/rules").then().body("receivers.size()", equalTo(0));
    }

    @Test
    void onlyAnOperatorReloadsAndEveryReloadIsAudited() {
        given().header("Authorization", "Bearer not-a-token-0123456789").post("/api/rules/reload").then().statusCode(401);
        given().header("Authorization", "Bearer " + KafkaTestResource.READER_TOKEN).post("/api/rules/reload")
                .then().statusCode(403);
        given().header("Authorization", "Bearer " + KafkaTestResource.READER_TOKEN).get("/api/rules").then().statusCode(200);

        TestRules.use("receivers: []\n");
        AvroSerde<AuditEvent> serde = AvroSerde.of(AuditEvent.class);
        try (TopicReader<AuditEvent> audit = TopicReader.of(Topics.withDefaultPrefix().audit(), serde::decode)) {
            AuditEvent reload = audit.await(event -> event.getAction().equals("rules.reload"), Duration.ofSeconds(30));
            assertEquals("test-operator", reload.getOperator());
            assertEquals(200, reload.getStatus());
        }
    }
}
