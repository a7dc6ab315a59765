package io.hookline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.hookline.devstack.LocalKafka;
import io.hookline.devstack.RawHttp;

/** {@code ./hookline up} as a newcomer runs it: real processes, real broker, real HTTP. */
class LocalRunTest {

    static final Path ROOT = Path.of(System.getProperty("hookline.root")).toAbsolutePath().normalize();
    static final String TOKEN = "e2e-demo-token-0123456789abcdef";
    static final String OPERATOR = "e2e-operator-token-0123456789abcdef";
    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path home;

    /** A running {@code ./hookline up}, its output in a file. */
    record Run(Process process, Path output) {
        String text() throws IOException {
            return Files.readString(output);
        }
    }

    Run up(Map<String, String> env) throws IOException {
        Path output = Files.createTempFile(home, "hookline-up-", ".log");
        ProcessBuilder builder = new ProcessBuilder(ROOT.resolve("hookline").toString(), "up")
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().put("HOOKLINE_HOME", home.resolve("data").toString());
        // What the demo agent keeps in TMPDIR stays in the test's folder, also when a test SIGKILLs it.
        builder.environment().put("TMPDIR", Files.createDirectories(home.resolve("tmp")).toString());
        builder.environment().put("HOOKLINE_OPERATOR_TOKEN", OPERATOR);
        builder.environment().putAll(env);
        return new Run(builder.start(), output);
    }

