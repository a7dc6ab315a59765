package io.hookline.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The services as separate JVMs, each logging to {@code <name>.log} in a folder; all killed on close. */
final class Processes implements AutoCloseable {

    private final Path logs;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Process> started = new ArrayList<>();

    Processes(Path logs) {
        this.logs = logs;
    }

    /**
     * A JVM running {@code arguments} (system properties, then -jar ...), trusting Hookline's Avro classes, with the
     * JVM options the tests' brokers have (C1 only, serial GC): a service started again and again, as these tests
     * do, is ready sooner and does not take a core from the others compiling with C2 (ChainsTest: 174 s against
     * 204 s). What the tests assert does not depend on the compiler; the images' options are measured by bench/.
     */
    Process java(String name, List<String> arguments) throws IOException {
        // Its temporary files (RocksDB's native library, 14 MB, removed only at a normal exit) in the test's folder:
        // close() kills every service, and each left one in /tmp.
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=java.lang,java.math,java.util,io.hookline.schema",
                "-Djava.io.tmpdir=" + Files.createDirectories(logs.resolve("tmp"))));
        command.addAll(io.hookline.devstack.LocalKafka.QUICK_START);
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(name + ".log").toFile())).start();
        started.add(process);
        return process;
    }

    /** Any other process (the sh agent), killed on close too. */
    Process start(ProcessBuilder builder) throws IOException {
        Process process = builder.start();
        started.add(process);
        return process;
    }

    /** Waits (3 minutes at most) until the service answers 200 on /q/health/ready. */
    void awaitReady(String name, int port, Process process) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " stopped: " + Files.readString(logs.resolve(name + ".log")));
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
        throw new AssertionError(name + " not ready in 3 minutes");
    }

    @Override
    public void close() {
        for (Process process : started) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
