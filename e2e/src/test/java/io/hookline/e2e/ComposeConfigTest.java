package io.hookline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.hookline.devstack.LocalKafka;

/**
 * docker-compose.yml as far as a machine without a Docker engine can try it: the gateway and the processor run with
 * exactly the environment, the mounted files and the JVM options (from each Dockerfile.jvm) that compose gives their
 * containers, only with container paths mapped to the files they mount and the broker's address to the test
 * broker; the ports compose publishes, the health checks, the agent and Prometheus all name the ports the services
 * listen on. (The file's schema is checked by the deploy module: dclint.)
 */
class ComposeConfigTest {

    static final Path ROOT = LocalRunTest.ROOT;
    static final String DEMO_TOKEN = "e2e-compose-demo-token-0123456789";
    static final String OPERATOR_TOKEN = "e2e-compose-operator-token-0123456789";
    static final Pattern REQUIRED = Pattern.compile("\\$\\{([A-Z_]+):\\?[^}]*\\}");

    @TempDir
    Path home;

    final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    final HttpClient http = HttpClient.newHttpClient();

    /** A service's environment as compose gives it, with the variables the file requires set as a user would. */
    Map<String, String> environment(JsonNode service) {
        Map<String, String> env = new LinkedHashMap<>();
        service.path("environment").fields().forEachRemaining(e -> {
            Matcher required = REQUIRED.matcher(e.getValue().asText());
            String value = e.getValue().asText();
            if (required.matches()) {
                value = switch (required.group(1)) {
                    case "HOOKLINE_DEMO_TOKEN" -> DEMO_TOKEN;
                    case "HOOKLINE_OPERATOR_TOKEN" -> OPERATOR_TOKEN;
                    default -> throw new AssertionError("a variable this test does not know: " + required.group(1));
                };
            }
            env.put(e.getKey(), value);
        });
        return env;
    }

    /** The host path of each container path the service mounts (a bind mount: the repository's file; a volume: a folder). */
    Map<String, Path> mounts(String name, JsonNode service) throws Exception {
        Map<String, Path> mounts = new LinkedHashMap<>();
        for (JsonNode volume : service.path("volumes")) {
            String[] parts = volume.asText().split(":");
            Path host = parts[0].startsWith("./") ? ROOT.resolve(parts[0].substring(2)).normalize()
                    : Files.createDirectories(home.resolve(name + "-" + parts[0]));
            assertTrue(Files.exists(host), name + " mounts " + parts[0] + ", which is not in the repository");
            mounts.put(parts[1], host);
        }
        return mounts;
    }

    /** The -D options of a Dockerfile's JAVA_OPTS_APPEND (not the listen address: the test listens on loopback). */
    static List<String> javaOptions(Path dockerfile) throws Exception {
        Matcher m = Pattern.compile("ENV JAVA_OPTS_APPEND=\"([^\"]*)\"").matcher(Files.readString(dockerfile));
        assertTrue(m.find(), dockerfile + " sets JAVA_OPTS_APPEND");
        List<String> options = new ArrayList<>();
        for (String option : m.group(1).split(" ")) {
            if (option.startsWith("-D") && !option.startsWith("-Dquarkus.http.host=")) {
                options.add(option);
            }
        }
        return options;
    }

    /** The port a Dockerfile exposes. */
    static int exposed(Path dockerfile) throws Exception {
        Matcher m = Pattern.compile("(?m)^EXPOSE (\\d+)$").matcher(Files.readString(dockerfile));
        assertTrue(m.find(), dockerfile + " exposes a port");
        return Integer.parseInt(m.group(1));
    }

