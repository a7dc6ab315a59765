package io.hookline.processor.alerts;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
    void aLongListComesAPageAtATimeInItsOrderWithNoAlertTwice() throws Exception {
        String prefix = "esxi-prod/pager/" + UUID.randomUUID().toString().substring(0, 8);
        Instant t0 = Instant.now().minusSeconds(600).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        List<String> mine = new java.util.ArrayList<>();
        String twice = prefix + "-twice";
        try (EventWriter writer = new EventWriter()) {
            for (int i = 0; i < 7; i++) {
                writer.write(TOPICS.events(), Events.failed(prefix + "-" + i, "1", t0.plusSeconds(i), "disk full"));
                mine.add(prefix + "-" + i + "/failed");
            }
            // Three failures of one job: it fires both failed and failure_rate (3 of the last 5).
            for (int run = 0; run < 3; run++) {
                writer.write(TOPICS.events(), Events.failed(twice, "r" + run, t0.plusSeconds(10 + run), "disk full"));
            }
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/alerts?status=firing&limit=1000")
                .then().statusCode(200).body("alertKey", org.hamcrest.Matchers.hasItems(mine.toArray(String[]::new))));

        List<Map<String, Object>> listed = new java.util.ArrayList<>();
        String next = "/api/alerts?status=firing&limit=3";
        long total = -1;
        while (next != null) {
            // The Link's address is already encoded: sent as it is, as a client following it does.
            var page = given().urlEncodingEnabled(false).get(next).then().statusCode(200).extract();
            List<Map<String, Object>> alerts = page.jsonPath().getList("$");
            assertTrue(alerts.size() <= 3, "a page of " + alerts.size() + " alerts for limit=3");
            total = total < 0 ? Long.parseLong(page.header("X-Total-Count")) : total;
            listed.addAll(alerts);
            String link = page.header("Link");
            if (link != null) {
                assertEquals(3, alerts.size(), "a page before the last is full");
                assertTrue(link.endsWith(">; rel=\"next\"") && link.contains("status=firing"), link);
                next = link.substring(1, link.indexOf('>'));
            } else {
                next = null;
            }
        }
        List<String> keys = listed.stream().map(alert -> (String) alert.get("alertKey")).toList();
        assertEquals(keys.size(), new java.util.HashSet<>(keys).size(), "an alert listed twice: " + keys);
        assertTrue(keys.containsAll(mine), "missing some of " + mine + " in " + keys);
        assertTrue(total >= mine.size(), "X-Total-Count " + total);
        assertTrue(listed.stream().allMatch(alert -> !"resolved".equals(alert.get("status"))), listed.toString());
        for (int i = 1; i < listed.size(); i++) {
            Instant before = Instant.parse((String) listed.get(i - 1).get("updatedAt"));
            Instant after = Instant.parse((String) listed.get(i).get("updatedAt"));
            assertTrue(!after.isAfter(before) && (after.isBefore(before) || keys.get(i).compareTo(keys.get(i - 1)) > 0),
                    "out of order: " + listed.get(i - 1) + " then " + listed.get(i));
        }

        // One job's two alerts, one a page: the count says two, the first page links to the second, the last to none.
        String jobQuery = "/api/alerts?limit=1&job=" + java.net.URLEncoder.encode(twice, java.nio.charset.StandardCharsets.UTF_8);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().urlEncodingEnabled(false).get(jobQuery).then()
                .header("X-Total-Count", "2"));
        var first = given().urlEncodingEnabled(false).get(jobQuery).then().statusCode(200).body("size()", equalTo(1)).extract();
        String link = first.header("Link");
        assertTrue(link != null && link.contains("job=" + java.net.URLEncoder.encode(twice,
                java.nio.charset.StandardCharsets.UTF_8)), "the next page keeps the filter: " + link);
        var second = given().urlEncodingEnabled(false).get(link.substring(1, link.indexOf('>'))).then().statusCode(200)
                .header("X-Total-Count", "2").header("Link", org.hamcrest.Matchers.nullValue())
                .body("size()", equalTo(1)).extract();
        assertEquals(java.util.Set.of(twice + "/failed", twice + "/failure_rate"),
                java.util.Set.of(first.jsonPath().getString("[0].alertKey"), second.jsonPath().getString("[0].alertKey")));

        // The firing list (kept in order as alerts change) is the open part of the whole list (read from the store).
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<String> whole = given().get("/api/alerts?limit=1000").then().statusCode(200).extract().jsonPath()
                    .getList("findAll { it.status != 'resolved' }.alertKey");
            var firing = given().get("/api/alerts?status=firing&limit=1000").then().statusCode(200).extract();
            assertEquals(whole, firing.jsonPath().getList("alertKey"));
            assertEquals(String.valueOf(whole.size()), firing.header("X-Total-Count"));
        });
    }

    @Test
    void aPageSizeOrCursorItCannotUseIsRefusedWithASentence() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/alerts").then().statusCode(200));
        for (String limit : List.of("0", "1001", "ten", "-5", "-9223372036854775808")) {
            given().get("/api/alerts?limit=" + limit).then().statusCode(400)
                    .body("error", equalTo("limit must be a whole number from 1 to 1000, not '" + limit + "'"));
        }
        for (String after : List.of("yesterday", "f:soon:esxi/a/failed", "x:1:esxi/a/failed", "f:1:")) {
            given().queryParam("after", after).get("/api/alerts").then().statusCode(400)
                    .body("error", org.hamcrest.Matchers.startsWith("after must be the cursor a Link header gives"))
                    .body("error", org.hamcrest.Matchers.endsWith("not '" + after + "'"));
        }
    }

    @Test
    void aGroupOrJobKeyOfTenThousandCharactersIsRefusedWithASentence() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/alerts").then().statusCode(200));
        given().get("/api/alerts?group=" + "g".repeat(10_000)).then().statusCode(400)
                .body("error", equalTo("group is 10000 characters long; a group key is at most 2048"));
        given().get("/api/alerts?job=" + "j".repeat(10_000)).then().statusCode(400)
                .body("error", equalTo("job is 10000 characters long; a job key is at most 2048"));
    }

    @Test
    void aWrongStatusFilterIsRefusedWithASentence() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/alerts").then().statusCode(200));
        given().get("/api/alerts?status=open").then().statusCode(400)
                .body("error", equalTo("status must be firing or resolved, not 'open'"));
    }
}