    static int freePortPair() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = LocalKafka.freePort();
            try (ServerSocket next = new ServerSocket(port + 1)) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no two free consecutive ports");
    }

    void awaitOutput(Run run, String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!run.text().contains(text)) {
            if (!run.process().isAlive()) {
                throw new AssertionError("./hookline up exited with " + run.process().exitValue() + ":\n" + run.text());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no '" + text + "' within " + timeout + ":\n" + run.text());
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
    }

    /** Waits until the output has the text the given number of times. */
    void awaitOutput(Run run, String text, int times, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (run.text().split(java.util.regex.Pattern.quote(text), -1).length - 1 < times) {
            if (!run.process().isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("'" + text + "' not " + times + " times within " + timeout + ":\n" + run.text());
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
    }

    int interrupt(Run run) throws Exception {
        new ProcessBuilder("kill", "-INT", Long.toString(run.process().pid())).start().waitFor();
        assertTrue(run.process().waitFor(90, TimeUnit.SECONDS), "./hookline did not stop on Ctrl-C");
        return run.process().exitValue();
    }

    /** A GET; the processor's API is called as the operator that ./hookline up was given. */
    HttpResponse<String> get(String url) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (url.contains("/api/")) {
            request.header("Authorization", "Bearer " + OPERATOR);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode jobWithin(int processorPort, String jobKey, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            HttpResponse<String> response = get("http://127.0.0.1:" + processorPort + "/api/jobs");
            if (response.statusCode() == 200) {
                for (JsonNode job : json.readTree(response.body())) {
                    if (job.get("jobKey").asText().equals(jobKey)) {
                        return job;
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("job " + jobKey + " not in /api/jobs within " + timeout + ": " + response.body());
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
    }

    /** Runs the real RetroEventHandler shim as Retrospect does; it always exits 0 unless Hookline intervenes. */
    void shim(Map<String, String> env, String... arguments) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(ROOT.resolve("shims/retrospect/RetroEventHandler").toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), "RetroEventHandler " + String.join(" ", arguments));
    }

    /** The job as /api/jobs/{key} shows it, once it satisfies the condition (60 s at most). */
    JsonNode awaitJob(int processorPort, String jobKey, java.util.function.Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = get("http://127.0.0.1:" + processorPort + "/api/jobs/"
                    + jobKey.replace(" ", "%20"));
            last = response.body();
            if (response.statusCode() == 200 && condition.test(json.readTree(last))) {
                return json.readTree(last);
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
        throw new AssertionError("job " + jobKey + " never reached the expected state: " + last);
    }

    static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aHookIsAcknowledgedKeptAsAvroShownInTheApiAndStillThereAfterCtrlCAndARestart() throws Exception {
        int kafka = freePortPair();
        int gateway = LocalKafka.freePort();
        int processor = LocalKafka.freePort();
        Map<String, String> env = Map.of("HOOKLINE_KAFKA_PORT", Integer.toString(kafka),
                "HOOKLINE_GATEWAY_PORT", Integer.toString(gateway),
                "HOOKLINE_PROCESSOR_PORT", Integer.toString(processor),
                // Empty: the tokens kept in HOOKLINE_HOME by an earlier run are used.
                "HOOKLINE_DEMO_TOKEN", "", "HOOKLINE_OPERATOR_TOKEN", "");
        // Files left readable by everyone (an older release, a copied folder, a hand edit): the tokens kept are made
        // readable by this user only, and the user is told; the files written with them are made anew, only for them.
        List<String> tokens = List.of("demo-token", "operator-token");
        List<String> files = List.of("demo-token", "operator-token", "demo-sources.properties", "operators.properties",
                "agent/hookline-agent.conf");
        for (String file : files) {
            Path left = home.resolve("data").resolve(file);
            Files.createDirectories(left.getParent());
            Files.writeString(left, switch (file) {
                case "demo-token" -> TOKEN;
                case "operator-token" -> OPERATOR;
                default -> "old\n";
            });
            Files.setPosixFilePermissions(left, PosixFilePermissions.fromString("rw-r--r--"));
        }
        Run run = up(env);
        String pid = Integer.toString(10_000 + (int) (Math.random() * 80_000));
        try {
            awaitOutput(run, "Hookline is up.", Duration.ofMinutes(4));
            String printed = run.text();
            assertTrue(printed.contains("/hooks/xsibackup/" + TOKEN + "/error|OK"), printed);
            assertTrue(printed.contains("Authorization: Bearer):\n  " + OPERATOR), printed);
            assertEquals(401, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + processor + "/api/jobs"))
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode(), "the API needs the operator");
            // A URL a shell left unescaped: the packaged services (started through their own mains) name what was
            // wrong instead of Quarkus's empty 400.
            String malformed = RawHttp.get("127.0.0.1", gateway, "/hooks/xsibackup/" + TOKEN + "/success?%%%");
            assertTrue(malformed.startsWith("HTTP/1.1 400 ")
                    && malformed.contains("hookline: the request's URI cannot be parsed: malformed escape pair"), malformed);
            malformed = RawHttp.get("127.0.0.1", processor, "/api/jobs?status=%%%");
            assertTrue(malformed.startsWith("HTTP/1.1 400 ")
                    && malformed.contains("{\"error\":\"the request's URI cannot be parsed: malformed escape pair"), malformed);
            // No token on a command line: ps shows those to every user of the machine.
            assertEquals(List.of(), run.process().descendants().map(LocalRunTest::commandLine)
                    .filter(line -> line.contains(TOKEN) || line.contains(OPERATOR)).toList());
            assertTrue(run.process().descendants().anyMatch(p -> commandLine(p).contains("demo-sources.properties")),
                    "the gateway reads the demo sources from a file");
            for (String file : files) {
                assertEquals("rw-------", PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(home.resolve("data").resolve(file))), file);
            }
            for (String file : tokens) {
                assertTrue(printed.contains("hookline: " + home.resolve("data").resolve(file) + " could be read by other"
                        + " users of this machine; now only by you. Delete it for a new token."), printed);
            }

            // Every example it prints works as printed, and each kind's demo job shows up.
            for (String kind : List.of("XSIBackup", "Retrospect", "ping", "Proxmox", "CloudEvents")) {
                String example = printed.lines().map(String::strip).filter(l -> l.startsWith(kind + " "))
                        .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " example:\n" + printed))
                        .substring(kind.length()).strip();
                ProcessBuilder asPrinted = new ProcessBuilder("sh", "-c", example).redirectErrorStream(true);
                // What a shim keeps between calls (vzdump's run state) stays in the test's folder, not in /tmp.
                asPrinted.environment().put("TMPDIR", Files.createDirectories(home.resolve("tmp")).toString());
                Process shell = asPrinted.start();
                String said = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(shell.waitFor(60, TimeUnit.SECONDS));
                assertEquals(0, shell.exitValue(), kind + " example failed: " + example + "\n" + said);
            }
            for (String job : List.of("demo-xsibackup/esxi-demo/demo", "demo-retrospect/Nightly", "demo-pings/demo-borg",
                    "demo-events/db1/pg-dump")) {
                jobWithin(processor, job, Duration.ofSeconds(60));
            }
            assertTrue(json.readTree(get("http://127.0.0.1:" + processor + "/api/jobs").body()).findValuesAsText("jobKey")
                    .stream().anyMatch(k -> k.startsWith("demo-proxmox/") && k.endsWith("/vzdump-local")));

            // The XSIBackup success fired the example chain: the demo agent ran restic-copy, once, linked to it.
            JsonNode copy = awaitJob(processor, "demo-agent/offsite-copy", j -> j.get("runs").asInt() == 1);
            assertEquals("succeeded", copy.get("lastRun").get("outcome").asText());
            assertEquals("demo-offsite-copy", copy.get("lastRun").get("causedBy").get("rule").asText());
            assertEquals("demo-xsibackup/esxi-demo/demo",
                    copy.get("lastRun").get("causedBy").get("upstream").get(0).get("jobKey").asText());
            awaitOutput(run, "CHAIN demo-offsite-copy: command cmd_", Duration.ofSeconds(30));
            awaitOutput(run, ": action restic-copy exited with 0", Duration.ofSeconds(30));
            JsonNode agents = json.readTree(get("http://127.0.0.1:" + processor + "/api/agents").body());
            assertEquals("online", agents.get(0).get("status").asText(), agents.toString());
            assertEquals("[\"prune\",\"restic-copy\",\"verify\"]", agents.get(0).get("actions").toString(),
                    "the demo agent's actions, as its configuration lists them");

            // The printed example twice more with other PIDs: the example policy keeps the last two points and
            // enforces through the demo agent, so the first point is pruned and leaves the job.
            String demo = printed.lines().map(String::strip).filter(l -> l.startsWith("XSIBackup ")).findFirst()
                    .orElseThrow();
            String query4242 = demo.substring(demo.indexOf("success?") + "success?".length(), demo.length() - 1);
            for (String pid2 : List.of("4243", "4244")) {
                String again = b64(new String(java.util.Base64.getDecoder().decode(query4242), StandardCharsets.UTF_8)
                        .replace("PID=4242", "PID=" + pid2));
                assertEquals("OK", get("http://127.0.0.1:" + gateway + "/hooks/xsibackup/" + TOKEN + "/success?" + again)
                        .body());
            }
            awaitOutput(run, "PRUNE demo-xsibackup/*: pruning restore point xsibackup-4242 of job "
                    + "demo-xsibackup/esxi-demo/demo through demo-agent", Duration.ofSeconds(60));
            awaitOutput(run, ": action prune exited with 0", Duration.ofSeconds(60));
            awaitOutput(run, "PRUNE restore point xsibackup-4242 of demo-xsibackup/esxi-demo/demo pruned by "
                    + "demo-agent/prune", Duration.ofSeconds(60));
            // The deletion is folded in the next transaction: the job shows it a moment after the log line. The
            // API reads the job and its pending prunes one after the other, while the fold may be between the two:
            // wait for both to show it.
            JsonNode kept = null;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < until) {
                kept = json.readTree(get("http://127.0.0.1:" + processor
                        + "/api/jobs/demo-xsibackup/esxi-demo/demo/retention").body());
                if (kept.get("restorePoints").size() == 2 && kept.get("pendingPrunes").isEmpty()) {
                    break;
                }
                TimeUnit.MILLISECONDS.sleep(250);
            }
            assertEquals(List.of("xsibackup-4244", "xsibackup-4243"), kept.get("restorePoints").findValuesAsText("id"),
                    kept.toString());
            assertTrue(kept.get("policy").get("enforce").asBoolean());
            assertEquals(0, kept.get("pendingPrunes").size(), kept + "\n" + run.text() + "\nthe processor's retention lines:\n"
                    + Files.readString(home.resolve("data/logs/processor.log")).lines()
                            .filter(l -> l.contains("retention") || l.startsWith("\t") || l.contains("Exception"))
                            .collect(java.util.stream.Collectors.joining("\n")));

            // A processor that dies is started again, as Compose and Kubernetes would, with its state.
            kill(descendant(run, "processor/target/quarkus-app/quarkus-run.jar"));
            awaitOutput(run, "hookline: the processor was killed by SIGKILL at ", Duration.ofSeconds(10));
            awaitOutput(run, "hookline: the processor is up again.", Duration.ofSeconds(90));
            assertFalse(run.text().contains(" Killed "), "bash's own report of the kill:\n" + run.text());
            awaitJob(processor, "demo-xsibackup/esxi-demo/demo", j -> j.path("restorePoints").asInt() == 2
                    && j.path("runs").asInt() == 3);

            String cmd = b64("--backup-point=/vmfs/volumes/nas --backup-vms=\"DC01\" --backup-id=e2e --smtp-pwd=hunter2");
            String query = b64("PID=" + pid + "|t=93|hostname=esxi-e2e|cmd=" + cmd + "|err=" + b64("DC01: snapshot failed"));
            HttpResponse<String> answer = get("http://127.0.0.1:" + gateway + "/hooks/xsibackup/" + TOKEN + "/error?" + query);
            assertEquals(200, answer.statusCode());
            assertEquals("OK", answer.body());

            GenericRecord record = eventOfRun(kafka, pid);
            assertEquals("RUN_FAILED", record.get("type").toString());
            assertEquals("demo-xsibackup/esxi-e2e/e2e", record.get("jobKey").toString());
            assertFalse(record.toString().contains("hunter2"), "the SMTP password reached the topic");

            JsonNode job = jobWithin(processor, "demo-xsibackup/esxi-e2e/e2e", Duration.ofSeconds(60));
            assertEquals("failing", job.get("status").asText());
            // The example rules' console receiver: the alert shows in the terminal of ./hookline up.
            awaitOutput(run, "ALERT FIRING critical failed: demo-xsibackup/esxi-e2e/e2e", Duration.ofSeconds(60));
            assertEquals(pid, job.get("lastRun").get("runId").asText());
            assertEquals("DC01: snapshot failed", job.get("lastRun").get("errorMessage").asText());

            // Retrospect's harness for three nights through the real shim: the last two calls of each night are
            // word for word the same as the night before, and still three runs, each ending clean.
            String script = "Daily Backup";
            Map<String, String> shimEnv = Map.of("HOOKLINE_URL", "http://127.0.0.1:" + gateway, "HOOKLINE_TOKEN", TOKEN,
                    "HOOKLINE_LOG", home.resolve("shim.log").toString());
            for (int night = 1; night <= 3; night++) {
                String start = "11/2" + night + "/2026 22:00";
                shim(shimEnv, "StartScript", script, start, home.resolve("intervention").toString());
                shim(shimEnv, "StartSource", script, "Macintosh HD", "/", "mac-1", home.resolve("intervention").toString());
                shim(shimEnv, "EndSource", script, "Macintosh HD", "/", "mac-1", "1024", "10", "60", start,
                        "11/2" + night + "/2026 22:01", start, "Set A", "Normal", "", "0", "0", "successful");
                shim(shimEnv, "EndScript", script, "0", "0", "successful");
                int nightDone = night;
                JsonNode nightly = awaitJob(processor, "demo-retrospect/" + script,
                        j -> j.path("runs").asInt() == nightDone && !"running".equals(j.path("status").asText()));
                assertEquals("succeeded", nightly.get("lastRun").get("outcome").asText(), nightly.toString());
            }
        } finally {
            assertEquals(0, interrupt(run), run.text());
        }
        assertTrue(run.text().contains("Stopped. Data kept in"), run.text());
        // Ctrl-C stops every service cleanly: their logs have no error (Kafka's clients logged "Failed to close
        // fetcher" errors when the readers of compacted topics were interrupted instead of woken).
        for (String service : List.of("gateway", "processor")) {
            List<String> errors = Files.readAllLines(home.resolve("data/logs/" + service + ".log")).stream()
                    .filter(line -> line.matches("\\S+ \\S+ ERROR .*")).toList();
            assertEquals(List.of(), errors, service + ".log");
        }

        Run again = up(env);
        try {
            awaitOutput(again, "Hookline is up.", Duration.ofMinutes(2));
            JsonNode job = jobWithin(processor, "demo-xsibackup/esxi-e2e/e2e", Duration.ofSeconds(60));
            assertEquals(pid, job.get("lastRun").get("runId").asText());
        } finally {
            assertEquals(0, interrupt(again), again.text());
        }
    }

    @Test
    void aServiceThatKeepsStoppingEndsEverythingTheFifthTimeWithinTenMinutes() throws Exception {
        int gateway = LocalKafka.freePort();
        Run run = up(Map.of("HOOKLINE_KAFKA_PORT", Integer.toString(freePortPair()),
                "HOOKLINE_GATEWAY_PORT", Integer.toString(gateway),
                "HOOKLINE_PROCESSOR_PORT", Integer.toString(LocalKafka.freePort()), "HOOKLINE_DEMO_TOKEN", TOKEN));
        ProcessHandle broker = null;
        try {
            awaitOutput(run, "Hookline is up.", Duration.ofMinutes(4));

            // The broker's launcher killed: its broker, left running with the ports, is stopped by the next launcher,
            // which starts its own; hooks are taken again.
            broker = ProcessHandle.of(Long.parseLong(Files.readString(home.resolve("data/kafka/broker.pid")).strip()))
                    .orElseThrow();
            kill(descendant(run, "io.hookline.devstack.Main"));
            awaitOutput(run, "hookline: the Kafka broker was killed by SIGKILL at ", Duration.ofSeconds(10));
            Path kafkaLog = home.resolve("data/logs/kafka.log");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (Files.readString(kafkaLog).split("kafka ready on", -1).length < 3 && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(250);
            }
            assertTrue(Files.readString(kafkaLog).contains("hookline: stopping the Kafka broker (pid " + broker.pid()
                    + ") left running on " + home.resolve("data/kafka") + " by a launcher that was killed"),
                    Files.readString(kafkaLog));
            assertFalse(broker.isAlive());
            String query = b64("PID=779|t=5|hostname=esxi-again|cmd=" + b64("--backup-id=again"));
            assertEquals("OK", get("http://127.0.0.1:" + gateway + "/hooks/xsibackup/" + TOKEN + "/success?" + query)
                    .body(), "the gateway takes hooks again on the new broker");

            List<String> waits = List.of("at once", "in 2 s", "in 4 s", "in 8 s");
            for (int time = 1; time <= 4; time++) {
                kill(descendant(run, "hookline-agent --config"));
                awaitOutput(run, "hookline: the agent was killed by SIGKILL at ", time, Duration.ofSeconds(10));
                assertTrue(run.text().contains("starting it again " + waits.get(time - 1) + "; its log: "), run.text());
            }
            List<ProcessHandle> services = run.process().descendants()
                    .filter(p -> p.info().command().orElse("").endsWith("java")).toList();
            assertTrue(services.size() >= 3, "the broker, gateway and processor: " + services);
            kill(descendant(run, "hookline-agent --config"));
            assertTrue(run.process().waitFor(120, TimeUnit.SECONDS), run.text());
            assertEquals(1, run.process().exitValue(), run.text());
            assertTrue(run.text().contains("hookline: the agent was killed by SIGKILL, the fifth time within ten minutes:"
                    + " everything stops; its log: " + home.resolve("data/logs/agent.log")), run.text());
            assertFalse(run.text().contains(" Killed "), "bash's own report of the kill:\n" + run.text());
            assertEquals(List.of(), services.stream().filter(ProcessHandle::isAlive).toList(),
                    "the broker, gateway and processor stop with it");
        } finally {
            if (run.process().isAlive()) {
                interrupt(run);
            }
            if (broker != null) {
                broker.destroyForcibly(); // only if the next launcher did not stop it
            }
        }
    }

    /** The process that ./hookline up started whose command line has the text; it may be between two starts. */
    static ProcessHandle descendant(Run run, String text) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            // The process itself, not a subshell of it (the agent's long poll runs in one). Its command line is read
            // whole: the JDK's answers none when it is longer than 4 KB, as the broker launcher's classpath is in a
            // checkout with a longer path.
            java.util.Optional<ProcessHandle> found = run.process().descendants()
                    .filter(p -> commandLine(p).contains(text))
                    .filter(p -> !p.parent().map(LocalRunTest::commandLine).orElse("").contains(text))
                    .findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
        throw new AssertionError("no process of ./hookline up runs " + text);
    }

    static String commandLine(ProcessHandle process) {
        return String.join(" ", LocalKafka.arguments(process));
    }

    static void kill(ProcessHandle process) throws Exception {
        new ProcessBuilder("kill", "-KILL", Long.toString(process.pid())).start().waitFor();
        assertTrue(process.onExit().get(10, TimeUnit.SECONDS) != null);
    }

    GenericRecord eventOfRun(int kafkaPort, String pid) throws IOException {
        // An outside consumer decodes with the newest released version alone.
        Path released = ROOT.resolve("schemas/src/main/resources/io/hookline/schema/released");
        String newest = Files.readAllLines(released.resolve("index.txt")).stream()
                .filter(line -> line.startsWith("BackupEvent/")).reduce((a, b) -> b).orElseThrow();
        Schema committed = new Schema.Parser().parse(Files.readString(released.resolve(newest)));
        BinaryMessageDecoder<GenericRecord> decoder = new BinaryMessageDecoder<>(GenericData.get(), committed);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", "127.0.0.1:" + kafkaPort, "group.id", "e2e-" + UUID.randomUUID(),
                "auto.offset.reset", "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("hookline.events"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    GenericRecord event = decoder.decode(record.value());
                    if (pid.equals(String.valueOf(event.get("runId")))) {
                        return event;
                    }
                }
            }
        }
        throw new AssertionError("no event of run " + pid + " on hookline.events");
    }

    /**
     * What the alerts' delivery still owes when ./hookline up stops is owed after the restart: a notification still
     * being retried is delivered with the same idempotency key; a group that still fires, its message finished and
     * committed before the stop, is reminded of (only the restart's reading of what still fires can do that). One
     * run for both: each restart of the whole stack costs half a minute.
     */
    @Test
    void whatDeliveryStillOwesWhenItStopsIsSentAfterTheRestart() throws Exception {
        java.util.List<String[]> retried = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.List<String[]> grouped = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean up = new java.util.concurrent.atomic.AtomicBoolean(false);
        com.sun.net.httpserver.HttpServer receiver = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/retry", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status = up.get() ? 200 : 503;
            retried.add(new String[] {exchange.getRequestHeaders().getFirst("webhook-id"), body, Integer.toString(status)});
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.createContext("/remind", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            grouped.add(new String[] {exchange.getRequestHeaders().getFirst("webhook-id"), body});
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        try {
            String url = "http://127.0.0.1:" + receiver.getAddress().getPort();
            Path rules = home.resolve("rules.yaml");
            Files.writeString(rules, "receivers:\n"
                    + "  - {name: retrying, type: webhook, url: " + url + "/retry, max-attempts: 30}\n"
                    + "  - {name: reminding, type: webhook, url: " + url + "/remind}\n"
                    + "routes:\n"
                    + "  - match: {host: esxi-remind}\n    receiver: reminding\n    group-by: [host]\n"
                    + "    group-wait: 1s\n    group-interval: 1s\n    repeat-interval: 20s\n"
                    + "default-receiver: retrying\n");
            int gateway = LocalKafka.freePort();
            int processor = LocalKafka.freePort();
            Map<String, String> env = Map.of("HOOKLINE_RULES", rules.toString(), "HOOKLINE_DEMO_TOKEN", TOKEN,
                    "HOOKLINE_KAFKA_PORT", Integer.toString(freePortPair()),
                    "HOOKLINE_GATEWAY_PORT", Integer.toString(gateway),
                    "HOOKLINE_PROCESSOR_PORT", Integer.toString(processor));
            Run run = up(env);
            try {
                awaitOutput(run, "Hookline is up.", Duration.ofMinutes(4));
                for (String query : List.of(
                        b64("PID=777|t=5|hostname=esxi-retry|cmd=" + b64("--backup-id=retry") + "|err=" + b64("disk full")),
                        b64("PID=778|t=5|hostname=esxi-remind|cmd=" + b64("--backup-id=remind") + "|err=" + b64("disk full")))) {
                    assertEquals("OK", get("http://127.0.0.1:" + gateway + "/hooks/xsibackup/" + TOKEN + "/error?" + query)
                            .body());
                }
                awaitReceived(retried, 1, Duration.ofSeconds(60));
                awaitReceived(grouped, 1, Duration.ofSeconds(60));
            } finally {
                assertEquals(0, interrupt(run), run.text());
            }
            String[] first = retried.get(0);
            assertTrue(first[1].contains("esxi-retry"), first[1]);
            assertEquals("503", first[2]);
            String[] firstOfGroup = grouped.get(0);
            assertTrue(firstOfGroup[1].contains("\"groupLabels\":{\"host\":\"esxi-remind\"}"), firstOfGroup[1]);
            // ./hookline up gives the processor its local address, so messages link to their alerts there.
            assertTrue(firstOfGroup[1].contains("\"link\":\"http://localhost:" + processor
                    + "/api/alerts?group=reminding%7Bhost%3Desxi-remind%7D\""), firstOfGroup[1]);
            assertEquals(1, grouped.size(), "no reminder before the restart");

            up.set(true);
            Run again = up(env);
            try {
                awaitOutput(again, "Hookline is up.", Duration.ofMinutes(2));
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while ((retried.stream().noneMatch(r -> r[2].equals("200")) || grouped.size() < 2)
                        && System.nanoTime() < deadline) {
                    TimeUnit.MILLISECONDS.sleep(200);
                }
            } finally {
                assertEquals(0, interrupt(again), again.text());
            }
            String[] delivered = retried.stream().filter(r -> r[2].equals("200")).findFirst()
                    .orElseThrow(() -> new AssertionError("not delivered after the restart"));
            assertTrue(delivered[1].contains("esxi-retry"), delivered[1]);
            assertEquals(first[0], delivered[0], "the same idempotency key before and after the restart");
            awaitReceived(grouped, 2, Duration.ZERO);
            String[] reminder = grouped.get(1);
            assertTrue(reminder[1].contains("\"type\":\"alert.firing\"") && reminder[1].contains("esxi-remind"),
                    reminder[1]);
            assertNotEquals(firstOfGroup[0], reminder[0], "a reminder is a new message");
            assertEquals(List.of(), retried.stream().filter(r -> !r[1].contains("esxi-retry")).toList(),
                    "the route took esxi-remind's alert away from the default receiver");
        } finally {
            receiver.stop(0);
        }
    }

    private static void awaitReceived(java.util.List<String[]> received, int count, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (received.size() < count && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(200);
        }
        assertTrue(received.size() >= count, "the receiver got " + received.size() + " message(s), not " + count);
    }

    @Test
    void helpNamesEverySettingTheScriptReads() throws Exception {
        Process help = new ProcessBuilder(ROOT.resolve("hookline").toString(), "help").redirectErrorStream(true).start();
        String text = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(help.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, help.exitValue(), text);
        java.util.regex.Matcher read = java.util.regex.Pattern.compile("\\$\\{(HOOKLINE_[A-Z_]+)")
                .matcher(Files.readString(ROOT.resolve("hookline")));
        java.util.Set<String> settings = new java.util.TreeSet<>();
        while (read.find()) {
            settings.add(read.group(1));
        }
        assertTrue(settings.size() >= 7, settings.toString());
        assertEquals(List.of(), settings.stream().filter(setting -> !text.contains(setting)).toList(), text);
        // The whole opening comment, not cut at a line count.
        List<String> header = Files.readAllLines(ROOT.resolve("hookline")).stream().skip(1)
                .takeWhile(line -> line.startsWith("#")).map(line -> line.replaceFirst("^# ?", "")).toList();
        assertEquals(header, text.lines().toList());
    }

    @Test
    void aTakenPortEndsWithOneSentence() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            Run run = up(Map.of("HOOKLINE_GATEWAY_PORT", Integer.toString(taken.getLocalPort()),
                    "HOOKLINE_KAFKA_PORT", Integer.toString(freePortPair())));
            assertTrue(run.process().waitFor(60, TimeUnit.SECONDS));
            assertEquals(1, run.process().exitValue());
            assertEquals("hookline: port " + taken.getLocalPort() + " for the gateway is already in use: stop what uses it"
                    + " or set HOOKLINE_GATEWAY_PORT to a free port.", run.text().strip());
        }
    }

    @Test
    void aTokenThatWouldChangeOnItsWayEndsWithOneSentence() throws Exception {
        Run run = up(Map.of("HOOKLINE_DEMO_TOKEN", "abc/${user.home}", "HOOKLINE_KAFKA_PORT",
                Integer.toString(freePortPair())));
        assertTrue(run.process().waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, run.process().exitValue());
        assertEquals("hookline: HOOKLINE_DEMO_TOKEN may hold only letters, digits and . _ ~ - (it goes into URLs and"
                + " configuration files): choose another.", run.text().strip());
        assertFalse(Files.exists(home.resolve("data")), "nothing started, nothing written");
    }

    @Test
    void aWrongRulesFileStopsEverythingAndNamesTheLine() throws Exception {
        Path rules = home.resolve("rules.yaml");
        Files.writeString(rules, "jobs:\n  - match: \"x/*\"\n    schedule: {every: soon}\n");
        Run run = up(Map.of("HOOKLINE_RULES", rules.toString(), "HOOKLINE_KAFKA_PORT", Integer.toString(freePortPair()),
                "HOOKLINE_GATEWAY_PORT", Integer.toString(LocalKafka.freePort()),
                "HOOKLINE_PROCESSOR_PORT", Integer.toString(LocalKafka.freePort())));
        assertTrue(run.process().waitFor(180, TimeUnit.SECONDS), run.text());
        assertEquals(1, run.process().exitValue());
        assertTrue(run.text().contains("hookline: invalid rules file " + rules + ":\n  line 3: 'soon' is not a duration"
                + " like 30m, 6h, 1d or 1w"), run.text());
    }

    @Test
    void aTooOldJavaEndsWithOneSentence() throws Exception {
        Path fakeJdk = home.resolve("jdk11");
        Files.createDirectories(fakeJdk.resolve("bin"));
        Path java = fakeJdk.resolve("bin/java");
        Files.writeString(java, "#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));

        Run run = up(Map.of("JAVA_HOME", fakeJdk.toString()));
        assertTrue(run.process().waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, run.process().exitValue());
        assertEquals("hookline: Java 17 or newer is needed; " + java + " is version 11.0.2: install a JDK 17+ or point"
                + " JAVA_HOME at one.", run.text().strip());
    }
}
