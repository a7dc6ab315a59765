package io.hookline.processor;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.topics.Topics;

/**
 * What the dashboard reads: the job list's filters and run calendar, the counts, a job's schedule and chart points,
 * one job's alerts, the live feed of changes; and that the page itself is served with nothing from elsewhere.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class DashboardApiTest {

    static final Topics TOPICS = Topics.withDefaultPrefix();

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Test
    void theListIsFilteredAndEachJobCarriesItsDaysInTheAskedTimeZone() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String ok = "esxi-" + tag + "/a" + tag + "/web";
        String bad = "esxi-" + tag + "/b" + tag + "/db";
        // 23:30 UTC yesterday: yesterday in UTC, today in Auckland (UTC+13 in December).
        Instant lateYesterday = LocalDate.now(ZoneId.of("UTC")).atStartOfDay(ZoneId.of("UTC")).minusMinutes(30).toInstant();
        try (EventWriter writer = new EventWriter()) {
            writer.write(TOPICS.events(), Events.succeeded(ok, "1", lateYesterday, 60_000));
            writer.write(TOPICS.events(), Events.failed(bad, "2", Instant.now(), "DC01: snapshot failed"));
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/jobs?q=" + tag).then()
                .statusCode(200).header("X-Total-Count", "2"));

        given().get("/api/jobs?q=" + tag.toUpperCase() + "&status=failing").then().statusCode(200)
                .header("X-Total-Count", "1").body("jobKey", equalTo(List.of(bad)));
        given().get("/api/jobs?source=esxi-" + tag + "&host=a" + tag).then().body("jobKey", equalTo(List.of(ok)));
        given().get("/api/jobs?q=" + tag + "&kind=retrospect").then().header("X-Total-Count", "0");
        given().get("/api/jobs?q=" + tag + "&kind=xsibackup").then().header("X-Total-Count", "2");

        List<Map<String, Object>> utc = given().get("/api/jobs?q=" + tag + "&calendar=3&tz=UTC").then()
                .extract().path("find { it.jobKey == '" + ok + "' }.days");
        assertEquals(3, utc.size());
        assertEquals(LocalDate.now(ZoneId.of("UTC")).toString(), utc.get(2).get("date"));
        assertEquals("ok", utc.get(1).get("outcome"), "yesterday in UTC: " + utc);
        List<Map<String, Object>> auckland = given().get("/api/jobs?q=" + tag + "&calendar=3&tz=Pacific/Auckland")
                .then().extract().path("find { it.jobKey == '" + ok + "' }.days");
        // Auckland's days end with its own today, and the run falls on the day after its UTC date there (whatever
        // the hour the test runs at: from 11:00 UTC Auckland's today is UTC's tomorrow).
        ZoneId nz = ZoneId.of("Pacific/Auckland");
        assertEquals(LocalDate.now(nz).toString(), auckland.get(2).get("date"), "Auckland's today: " + auckland);
        String runDay = lateYesterday.atZone(nz).toLocalDate().toString();
        assertEquals(LocalDate.now(ZoneId.of("UTC")).toString(), runDay);
        assertEquals("ok", auckland.stream().filter(day -> runDay.equals(day.get("date"))).findFirst()
                .orElseThrow(() -> new AssertionError(runDay + " not among " + auckland)).get("outcome"),
                "the run's day in Auckland: " + auckland);
        List<Map<String, Object>> failed = given().get("/api/jobs?q=" + tag + "&status=failing&calendar=1").then()
                .extract().path("[0].days");
        assertEquals("failed", failed.get(0).get("outcome"));
        assertEquals(1, failed.get(0).get("failed"));

        // The next page keeps the filters.
        String link = given().get("/api/jobs?q=" + tag + "&limit=1&calendar=2").then().extract().header("Link");
        assertTrue(link.contains("q=" + tag) && link.contains("calendar=2") && link.contains("after="), link);

        // Mistakes are named.
        given().get("/api/jobs?status=broken").then().statusCode(400)
                .body("error", containsString("status must be one of [failing, new, ok, running, warning]"));
        given().get("/api/jobs?calendar=400").then().statusCode(400)
                .body("error", equalTo("calendar is the number of days to show, from 1 to 62, not 400"));
        given().get("/api/jobs?tz=Mars/Olympus").then().statusCode(400)
                .body("error", equalTo("tz 'Mars/Olympus' is not a time zone (e.g. Europe/Berlin or UTC)"));
        given().get("/api/jobs?calendar=-9223372036854775808").then().statusCode(400)
                .body("error", equalTo("calendar is the number of days to show, from 1 to 62, not "
                        + "'-9223372036854775808'"));
        given().get("/api/jobs?calendar=two").then().statusCode(400)
                .body("error", equalTo("calendar is the number of days to show, from 1 to 62, not 'two'"));
        given().get("/api/jobs?limit=lots").then().statusCode(400)
                .body("error", equalTo("limit must be a whole number from 1 to 1000, not 'lots'"));
        given().get("/api/jobs?q=" + "x".repeat(201)).then().statusCode(400)
                .body("error", equalTo("q is 201 characters long; at most 200"));

        // The counts behind the overview's buttons and filters.
        List<Map<String, Object>> summary = given().get("/api/jobs/summary").then().statusCode(200).extract().path("");
        assertTrue(summary.contains(Map.of("field", "source", "value", "esxi-" + tag, "count", 2)), summary.toString());
        assertTrue(summary.contains(Map.of("field", "host", "value", "b" + tag, "count", 1)), summary.toString());
        assertTrue(summary.stream().anyMatch(row -> row.get("field").equals("status") && row.get("value").equals("failing")
                && ((Number) row.get("count")).intValue() >= 1), summary.toString());
    }

    @Test
    void theCountsFollowEachChangeAndTheUnfilteredPagesWalkEveryJobOnce() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String job = "esxi-" + tag + "/c" + tag + "/files";
        try (EventWriter writer = new EventWriter()) {
            writer.write(TOPICS.events(), Events.failed(job, "1", Instant.now(), "datastore full"));
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/jobs/summary").then()
                .statusCode(200).body("find { it.field == 'source' && it.value == 'esxi-" + tag + "' }.count", equalTo(1)));
        long failing = count("status", "failing");
        long ok = count("status", "ok");
        try (EventWriter writer = new EventWriter()) {
            writer.write(TOPICS.events(), Events.succeeded(job, "2", Instant.now(), 60_000));
        }
        // The job moves from failing to ok: one fewer failing, one more ok, still one job of its source.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertEquals(List.of(failing - 1, ok + 1),
                List.of(count("status", "failing"), count("status", "ok"))));
        assertEquals(1, count("source", "esxi-" + tag));
        assertEquals(1, count("host", "c" + tag));

        // Without a filter, pages of 7 read from the cursor on: every job once, in key order, as many as counted.
        long counted = given().get("/api/jobs/summary").then().extract().jsonPath()
                .getList("findAll { it.field == 'status' }.count", Long.class).stream().mapToLong(Long::longValue).sum();
        List<String> walked = new java.util.ArrayList<>();
        String next = "/api/jobs?limit=7";
        long total = -1;
        while (next != null) {
            var page = given().urlEncodingEnabled(false).get(next).then().statusCode(200).extract();
            total = total < 0 ? Long.parseLong(page.header("X-Total-Count")) : total;
            List<String> keys = page.jsonPath().getList("jobKey");
            assertTrue(keys.size() <= 7, keys.toString());
            walked.addAll(keys);
            String link = page.header("Link");
            next = link == null ? null : link.substring(1, link.indexOf('>'));
        }
        assertEquals(counted, total, "X-Total-Count and the summary");
        assertEquals(total, walked.size(), "the pages hold every job");
        assertEquals(walked.size(), new java.util.HashSet<>(walked).size(), "a job on two pages");
        assertEquals(walked.stream().sorted().toList(), walked, "in key order");
        assertTrue(walked.contains(job));
    }

    @Test
    void theFiltersFindTheJobsOfEachStatusHostAndSourceAsTheyChange() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        List<String> failing = new java.util.ArrayList<>();
        List<String> ok = new java.util.ArrayList<>();
        try (EventWriter writer = new EventWriter()) {
            for (int i = 0; i < 12; i++) {
                String job = "esxi-" + tag + "/h" + (i % 2) + tag + "/job-" + i;
                boolean fails = i % 3 == 0;
                (fails ? failing : ok).add(job);
                writer.write(TOPICS.events(), fails ? Events.failed(job, "1", Instant.now(), "datastore full")
                        : Events.succeeded(job, "1", Instant.now(), 60_000));
            }
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/jobs?source=esxi-" + tag).then()
                .statusCode(200).header("X-Total-Count", "12"));
        assertEquals(sorted(ok), walk("/api/jobs?source=esxi-" + tag + "&status=ok&limit=3", 8));
        assertEquals(sorted(failing), walk("/api/jobs?status=failing&source=esxi-" + tag + "&limit=3", 4));
        assertEquals(sorted(failing.stream().filter(job -> job.contains("/h0")).toList()),
                walk("/api/jobs?host=h0" + tag + "&status=failing&limit=1", 2));
        assertEquals(sorted(ok.stream().filter(job -> job.contains("/h1")).toList()),
                walk("/api/jobs?host=h1" + tag + "&kind=xsibackup&status=ok&q=JOB&limit=2", 4));
        assertEquals(List.of(), walk("/api/jobs?host=h1" + tag + "&kind=retrospect", 0));
        assertEquals(List.of(), walk("/api/jobs?host=nowhere-" + tag + "&status=ok", 0));

        // Two jobs recover and one fails: each filter follows at once.
        String recovers = failing.get(0);
        String breaks = ok.get(0);
        try (EventWriter writer = new EventWriter()) {
            writer.write(TOPICS.events(), Events.succeeded(recovers, "2", Instant.now(), 60_000));
            writer.write(TOPICS.events(), Events.failed(breaks, "2", Instant.now(), "snapshot failed"));
        }
        failing.remove(recovers);
        failing.add(breaks);
        ok.remove(breaks);
        ok.add(recovers);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertEquals(sorted(failing),
                walk("/api/jobs?status=failing&source=esxi-" + tag + "&limit=3", failing.size())));
        assertEquals(sorted(ok), walk("/api/jobs?status=ok&source=esxi-" + tag + "&limit=5", ok.size()));
        // Past the last job of a filter: an empty page, still counting them all.
        given().urlEncodingEnabled(true).queryParam("status", "failing").queryParam("source", "esxi-" + tag)
                .queryParam("after", "esxi-" + tag + "/~").get("/api/jobs").then().statusCode(200)
                .header("X-Total-Count", String.valueOf(failing.size())).body("jobKey", equalTo(List.of()));
    }

    @Test
    void theSearchFindsAJobByItsNameAndForgetsANameItNoLongerHas() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String job = "pve-" + tag + "/node1/vzdump-101";
        BackupEvent first = Events.succeeded(job, "1", Instant.now(), 60_000);
        first.setJobName("Vzdump to NAS-" + tag.toUpperCase());
        try (EventWriter writer = new EventWriter()) {
            writer.write(TOPICS.events(), first);
        }
        // Neither the key nor the host holds "nas-": the name does, in another case.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertEquals(List.of(job),
                walk("/api/jobs?q=nas-" + tag, 1)));
        assertEquals(List.of(job), walk("/api/jobs?q=NODE1&source=pve-" + tag, 1));
        assertEquals(List.of(), walk("/api/jobs?q=nas-" + tag + "&status=failing", 0));

        BackupEvent renamed = Events.failed(job, "2", Instant.now(), "storage offline");
        renamed.setJobName("Vzdump to tape " + tag);
        try (EventWriter writer = new EventWriter()) {
            writer.write(TOPICS.events(), renamed);
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertEquals(List.of(job),
                walk("/api/jobs?q=tape%20" + tag + "&status=failing", 1)));
        assertEquals(List.of(), walk("/api/jobs?q=nas-" + tag, 0));

        // A name its key holds (in another case) is found through the key; the name before no longer finds it.
        BackupEvent plain = Events.succeeded(job, "3", Instant.now(), 60_000);
        plain.setJobName("VZDUMP-101");
        try (EventWriter writer = new EventWriter()) {
            writer.write(TOPICS.events(), plain);
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertEquals(List.of(),
                walk("/api/jobs?q=tape%20" + tag, 0)));
        assertEquals(List.of(job), walk("/api/jobs?q=Vzdump-101&source=pve-" + tag, 1));

        // A name of 10,000 characters is not kept in memory, yet the search finds what it holds at its end.
        String longer = "pve-" + tag + "/node2/vzdump-102";
        BackupEvent wordy = Events.succeeded(longer, "1", Instant.now(), 60_000);
        wordy.setJobName("x".repeat(9_990) + "Deep-" + tag);
        try (EventWriter writer = new EventWriter()) {
            writer.write(TOPICS.events(), wordy);
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertEquals(List.of(longer),
                walk("/api/jobs?q=deep-" + tag, 1)));
        assertEquals(List.of(longer), walk("/api/jobs?q=xxx&source=pve-" + tag + "&limit=1", 1));
    }

    /** The job keys of every page from {@code first} on, following Link; each page's X-Total-Count must be {@code total}. */
    static List<String> walk(String first, int total) {
        List<String> walked = new java.util.ArrayList<>();
        String next = first;
        while (next != null) {
            var page = given().urlEncodingEnabled(false).get(next).then().statusCode(200).extract();
            assertEquals(String.valueOf(total), page.header("X-Total-Count"), next);
            walked.addAll(page.jsonPath().getList("jobKey"));
            String link = page.header("Link");
            next = link == null ? null : link.substring(1, link.indexOf('>'));
        }
        return walked;
    }

    static List<String> sorted(List<String> keys) {
        return keys.stream().sorted().toList();
    }

    /** A row of /api/jobs/summary, 0 when it has none. */
    static long count(String field, String value) {
        List<Map<String, Object>> rows = given().get("/api/jobs/summary").then().statusCode(200).extract().path("");
        return rows.stream().filter(row -> field.equals(row.get("field")) && value.equals(row.get("value")))
                .mapToLong(row -> ((Number) row.get("count")).longValue()).sum();
    }

    @Test
    void aJobShowsItsScheduleNextRunAndChartPointsWithTheAnomalyMedian() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String job = "nightly-" + tag + "/esxi01/vm";
        TestRules.use("""
                jobs:
                  - match: "nightly-%s/*"
                    schedule: {every: 24h, grace: 2h}
                    max-duration: 6h
                receivers:
                  - {name: log, type: console}
                """.formatted(tag));
        Instant start = Instant.now().minus(Duration.ofDays(7));
        try (EventWriter writer = new EventWriter()) {
            for (int i = 0; i < 7; i++) {
                writer.write(TOPICS.events(), Events.succeeded(job, "r" + i, start.plus(Duration.ofDays(i)),
                        (10 + i) * 60_000L));
            }
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/jobs/" + job).then()
                .statusCode(200).body("runs", equalTo(7)));
        var answer = given().get("/api/jobs/" + job + "?calendar=10&tz=UTC").then().statusCode(200)
                .body("schedule.rule", equalTo("nightly-" + tag + "/*"))
                .body("schedule.schedule", equalTo("every 1d + 2h grace"))
                .body("schedule.maxDuration", equalTo("6h"))
                .body("days.size()", equalTo(10))
                .body("series.size()", equalTo(7))
                .body("series[0].runId", equalTo("r0"))
                .body("series[4].medianDurationMs", nullValue())
                // The sixth run is compared with the five before it: their median, 12 minutes.
                .body("series[5].medianDurationMs", equalTo(12 * 60_000))
                .body("series[6].medianDurationMs", equalTo(13 * 60_000))
                .extract();
        Instant last = start.plus(Duration.ofDays(6));
        Instant next = Instant.parse(answer.path("schedule.nextExpectedAt"));
        assertEquals(last.plus(Duration.ofDays(1)).toEpochMilli(), next.toEpochMilli(), 1000);
        assertEquals(next.plus(Duration.ofHours(2)), Instant.parse(answer.path("schedule.lateAfter")));
        // The days before the job was first seen are not known; then a run a day, each ok; today nothing yet, and
        // nothing missed while today's run is still within its time.
        List<String> outcomes = answer.path("days.outcome");
        assertEquals(List.of("unknown", "unknown", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "none"), outcomes);

        given().get("/api/jobs/" + job + "?tz=Nowhere/Else").then().statusCode(400);
    }

    @Test
    void oneJobsAlertsAreAskedForByItsKey() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String job = "alerting-" + tag + "/db";
        try (EventWriter writer = new EventWriter()) {
            writer.write(TOPICS.events(), Events.failed(job, "1", Instant.now(), "disk full"));
            writer.write(TOPICS.events(), Events.failed("alerting-" + tag + "/other", "1", Instant.now(), "disk full"));
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/alerts?job=" + job).then()
                .statusCode(200).body("jobKey", equalTo(List.of(job))));
        given().get("/api/alerts?job=" + "j".repeat(2049)).then().statusCode(400);
    }

    private HttpResponse<java.io.InputStream> openLiveFeed() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/api/live"))
                .header("Authorization", "Bearer " + KafkaTestResource.OPERATOR_TOKEN).build(),
                HttpResponse.BodyHandlers.ofInputStream());
    }

    /** The first data line of the feed that names {@code job}, read as it comes. */
    private static CompletableFuture<String> firstChangeNaming(java.io.InputStream feed, String job) {
        BufferedReader lines = new BufferedReader(new InputStreamReader(feed, StandardCharsets.UTF_8));
        return CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = lines.readLine()) != null;) {
                    if (line.startsWith("data: ") && line.contains(job)) {
                        return line;
                    }
                }
                return null;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void theLiveFeedTellsOfAChangedJobWithinSeconds() throws Exception {
        String job = "live-" + UUID.randomUUID().toString().substring(0, 8) + "/files";
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<java.io.InputStream> stream = openLiveFeed();
        assertEquals(200, stream.statusCode());
        assertEquals("text/event-stream; charset=utf-8", stream.headers().firstValue("Content-Type").orElse(""));
        assertEquals("no", stream.headers().firstValue("X-Accel-Buffering").orElse(""));
        CompletableFuture<String> heard = firstChangeNaming(stream.body(), job);
        try {
            // The feed follows from the end: it is open before the change is written.
            TimeUnit.SECONDS.sleep(2);
            try (EventWriter writer = new EventWriter()) {
                writer.write(TOPICS.events(), Events.failed(job, "1", Instant.now(), "VM1: snapshot failed"));
            }
            String data = heard.get(30, TimeUnit.SECONDS);
            assertTrue(data.contains("\"jobs\":[") && data.contains("\"all\":false"), data);
        } finally {
            stream.body().close();
        }
        // Without an operator the feed is refused like the rest of the API.
        assertEquals(401, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/live"))
                .header("Authorization", "Bearer wrong").build(), HttpResponse.BodyHandlers.discarding()).statusCode());
    }

    /**
     * Nobody watching, the feed reads nothing; the first browser to come has it go on from where the topics ended
     * before it came, so that a change written at once, before the feed is back, is told too.
     */
    @Test
    void aChangeWrittenAsTheFirstBrowserConnectsIsTold() throws Exception {
        // Nobody follows the feed now: the other test's stream is closed.
        await().atMost(Duration.ofSeconds(10)).until(() -> given().get("/q/metrics").asString()
                .contains("hookline_dashboard_live_clients 0.0"));
        TimeUnit.SECONDS.sleep(2);
        String job = "live-" + UUID.randomUUID().toString().substring(0, 8) + "/files";
        HttpResponse<java.io.InputStream> stream = openLiveFeed();
        try {
            try (EventWriter writer = new EventWriter()) {
                writer.write(TOPICS.events(), Events.failed(job, "1", Instant.now(), "VM1: snapshot failed"));
            }
            String data = firstChangeNaming(stream.body(), job).get(30, TimeUnit.SECONDS);
            assertTrue(data.contains("\"jobs\":[\"" + job + "\"]"), data);
        } finally {
            stream.body().close();
        }
    }

    @Test
    void theDashboardIsServedWithRelativeAddressesAndNothingFromElsewhere() {
        String page = given().get("/").then().statusCode(200).contentType(containsString("text/html")).extract().asString();
        assertTrue(page.contains("<link rel=\"stylesheet\" href=\"app.css\">") && page.contains("<script src=\"app.js\">"),
                "assets by relative address, so that a path prefix works: " + page);
        String script = given().get("/app.js").then().statusCode(200).contentType(containsString("javascript"))
                .body(containsString("new EventSource('api/live')"))
                .body(containsString("fetch('api/' + path")).extract().asString();
        String style = given().get("/app.css").then().statusCode(200).contentType(containsString("text/css"))
                .extract().asString();
        for (String asset : List.of(page, script, style)) {
            assertFalse(asset.contains("http://") || asset.contains("https://") || asset.contains("fetch('/"),
                    "an absolute or outside address in the dashboard");
        }
        given().get("/app.js").then().body(not(containsString("innerHTML = j")));
    }
}
