package io.hookline.e2e;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.TreeSet;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.hookline.devstack.LocalKafka;

/**
 * Two processor instances on one broker, each holding part of the jobs: /api/jobs (every page of it),
 * /api/jobs/{key} and /api/alerts answer the same from either, while each instance's own stores hold only its part.
 * The second is reached by the first as an instance of the release before /api/commands/addressed would be (through
 * {@link ReleaseBefore}), so that both ways of asking for commands' statuses are used: many jobs an ask, and the
 * job-by-job asks a cluster in the middle of a rolling update still needs.
 */
class ClusterApiTest {

    static final Path ROOT = LocalRunTest.ROOT;
    static final String TOKEN = "e2e-cluster-token-0123456789abcdef";
    static final String OPERATOR = "e2e-cluster-operator-0123456789abcdef";
    static final String AGENT = "e2e-cluster-agent-0123456789abcdef";
    static final String FLEET_AGENT = "e2e-cluster-fleet-0123456789abcdef";
    /**
     * Chain rules that each run agent fleet's action as a job of its own, after one run: commands addressed to this
     * many jobs, spread over both instances, with names long enough that one ask cannot name them all.
     */
    static final int FLEET = 150;
    static final int JOBS = 30;
    static final int FAILING = 10;
    /** Fan-in rules, each waiting for two jobs of its own: their tasks fall to either instance. */
    static final List<String> FANS = List.of("fan-a", "fan-b", "fan-c", "fan-d", "fan-e", "fan-f");

    @TempDir
    Path home;

    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper json = new ObjectMapper();

    /** A processor on {@code port}, which the other instances reach at {@code reachedAt}. */
    Process processor(Processes processes, String name, String bootstrap, int port, int reachedAt, Path rules)
            throws Exception {
        return processes.java(name, List.of("-Xmx320m", "-Dquarkus.http.port=" + port,
                "-Dkafka.bootstrap.servers=" + bootstrap, "-Dhookline.state-dir=" + home.resolve(name + "-state"),
                "-Dhookline.instance-id=" + name, "-Dhookline.instance-address=127.0.0.1:" + reachedAt,
                "-Dhookline.rules=" + rules, "-Dhookline.api.users.e2e.role=operate",
                "-Dhookline.api.users.e2e.token=" + OPERATOR,
                "-jar", ROOT.resolve("processor/target/quarkus-app/quarkus-run.jar").toString()));
    }

    /** A wait for what the instances answer, asking every 250 ms (each list asks the other instance too). */
    static ConditionFactory waiting(String what, int seconds) {
        return Awaitility.await(what).atMost(Duration.ofSeconds(seconds)).pollInterval(Duration.ofMillis(250));
    }

    /** An answer's status and X-Total-Count, as a wait compares and its failure shows them. */
    static String counted(HttpResponse<String> answer) {
        return answer.statusCode() + " " + answer.headers().firstValue("X-Total-Count").orElse("?");
    }

