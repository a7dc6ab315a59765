package io.hookline.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.hookline.devstack.Folders;
import io.hookline.devstack.LocalKafka;

/**
 * A bench's working directory (broker log, processor state, service logs): gigabytes after a replay. It is deleted
 * when the bench's JVM exits, also on Ctrl-C, after the broker and services it started are stopped.
 * {@code HOOKLINE_BENCH_KEEP=1} keeps it to read the logs; the bench then says where it is.
 */
final class WorkDir {

    private WorkDir() {
    }

    static Path create(String prefix) throws IOException {
        Path work = Files.createTempDirectory(prefix);
        if ("1".equals(System.getenv("HOOKLINE_BENCH_KEEP"))) {
            System.out.println("work directory (kept): " + work);
            return work;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopChildren();
            delete(work);
        }, "bench-work-dir-cleanup"));
        return work;
    }

    /**
     * The bench's broker, in {@code work}, with a 1 GB heap and the tests' JVM options (C1 only, serial GC), which
     * every figure in the README was measured with. {@code HOOKLINE_BENCH_BROKER_OPTS} replaces those options: with
     * those Kafka's start scripts give a broker ({@code "-XX:+UseG1GC -XX:MaxGCPauseMillis=20
     * -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent"}) the replay measured the same or
     * slower on two cores, the broker's C2 and G1 threads taking their share.
     */
    static LocalKafka broker(Path work) throws IOException {
        List<String> given = jvmOptions("HOOKLINE_BENCH_BROKER_OPTS");
        List<String> jvm = given.isEmpty() ? LocalKafka.QUICK_START : given;
        System.out.println("broker JVM options: " + String.join(" ", jvm));
        return new LocalKafka(work.resolve("kafka"), LocalKafka.freePort(), LocalKafka.freePort(), "1g", jvm);
    }

    /** JVM options from the environment variable {@code name} (HOOKLINE_BENCH_..._OPTS), split on white space. */
    static List<String> jvmOptions(String name) {
        String options = System.getenv(name);
        return options == null || options.isBlank() ? List.of() : List.of(options.trim().split("\\s+"));
    }

    /** The broker and services may still run when the JVM is interrupted; they write into the directory. */
    private static void stopChildren() {
        ProcessHandle.current().children().forEach(ProcessHandle::destroy);
        ProcessHandle.current().children().forEach(child -> {
            try {
                child.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                child.destroyForcibly();
            }
        });
    }

    static void delete(Path root) {
        try {
            Folders.delete(root);
        } catch (UncheckedIOException e) {
            System.err.println("could not delete the work directory " + root + ": " + e.getMessage());
        }
    }
}
