package io.hookline.gateway.hook;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import java.util.UUID;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.hookline.gateway.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Every POST endpoint takes its source's token in the path or as a Bearer token, the same way. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class TokenPlacementTest {

    static final String PROXMOX = "phase=job-start&mode=snapshot&node=pve1&run=";
    static final String RETROSPECT = "event=StartScript&arg=Nightly&arg=Mon+Nov+23+2026+01%3A00%3A00&host=retro1&x=";
    static final String EVENT = "{\"job\":\"placement\",\"status\":\"succeeded\",\"runId\":\"%s\"}";

    @ParameterizedTest
    @CsvSource({
            "/hooks/proxmox, test-token-pve-cluster-0123456789, proxmox, OK",
            "/hooks/retrospect, test-token-retro-office-0123456789, retrospect, continue",
            "/events, test-token-apps-events-0123456789, events, OK"})
    void theTokenInThePathOrAsBearerIsTheSameHook(String path, String token, String kind, String answer) {
        String run = UUID.randomUUID().toString();
        String body = kind.equals("events") ? EVENT.formatted(run) : (kind.equals("proxmox") ? PROXMOX : RETROSPECT) + run;
        String type = kind.equals("events") ? "application/json" : "application/x-www-form-urlencoded";
        given().contentType(type).body(body).post(path + "/" + token)
                .then().statusCode(200).body(containsString(answer));
        given().contentType(type).header("Authorization", "Bearer " + token).body(body).post(path)
                .then().statusCode(200).body(containsString(answer));
        given().contentType(type).body(body).post(path)
                .then().statusCode(401).body(containsString("no token"));
        given().contentType(type).body(body).post(path + "/not-" + token)
                .then().statusCode(404);
    }
}
