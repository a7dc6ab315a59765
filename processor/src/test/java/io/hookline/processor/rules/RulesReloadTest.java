package io.hookline.processor.rules;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

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
}
