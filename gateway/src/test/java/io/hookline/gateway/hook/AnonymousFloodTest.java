package io.hookline.gateway.hook;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.hookline.gateway.KafkaTestResource;
import io.hookline.devstack.RawHttp;
import io.hookline.devstack.TopicReader;
import io.hookline.schema.RejectedHook;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.topics.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** A flood of unauthenticated requests is limited per address and sampled; real hooks still get OK at once. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@TestProfile(AnonymousFloodTest.Limits.class)
class AnonymousFloodTest {

    public static class Limits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("hookline.gateway.anonymous.rate-limit", "5", "hookline.gateway.anonymous.rate-burst", "20",
                    "hookline.gateway.anonymous.sample-interval", "2s");
        }
    }

    static final String PINGS = "test-token-borg-pings-0123456789";

    @TestHTTPResource("/")
    URL root;

    @Test
    void duringAFloodOf404sValidHooksGetOkWithinASecondAndTheFloodIsSampled() throws Exception {
        String marker = "flood-" + UUID.randomUUID().toString().substring(0, 8);
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        floodWhileHooksArrive(marker, () -> client.send(HttpRequest.newBuilder(URI.create(root + "wp-login.php/" + marker))
                .GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void aFloodOfUrlsJavaCannotParseIsLimitedAndSampledTheSameWay() throws Exception {
        String marker = "malformed-" + UUID.randomUUID().toString().substring(0, 8);
        floodWhileHooksArrive(marker, () -> {
            String answer = RawHttp.get(root.getHost(), root.getPort(), "/wp-login.php/" + marker + "?%%%");
            return Integer.parseInt(answer.substring("HTTP/1.1 ".length(), "HTTP/1.1 ".length() + 3));
        });
    }

    /**
     * Four threads send {@code refused} (a request no source proves, its path holding {@code marker}) as fast as it
     * is answered while twenty pings arrive: each ping is answered OK within a second, most of the flood is answered
     * 429, and hookline.rejected holds the burst, the rate and a sample per interval, counting what it left out.
     */
    void floodWhileHooksArrive(String marker, java.util.concurrent.Callable<Integer> refused) throws Exception {
        // The first hook after start fetches the topic's metadata: not what this test measures.
        given().post("/ping/" + PINGS + "/warm-" + marker + "?create=1").then().statusCode(200);
        AtomicBoolean flooding = new AtomicBoolean(true);
        AtomicLong sent = new AtomicLong();
        AtomicLong limited = new AtomicLong();
        ExecutorService flood = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            flood.submit(() -> {
                while (flooding.get()) {
                    try {
                        int status = refused.call();
                        sent.incrementAndGet();
                        if (status == 429) {
                            limited.incrementAndGet();
                        }
                    } catch (Exception e) {
                        return null;
                    }
                }
                return null;
            });
        }
        long floodStarted = System.nanoTime();
        List<Long> latencies = new ArrayList<>();
        try {
            String slug = "during-" + marker;
            for (int i = 0; i < 20; i++) {
                long started = System.nanoTime();
                given().post("/ping/" + PINGS + "/" + slug + "?create=1").then().statusCode(200);
                latencies.add((System.nanoTime() - started) / 1_000_000);
                TimeUnit.MILLISECONDS.sleep(150);
            }
        } finally {
            flooding.set(false);
            flood.shutdown();
            flood.awaitTermination(10, TimeUnit.SECONDS);
        }
        // One more once the rate allows it: its record carries the count of the flood's last unrecorded refusals,
        // which would otherwise ride on the next flood's first record (the count is kept per address).
        TimeUnit.MILLISECONDS.sleep(600);
        refused.call();
        sent.incrementAndGet();
        double floodSeconds = (System.nanoTime() - floodStarted) / 1e9;
        long slowest = latencies.stream().mapToLong(Long::longValue).max().orElseThrow();
        assertTrue(slowest < 1000, "the slowest valid hook took " + slowest + " ms during the flood: " + latencies);
        assertTrue(sent.get() > 200, "the flood sent only " + sent.get());
        assertTrue(limited.get() > sent.get() / 2, limited.get() + " of " + sent.get() + " were limited");

        try (TopicReader<RejectedHook> rejected = TopicReader.of(Topics.withDefaultPrefix().rejected(),
                AvroSerde.of(RejectedHook.class)::decode)) {
            List<RejectedHook> recorded = rejected.drain(Duration.ofSeconds(3)).stream()
                    .filter(h -> h.getRaw().getPath().contains(marker)).toList();
            long accounted = recorded.size() + recorded.stream().mapToLong(RejectedHook::getSuppressed).sum();
            // The burst, the rate, and one sample per interval: not one record per request.
            long bound = 20 + (long) Math.ceil(floodSeconds * 5) + (long) Math.ceil(floodSeconds / 2) + 2;
            assertTrue(recorded.size() <= bound, recorded.size() + " records for " + sent.get() + " refusals in "
                    + floodSeconds + " s; at most " + bound);
            assertTrue(recorded.stream().anyMatch(h -> h.getSuppressed() > 0), "a record counts those not recorded");
            assertTrue(accounted <= sent.get() && accounted > sent.get() / 2,
                    "records and their suppressed counts account for " + accounted + " of " + sent.get());
        }
        assertEquals(200, given().post("/ping/" + PINGS + "/after-" + marker + "?create=1").statusCode());
    }
}
