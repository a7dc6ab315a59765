package io.hookline.devstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Apicurio Registry (in-memory storage) as a child process, from the {@code apicurio-registry-app} archive on
 * Maven Central, for tests of Hookline's schema-registry mode without Docker. Apicurio Registry 3.3 needs Java 21
 * or later (3.0, built for 17, is not served by the registry this project builds from): it runs on
 * {@code HOOKLINE_REGISTRY_JAVA}, or this JVM if it is new enough, or the newest JDK under /usr/lib/jvm.
 */
public final class LocalSchemaRegistry implements AutoCloseable {

    private final Path archive;
    private final Path dir;
    private final int port;
    private Process process;

    public LocalSchemaRegistry(Path archive, Path dir, int port) {
        this.archive = archive;
        this.dir = dir;
        this.port = port;
    }

    /** Unpacks the archive (once), starts the registry and waits until it answers. */
    public LocalSchemaRegistry start(Duration timeout) throws IOException, InterruptedException {
        Path app = dir.resolve("app");
        if (!Files.exists(app.resolve("quarkus-run.jar"))) {
            Files.createDirectories(app);
            Process tar = new ProcessBuilder("tar", "xzf", archive.toString(), "-C", app.toString())
                    .redirectErrorStream(true).start();
            String said = new String(tar.getInputStream().readAllBytes());
            if (tar.waitFor() != 0) {
                throw new DevstackException("cannot unpack " + archive + ": " + said);
            }
        }
        Path java = java21().orElseThrow(() -> new DevstackException("Apicurio Registry 3.3 needs Java 21 or later, and "
                + "none was found: set HOOKLINE_REGISTRY_JAVA to its bin/java, or install one under /usr/lib/jvm"));
        Path log = dir.resolve("registry.log");
        // Its temporary files (Vert.x's cache) in its folder: /tmp/vertx-cache was left behind by every run.
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        process = new ProcessBuilder(java.toString(), "-Xmx384m", "-Dquarkus.http.port=" + port,
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.management.enabled=false", "-Djava.io.tmpdir=" + tmp, "-jar",
                app.resolve("quarkus-run.jar").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new DevstackException("the schema registry stopped: " + Files.readString(log));
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/apis/registry/v3/system/info")).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return this;
                }
            } catch (IOException notYet) {
                // starting
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
        throw new DevstackException("the schema registry did not answer within " + timeout + ": " + Files.readString(log));
    }

    /** Its Confluent-compatible API, what hookline.schema-registry.url takes. */
    public String ccompatUrl() {
        return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
    }

    /** A java of version 21 or later. */
    static Optional<Path> java21() throws IOException {
        String configured = System.getenv("HOOKLINE_REGISTRY_JAVA");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured));
        }
        if (Runtime.version().feature() >= 21) {
            return Optional.of(Path.of(System.getProperty("java.home"), "bin", "java"));
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        Pattern version = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");
        List<Path> candidates = new ArrayList<>();
        int best = 0;
        try (Stream<Path> all = Files.list(jvms)) {
            for (Path jdk : all.toList()) {
                Path release = jdk.resolve("release");
                Path bin = jdk.resolve("bin/java");
                if (Files.isRegularFile(release) && Files.isExecutable(bin)) {
                    Matcher m = version.matcher(Files.readString(release));
                    if (m.find() && Integer.parseInt(m.group(1)) >= 21 && Integer.parseInt(m.group(1)) > best) {
                        best = Integer.parseInt(m.group(1));
                        candidates.add(0, bin);
                    }
                }
            }
        }
        return candidates.stream().findFirst();
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
