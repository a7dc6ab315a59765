package io.hookline.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a real shim script from shims/, copied into a folder with its own hookline.conf, as a backup host would. */
public final class ShimRunner {

    private final Path folder;
    private final Path script;

    public ShimRunner(String shim, Path folder, String url, String token) throws IOException {
        this.folder = folder;
        Path source = Path.of("..", "shims").resolve(shim).toAbsolutePath().normalize();
        this.script = folder.resolve(source.getFileName());
        Files.copy(source, script, StandardCopyOption.REPLACE_EXISTING);
        script.toFile().setExecutable(true);
        Files.writeString(folder.resolve("hookline.conf"), "HOOKLINE_URL=" + url + "\nHOOKLINE_TOKEN=\"" + token
                + "\"\nHOOKLINE_TIMEOUT=5\n");
    }

    /** Replaces the folder's hookline.conf with this text, as written (line ends included). */
    public void configure(String conf) throws IOException {
        Files.writeString(folder.resolve("hookline.conf"), conf);
    }

    public record Outcome(int exitCode, String output, long millis) {
    }

    public Outcome run(Map<String, String> env, String... arguments) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(script.toString());
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true);
        builder.environment().remove("HOOKLINE_URL");
        builder.environment().remove("HOOKLINE_TOKEN");
        builder.environment().remove("HOOKLINE_TIMEOUT");
        builder.environment().put("HOOKLINE_LOG", folder.resolve("hookline.log").toString());
        // What a shim keeps between calls (vzdump's run state) stays in the test's folder, not in /tmp.
        builder.environment().put("TMPDIR", folder.toString());
        builder.environment().putAll(env);
        long started = System.nanoTime();
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the shim did not finish within 60 s");
        }
        return new Outcome(process.exitValue(), output, (System.nanoTime() - started) / 1_000_000);
    }

    public String log() throws IOException {
        Path log = folder.resolve("hookline.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    public Path folder() {
        return folder;
    }
}
