package io.hookline.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

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
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not delete the work directory " + root + ": " + e);
        }
    }
}