    HttpResponse<String> get(int port, String path, boolean localOnly) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + OPERATOR).timeout(Duration.ofSeconds(30));
        if (localOnly) {
            request.header("X-Hookline-Local", "true");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    List<String> keys(JsonNode list, String field) {
        List<String> keys = new ArrayList<>();
        list.forEach(item -> keys.add(item.path(field).asText()));
        return keys;
    }

    /** Every page of /api/jobs from one instance, following its Link headers. */
    List<String> allPages(int port, int limit) throws Exception {
        return allPages(port, "/api/jobs?limit=" + limit, "jobKey");
    }

    /** Every page of a list from one instance, starting at {@code path} and following its Link headers. */
    List<String> allPages(int port, String path, String field) throws Exception {
        List<String> keys = new ArrayList<>();
        for (int page = 0; page < 100 && path != null; page++) {
            HttpResponse<String> answer = get(port, path, false);
            assertEquals(200, answer.statusCode(), answer.body());
            keys.addAll(keys(json.readTree(answer.body()), field));
            path = answer.headers().firstValue("Link").map(link -> link.substring(1, link.indexOf('>'))).orElse(null);
        }
        return keys;
    }

    @Test
    void everyInstanceAnswersForEveryJobAndAlertThoughEachHoldsOnlyItsPart() throws Exception {
        int kafkaPort = LocalRunTest.freePortPair();
        int gatewayPort = LocalKafka.freePort();
        int portA = LocalKafka.freePort();
        int portB = LocalKafka.freePort();
        Path rules = home.resolve("rules.yaml");
        try (ReleaseBefore reachB = new ReleaseBefore(portB);
                DashboardBrowserTest.Receiver ci = new DashboardBrowserTest.Receiver();
                LocalKafka kafka = new LocalKafka(home.resolve("kafka"), kafkaPort, kafkaPort + 1).start(Duration.ofMinutes(2));
                Processes processes = new Processes(home)) {
            // Each successful run on esxi-d (sent last) triggers a webhook (delivered: a run of webhook/ci) and an
            // agent's action (nas never polls: queued). The commands are issued where the upstream jobs are, and
            // webhook/ci is held by one instance.
            Files.writeString(rules, """
                    receivers:
                      - {name: console, type: console}
                      - {name: ci, type: webhook, url: "%s"}
                    default-receiver: console
                    chains:
                      - name: verify-after-copy
                        when: {job: "e2e-xsi/esxi-d/*", on: succeeded}
                        run:
                          - {webhook: ci}
                          - {agent: nas, action: copy}
                    """.formatted(ci.url()) + fanInRules() + fleetRules());
            String bootstrap = kafka.bootstrapServers();
            Process gateway = processes.java("gateway", List.of("-Xmx256m", "-Dquarkus.http.port=" + gatewayPort,
                    "-Dkafka.bootstrap.servers=" + bootstrap, "-Dhookline.sources.e2e-xsi.kind=xsibackup",
                    "-Dhookline.sources.e2e-xsi.token=" + TOKEN, "-Dhookline.sources.e2e-xsi.rate-limit=1000",
                    "-Dhookline.sources.nas.kind=agent", "-Dhookline.sources.nas.token=" + AGENT,
                    "-Dhookline.sources.fleet.kind=agent", "-Dhookline.sources.fleet.token=" + FLEET_AGENT,
                    "-jar", ROOT.resolve("gateway/target/quarkus-app/quarkus-run.jar").toString()));
            Process a = processor(processes, "processor-a", bootstrap, portA, portA, rules);
            Process b = processor(processes, "processor-b", bootstrap, portB, reachB.port(), rules);
            processes.awaitReady("gateway", gatewayPort, gateway);
            processes.awaitReady("processor-a", portA, a);
            processes.awaitReady("processor-b", portB, b);

            TreeSet<String> expected = new TreeSet<>();
            TreeSet<String> failing = new TreeSet<>();
            for (int i = 0; i < JOBS; i++) {
                boolean ok = i >= FAILING;
                String cmd = b64("--backup-point=/vmfs/volumes/nas --backup-vms=\"VM" + i + "\" --backup-id=j" + i);
                String query = b64("PID=" + (50_000 + i) + "|t=30|hostname=esxi-c|cmd=" + cmd
                        + (ok ? "" : "|err=" + b64("VM" + i + ": snapshot failed")));
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + gatewayPort + "/hooks/xsibackup/" + TOKEN + (ok ? "/success?" : "/error?") + query)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals("OK", answer.body());
                expected.add("e2e-xsi/esxi-c/j" + i);
                if (!ok) {
                    failing.add("e2e-xsi/esxi-c/j" + i);
                }
            }

            // Both instances see every job once the folds are done (and a rebalance, if one is still settling).
            // (status and X-Total-Count of each)
            waiting("every job in both instances' lists", 120)
                    .until(() -> counted(get(portA, "/api/jobs", false)) + " / " + counted(get(portB, "/api/jobs", false)),
                            equalTo("200 " + JOBS + " / 200 " + JOBS));
            assertEquals(List.copyOf(expected), keys(json.readTree(get(portA, "/api/jobs", false).body()), "jobKey"),
                    "A's list");
            assertEquals(List.copyOf(expected), keys(json.readTree(get(portB, "/api/jobs", false).body()), "jobKey"),
                    "B's list");
            assertEquals(List.copyOf(expected), allPages(portB, 7), "B's pages of 7, followed by their Link");
            assertEquals(List.copyOf(expected), allPages(portA, 4), "A's pages of 4");
            // Keys of 2,000 characters no job has: one of the two holds each one's partition, so the other passes
            // the request on (the keys fall to both), and both answer what a single processor would.
            for (int k = 0; k < 6; k++) {
                String longKey = "e2e-xsi/esxi-c/" + "x".repeat(2_000) + k;
                for (int port : new int[] {portA, portB}) {
                    HttpResponse<String> answer = get(port, "/api/jobs/" + longKey, false);
                    String start = answer.body().substring(0, Math.min(200, answer.body().length()));
                    assertEquals(404, answer.statusCode(), (port == portA ? "A, key " : "B, key ") + k + ": " + start);
                    assertTrue(start.startsWith("{\"error\":\"no job with key 'e2e-xsi/esxi-c/xxx"), start);
                }
            }
            // Filtered and searched, from either instance: each walks its own index, and the pages are merged.
            TreeSet<String> passing = new TreeSet<>(expected);
            passing.removeAll(failing);
            assertEquals(List.copyOf(failing), allPages(portB, "/api/jobs?status=failing&limit=3", "jobKey"),
                    "B's failing jobs in pages of 3");
            assertEquals(List.copyOf(passing), allPages(portA, "/api/jobs?status=ok&host=esxi-c&limit=4", "jobKey"),
                    "A's passing jobs in pages of 4");
            assertEquals(expected.stream().filter(key -> key.contains("/j1")).toList(),
                    allPages(portB, "/api/jobs?q=ESXI-C%2FJ1&limit=2", "jobKey"), "B's search, j1 and j10 to j19");

            // Each instance on its own holds a part only: the lists above were merged.
            List<String> ownA = keys(json.readTree(get(portA, "/api/jobs", true).body()), "jobKey");
            List<String> ownB = keys(json.readTree(get(portB, "/api/jobs", true).body()), "jobKey");
            assertFalse(ownA.isEmpty() || ownB.isEmpty(), "both hold jobs: " + ownA + " / " + ownB);
            assertEquals(JOBS, ownA.size() + ownB.size(), ownA + " / " + ownB);
            assertTrue(ownA.stream().noneMatch(ownB::contains));

            // One job from either instance: the same answer, whichever holds it.
            for (String key : expected) {
                HttpResponse<String> fromA = get(portA, "/api/jobs/" + key, false);
                HttpResponse<String> fromB = get(portB, "/api/jobs/" + key, false);
                assertEquals(200, fromA.statusCode(), key + " from A: " + fromA.body());
                assertEquals(200, fromB.statusCode(), key + " from B: " + fromB.body());
                JsonNode jobA = json.readTree(fromA.body());
                JsonNode jobB = json.readTree(fromB.body());
                assertEquals(key, jobA.path("jobKey").asText());
                assertEquals(jobA, jobB, key);
                assertEquals(200, get(portB, "/api/jobs/" + key + "/retention", false).statusCode());
            }
            assertEquals(404, get(portA, "/api/jobs/e2e-xsi/esxi-c/nope", false).statusCode());

            // Alerts: the ten failures, firing, from either instance.
            List<String> firingA = waiting("A's firing alerts", 60).until(() -> keys(
                    json.readTree(get(portA, "/api/alerts?status=firing", false).body()), "jobKey"), hasSize(FAILING));
            List<String> firingB = keys(json.readTree(get(portB, "/api/alerts?status=firing", false).body()), "jobKey");
            assertEquals(failing, new TreeSet<>(firingA), "A's firing alerts");
            assertEquals(failing, new TreeSet<>(firingB), "B's firing alerts");
            List<String> ownAlertsA = keys(json.readTree(get(portA, "/api/alerts", true).body()), "jobKey");
            List<String> ownAlertsB = keys(json.readTree(get(portB, "/api/alerts", true).body()), "jobKey");
            assertEquals(FAILING, ownAlertsA.size() + ownAlertsB.size(), "each alert held once: " + ownAlertsA + " / "
                    + ownAlertsB);
            assertTrue(ownAlertsA.stream().noneMatch(ownAlertsB::contains));
            // A page at a time, from either instance: the same alerts in the same order as the whole list.
            List<String> wholeA = keys(json.readTree(get(portA, "/api/alerts?status=firing", false).body()), "alertKey");
            assertEquals(wholeA, allPages(portB, "/api/alerts?status=firing&limit=3", "alertKey"), "B's pages of 3");
            assertEquals(wholeA, allPages(portA, "/api/alerts?status=firing&limit=4", "alertKey"), "A's pages of 4");
            // One job's alerts (its page asks for them) from either instance.
            String one = failing.first();
            assertEquals(List.of(one + "/failed"), allPages(portA, "/api/alerts?job=" + URLEncoder.encode(one,
                    StandardCharsets.UTF_8), "alertKey"), "A's alerts of " + one);
            assertEquals(List.of(one + "/failed"), allPages(portB, "/api/alerts?job=" + URLEncoder.encode(one,
                    StandardCharsets.UTF_8), "alertKey"), "B's alerts of " + one);

            // Chained commands: issued by both instances, each listed from either with where it stands, though the
            // job a command runs as (webhook/ci) is held by one of them only.
            int chained = 12;
            List<String> upstreams = new ArrayList<>();
            for (int i = 0; i < chained; i++) {
                String cmd = b64("--backup-point=/vmfs/volumes/nas --backup-vms=\"VM" + i + "\" --backup-id=k" + i);
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + gatewayPort + "/hooks/xsibackup/" + TOKEN + "/success?" + b64("PID=" + (60_000 + i)
                        + "|t=30|hostname=esxi-d|cmd=" + cmd))).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals("OK", answer.body());
                upstreams.add("e2e-xsi/esxi-d/k" + i);
            }
            waiting("A's succeeded webhook commands", 90).until(() -> {
                HttpResponse<String> answer = get(portA, "/api/commands?job=webhook/ci&status=succeeded&limit=1000", false);
                return answer.statusCode() == 200 ? json.readTree(answer.body()).size() : -answer.statusCode();
            }, equalTo(chained));
            assertEquals(chained, ci.bodies.stream().map(body -> {
                java.util.regex.Matcher id = java.util.regex.Pattern.compile("\"commandId\":\"([^\"]+)\"").matcher(body);
                return id.find() ? id.group(1) : body;
            }).distinct().count(), "webhook calls, one per command");
            HttpResponse<String> commandsA = get(portA, "/api/commands?limit=1000", false);
            HttpResponse<String> commandsB = get(portB, "/api/commands?limit=1000", false);
            assertEquals(Integer.toString(2 * chained), commandsA.headers().firstValue("X-Total-Count").orElse(""));
            assertEquals(json.readTree(commandsA.body()), json.readTree(commandsB.body()), "the same list from both");
            JsonNode commands = json.readTree(commandsB.body());
            assertEquals(2 * chained, commands.size());
            for (JsonNode command : commands) {
                String expectedStatus = command.path("jobKey").asText().equals("webhook/ci") ? "succeeded" : "queued";
                assertEquals(expectedStatus, command.path("status").asText(), command.toString());
            }
            assertEquals(chained, json.readTree(get(portB, "/api/commands?job=webhook/ci&status=succeeded&limit=1000",
                    false).body()).size(), "B's succeeded webhook commands");
            assertEquals(chained, json.readTree(get(portB, "/api/commands?agent=nas&status=queued&limit=1000", false)
                    .body()).size(), "B's queued commands for nas");
            // Newest first, in pages of 7 from either: the first 7 of the whole list.
            assertEquals(keys(commands, "commandId").subList(0, 7), keys(json.readTree(get(portA,
                    "/api/commands?limit=7", false).body()), "commandId"));
            // Each instance issued some of them: the lists above were merged, the statuses asked of the job's holder.
            List<String> issuedA = keys(json.readTree(get(portA, "/api/commands?limit=1000", true).body()), "commandId");
            List<String> issuedB = keys(json.readTree(get(portB, "/api/commands?limit=1000", true).body()), "commandId");
            assertFalse(issuedA.isEmpty() || issuedB.isEmpty(), "both issued commands: " + issuedA + " / " + issuedB);
            assertEquals(2 * chained, issuedA.size() + issuedB.size());
            for (int port : new int[] {portA, portB}) {
                JsonNode addressed = json.readTree(get(port, "/api/jobs/webhook/ci?only=commands", false).body());
                assertEquals(chained, addressed.size(), addressed.toString());
                addressed.forEach(link -> assertEquals("succeeded", link.path("status").asText(), link.toString()));
                JsonNode agents = json.readTree(get(port, "/api/agents", false).body());
                assertEquals(1, agents.size(), agents.toString());
                assertEquals("nas", agents.get(0).path("agent").asText());
                assertEquals("never-seen", agents.get(0).path("status").asText());
                assertEquals(chained, agents.get(0).path("commandsWaiting").asInt(), agents.toString());
                // An upstream job's page, from either instance: the two commands it triggered, where each stands.
                for (String upstream : upstreams) {
                    JsonNode job = json.readTree(get(port, "/api/jobs/" + upstream, false).body());
                    List<String> statuses = new ArrayList<>();
                    job.path("triggered").forEach(command -> statuses.add(command.path("status").asText()));
                    statuses.sort(null);
                    assertEquals(List.of("queued", "succeeded"), statuses, upstream + ": " + job.path("triggered"));
                }
            }
            // The agent polls once: its own job (nas/agent) is on one instance, its commands on both. Either says it
            // is online, with what it offers, and counts every command delivered to it and not yet started.
            HttpResponse<String> poll = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort
                    + "/agent/v1/commands?wait=0")).header("Authorization", "Bearer " + AGENT)
                    .header("Hookline-Agent-Version", "2.0-e2e").header("Hookline-Agent-Actions", "copy")
                    .header("Hookline-Agent-Host", "nas-host").build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(poll.statusCode() == 200 || poll.statusCode() == 204, poll.statusCode() + " " + poll.body());
            JsonNode agent = waiting("the agent online", 60).until(
                    () -> json.readTree(get(portA, "/api/agents", false).body()).path(0),
                    found -> found.path("status").asText().equals("online"));
            for (int port : new int[] {portA, portB}) {
                JsonNode agents = json.readTree(get(port, "/api/agents", false).body());
                assertEquals(1, agents.size(), agents.toString());
                assertEquals("online", agents.get(0).path("status").asText(), agents.toString());
                assertEquals("2.0-e2e", agents.get(0).path("version").asText(), agents.toString());
                assertEquals("nas-host", agents.get(0).path("host").asText(), agents.toString());
                assertEquals("[\"copy\"]", agents.get(0).path("actions").toString(), agents.toString());
                assertEquals(chained, agents.get(0).path("commandsWaiting").asInt(), agents.toString());
                assertEquals(agent.path("lastSeenAt"), agents.get(0).path("lastSeenAt"));
            }

            // Fan-ins (after:) meet in tasks of their own, which either instance may hold: each upstream job's page,
            // from either instance, lists the command its run triggered, wherever its fan-in met.
            int pid = 70_000;
            for (String fan : FANS) {
                for (int side = 1; side <= 2; side++) {
                    String cmd = b64("--backup-point=/vmfs/volumes/nas --backup-vms=\"VM\" --backup-id=" + fan + "-" + side);
                    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + gatewayPort + "/hooks/xsibackup/" + TOKEN + "/success?" + b64("PID=" + pid++
                            + "|t=30|hostname=esxi-f|cmd=" + cmd))).build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals("OK", answer.body());
                }
            }
            JsonNode fanIns = waiting("a command for each fan-in", 90).until(() -> {
                HttpResponse<String> answer = get(portA, "/api/commands?agent=fan&limit=1000", false);
                return answer.statusCode() == 200 ? json.readTree(answer.body()) : json.createArrayNode();
            }, found -> found.size() == FANS.size());
            java.util.Map<String, String> commandOfFan = new java.util.TreeMap<>();
            fanIns.forEach(command -> commandOfFan.put(command.path("rule").asText(), command.path("commandId").asText()));
            assertEquals(FANS, List.copyOf(commandOfFan.keySet()), "one command per fan-in: " + fanIns);
            List<String> fanInsKeptByA = keys(json.readTree(get(portA, "/api/commands?agent=fan&limit=1000", true)
                    .body()), "commandId");
            List<String> jobsOfA = keys(json.readTree(get(portA, "/api/jobs?limit=1000", true).body()), "jobKey");
            int apart = 0;
            for (String fan : FANS) {
                for (int side = 1; side <= 2; side++) {
                    boolean jobOnA = jobsOfA.contains("e2e-xsi/esxi-f/" + fan + "-" + side);
                    apart += jobOnA != fanInsKeptByA.contains(commandOfFan.get(fan)) ? 1 : 0;
                }
            }
            assertTrue(apart > 0, "every upstream job is held where its fan-in met; nothing here needs the other "
                    + "instance: " + jobsOfA + " / " + fanInsKeptByA);
            for (int port : new int[] {portA, portB}) {
                for (String fan : FANS) {
                    for (int side = 1; side <= 2; side++) {
                        String upstream = "e2e-xsi/esxi-f/" + fan + "-" + side;
                        JsonNode triggered = json.readTree(get(port, "/api/jobs/" + upstream, false).body())
                                .path("triggered");
                        assertEquals(List.of(commandOfFan.get(fan)), keys(triggered, "commandId"), upstream + " from "
                                + port + ": " + triggered);
                        assertEquals("queued", triggered.path(0).path("status").asText(), triggered.toString());
                    }
                }
            }

            // One run starts FLEET commands, each addressed to a job of its own, which either instance may hold; the
            // agent is given the 100 a poll takes. Where each stands is its job's word: read from the other
            // instance, many jobs an ask (B asking A) or job by job (A asking B, which answers as the release before).
            String cmd = b64("--backup-point=/vmfs/volumes/nas --backup-vms=\"VM\" --backup-id=fleet-run");
            assertEquals("OK", http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort
                    + "/hooks/xsibackup/" + TOKEN + "/success?" + b64("PID=" + pid + "|t=30|hostname=esxi-m|cmd="
                    + cmd))).build(), HttpResponse.BodyHandlers.ofString()).body());
            waiting("the fleet's commands issued", 90).until(
                    () -> counted(get(portA, "/api/commands?agent=fleet&limit=1", false)), equalTo("200 " + FLEET));
            HttpResponse<String> given = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort
                    + "/agent/v1/commands?wait=0")).header("Authorization", "Bearer " + FLEET_AGENT)
                    .header("Hookline-Agent-Actions", "copy").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, given.statusCode(), given.body());
            TreeSet<String> delivered = new TreeSet<>();
            given.body().lines().filter(line -> line.startsWith("command ")).forEach(line -> delivered.add(line.substring(8)));
            assertEquals(100, delivered.size(), given.body());
            waiting("the fleet's commands delivered", 60).until(() -> json.readTree(get(portA,
                    "/api/commands?agent=fleet&status=delivered&limit=1000", false).body()).size(),
                    greaterThanOrEqualTo(delivered.size()));
            List<String> fleetJobsOfA = keys(json.readTree(get(portA, "/api/jobs?source=fleet&limit=1000", true)
                    .body()), "jobKey").stream().filter(job -> job.startsWith("fleet/copy-")).toList();
            List<String> fleetJobsOfB = keys(json.readTree(get(portB, "/api/jobs?source=fleet&limit=1000", true)
                    .body()), "jobKey").stream().filter(job -> job.startsWith("fleet/copy-")).toList();
            assertEquals(FLEET, fleetJobsOfA.size() + fleetJobsOfB.size(), fleetJobsOfA + " / " + fleetJobsOfB);
            assertTrue(fleetJobsOfA.size() > 10 && fleetJobsOfB.size() > 10, "the fleet's jobs are on both instances: "
                    + fleetJobsOfA.size() + " / " + fleetJobsOfB.size());
            for (int port : new int[] {portA, portB}) {
                String from = port == portA ? "from A" : "from B";
                assertEquals(delivered, new TreeSet<>(keys(json.readTree(get(port,
                        "/api/commands?agent=fleet&status=delivered&limit=1000", false).body()), "commandId")), from);
                assertEquals(FLEET - delivered.size(), json.readTree(get(port,
                        "/api/commands?agent=fleet&status=queued&limit=1000", false).body()).size(), from);
                JsonNode fleetList = json.readTree(get(port, "/api/commands?agent=fleet&limit=1000", false).body());
                java.util.Map<String, String> statusOf = new java.util.TreeMap<>();
                fleetList.forEach(command -> statusOf.put(command.path("commandId").asText(),
                        command.path("status").asText()));
                statusOf.forEach((id, status) -> assertEquals(delivered.contains(id) ? "delivered" : "queued", status,
                        from + ": " + id));
                JsonNode fleetAgent = null;
                for (JsonNode listed : json.readTree(get(port, "/api/agents", false).body())) {
                    fleetAgent = listed.path("agent").asText().equals("fleet") ? listed : fleetAgent;
                }
                assertEquals(FLEET, fleetAgent == null ? -1 : fleetAgent.path("commandsWaiting").asInt(), from);
                JsonNode triggered = json.readTree(get(port, "/api/jobs/e2e-xsi/esxi-m/fleet-run", false).body())
                        .path("triggered");
                assertEquals(50, triggered.size(), from + ": the newest 50 of what the run triggered");
                triggered.forEach(command -> assertEquals(statusOf.get(command.path("commandId").asText()),
                        command.path("status").asText(), from + ": " + command));
            }
            System.out.printf("two processors: %d jobs split %d/%d, %d alerts, %d commands issued %d/%d, %d fan-ins "
                    + "(%d upstream jobs held apart from where their fan-in met), %d commands to as many jobs split "
                    + "%d/%d (%d delivered); every list, page, job, alert and command the same from both%n", JOBS,
                    ownA.size(), ownB.size(), firingA.size(), 2 * chained, issuedA.size(), issuedB.size(), FANS.size(),
                    apart, FLEET, fleetJobsOfA.size(), fleetJobsOfB.size(), delivered.size());
        }
    }

    /** Each fan-in waits for a success of its own two jobs, e2e-xsi/esxi-f/<fan>-1 and -2. */
    static String fanInRules() {
        StringBuilder rules = new StringBuilder();
        for (String fan : FANS) {
            rules.append("""
                      - name: %1$s
                        after:
                          - {job: "e2e-xsi/esxi-f/%1$s-1", on: succeeded}
                          - {job: "e2e-xsi/esxi-f/%1$s-2", on: succeeded}
                        within: 1h
                        run:
                          - {agent: fan, action: verify}
                    """.formatted(fan));
        }
        return rules.toString();
    }

    /** One chain rule a job of agent fleet, each run after the run of e2e-xsi/esxi-m/fleet-run. */
    static String fleetRules() {
        StringBuilder rules = new StringBuilder();
        for (int i = 0; i < FLEET; i++) {
            rules.append("""
                      - name: fleet-%1$d
                        when: {job: "e2e-xsi/esxi-m/fleet-run", on: succeeded}
                        run:
                          - {agent: fleet, action: copy, job: "copy-to-the-offsite-copy-of-host-number-%1$d"}
                    """.formatted(i));
        }
        return rules.toString();
    }

    /**
     * What the first instance reaches the second one through: every call passed on as it came, but
     * /api/commands/addressed answered 404, as by an instance of the release before that path (a rolling update).
     */
    static final class ReleaseBefore implements AutoCloseable {

        private static final java.util.Set<String> HOP_BY_HOP = java.util.Set.of("host", "connection",
                "content-length", "upgrade", "http2-settings", "transfer-encoding", "keep-alive");
        private final com.sun.net.httpserver.HttpServer server;
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        ReleaseBefore(int instancePort) throws java.io.IOException {
            server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 50);
            server.createContext("/", exchange -> {
                try {
                    if (exchange.getRequestURI().getPath().equals("/api/commands/addressed")) {
                        exchange.sendResponseHeaders(404, -1);
                        return;
                    }
                    HttpRequest.Builder call = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instancePort
                            + exchange.getRequestURI().toString())).method(exchange.getRequestMethod(),
                            HttpRequest.BodyPublishers.ofByteArray(exchange.getRequestBody().readAllBytes()));
                    exchange.getRequestHeaders().forEach((name, values) -> {
                        if (!HOP_BY_HOP.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                            values.forEach(value -> call.header(name, value));
                        }
                    });
                    HttpResponse<byte[]> answer = http.send(call.build(), HttpResponse.BodyHandlers.ofByteArray());
                    answer.headers().map().forEach((name, values) -> {
                        if (!HOP_BY_HOP.contains(name.toLowerCase(java.util.Locale.ROOT)) && !name.startsWith(":")) {
                            exchange.getResponseHeaders().put(name, values);
                        }
                    });
                    exchange.sendResponseHeaders(answer.statusCode(), answer.body().length == 0 ? -1
                            : answer.body().length);
                    exchange.getResponseBody().write(answer.body());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    exchange.close();
                }
            });
            server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