    Process start(Processes processes, String name, JsonNode service, String bootstrap, int port) throws Exception {
        Path dockerfile = ROOT.resolve(service.path("build").path("context").asText().substring(2))
                .resolve(service.path("build").path("dockerfile").asText());
        Map<String, String> env = environment(service);
        int listens = Integer.parseInt(env.get("QUARKUS_HTTP_PORT"));
        assertEquals(exposed(dockerfile), listens, name + ": QUARKUS_HTTP_PORT is the port its image exposes");
        List<String> published = new ArrayList<>();
        service.path("ports").forEach(p -> published.add(p.asText().substring(p.asText().lastIndexOf(':') + 1)));
        assertEquals(List.of(Integer.toString(listens)), published, name + " publishes the port it listens on");
        assertTrue(service.path("healthcheck").path("test").toString().contains("localhost:" + listens + "/q/health/ready"),
                name + "'s health check asks the port it listens on");
        assertEquals("kafka:9092", env.get("KAFKA_BOOTSTRAP_SERVERS"), name + " reaches the broker's internal listener");

        Map<String, Path> mounts = mounts(name, service);
        env.replaceAll((key, value) -> mounts.containsKey(value) ? mounts.get(value).toString() : value);
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx320m", "-Djava.io.tmpdir=" + Files.createDirectories(home.resolve("tmp-" + name))));
        command.addAll(javaOptions(dockerfile));
        command.addAll(List.of("-jar", ROOT.resolve(name + "/target/quarkus-app/quarkus-run.jar").toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(home.resolve(name + ".log").toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("HOOKLINE_") || key.startsWith("QUARKUS_")
                || key.startsWith("KAFKA_"));
        builder.environment().putAll(env);
        return processes.start(builder);
    }

    @Test
    void theServicesRunWithTheEnvironmentFilesAndPortsComposeGivesThem() throws Exception {
        JsonNode compose = yaml.readTree(ROOT.resolve("docker-compose.yml").toFile());
        JsonNode services = compose.path("services");
        assertTrue(services.path("kafka").path("environment").path("KAFKA_ADVERTISED_LISTENERS").asText()
                .contains("INTERNAL://kafka:9092"));
        assertEquals("http://gateway:" + environment(services.path("gateway")).get("QUARKUS_HTTP_PORT"),
                environment(services.path("agent")).get("HOOKLINE_URL"), "the agent calls the gateway's port");
        String prometheus = Files.readString(ROOT.resolve("deploy/prometheus/prometheus.yml"));
        assertTrue(prometheus.contains("\"gateway:" + environment(services.path("gateway")).get("QUARKUS_HTTP_PORT")
                + "\"") && prometheus.contains("\"processor:" + environment(services.path("processor"))
                        .get("QUARKUS_HTTP_PORT") + "\""), "Prometheus scrapes the ports the services listen on");

        int kafkaPort = LocalRunTest.freePortPair();
        int gatewayPort = LocalKafka.freePort();
        int processorPort = LocalKafka.freePort();
        try (LocalKafka kafka = new LocalKafka(home.resolve("kafka"), kafkaPort, kafkaPort + 1).start(Duration.ofMinutes(2));
                Processes processes = new Processes(home)) {
            Process gateway = start(processes, "gateway", services.path("gateway"), kafka.bootstrapServers(), gatewayPort);
            Process processor = start(processes, "processor", services.path("processor"), kafka.bootstrapServers(),
                    processorPort);
            processes.awaitReady("gateway", gatewayPort, gateway);
            processes.awaitReady("processor", processorPort, processor);

            // The demo source of deploy/compose/gateway.properties, its token from the environment.
            String cmd = Base64.getEncoder().encodeToString("--backup-point=/vmfs/volumes/backup --backup-id=compose"
                    .getBytes(StandardCharsets.UTF_8));
            String query = Base64.getEncoder().encodeToString(("PID=61001|t=30|hostname=esxi-compose|cmd=" + cmd)
                    .getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> hook = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort
                    + "/hooks/xsibackup/" + DEMO_TOKEN + "/success?" + query)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("OK", hook.body());

            // The operator of deploy/compose/processor.properties, the rules mounted at HOOKLINE_RULES.
            JsonNode job = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + processorPort + "/api/jobs/demo-xsibackup/esxi-compose/compose"))
                        .header("Authorization", "Bearer " + OPERATOR_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200) {
                    job = new ObjectMapper().readTree(answer.body());
                    break;
                }
                TimeUnit.MILLISECONDS.sleep(500);
            }
            assertTrue(job != null, "the job reached the processor's API");
            assertEquals("succeeded", job.path("lastRun").path("outcome").asText());
            JsonNode rules = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + processorPort + "/api/rules")).header("Authorization", "Bearer " + OPERATOR_TOKEN).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertEquals(ROOT.resolve("rules.example.yaml").normalize().toString(), rules.path("file").asText());
            try (var state = Files.list(home.resolve("processor-processor-state"))) {
                assertTrue(state.findAny().isPresent(), "the processor keeps its state on the volume compose gives it");
            }
            assertEquals(401, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + processorPort
                    + "/api/jobs")).build(), HttpResponse.BodyHandlers.discarding()).statusCode(), "the API needs the operator");
        }
    }
}
