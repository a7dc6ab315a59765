package io.hookline.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drives the gateway with wrk, which costs a fraction of a core where a Java client took half the machine: one
 * wrk thread, keep-alive connections, cycling through precomputed hook paths (each its own run). With a pace,
 * every connection waits that many milliseconds after each answer, so the connections together send about
 * {@code connections × 1000 / (pace + latency)} hooks a second; wrk's latency is from a request's sending to its
 * answer.
 */
final class Wrk {

    private static final Pattern SUMMARY = Pattern.compile(
            "HOOKLINE requests=(\\d+) duration_us=(\\d+) errors=(\\d+) p50=([0-9.]+) p90=([0-9.]+) p99=([0-9.]+) max=([0-9.]+)");

    private final Path script;
    private final String url;
    private final int connections;
    private long answered;

    Wrk(Path work, String url, List<String> queries, int connections) throws IOException {
        this.url = url;
        this.connections = connections;
        Path paths = work.resolve("wrk-paths.txt");
        StringBuilder lines = new StringBuilder();
        for (String query : queries) {
            lines.append("/hooks/xsibackup/").append(XsiBackupThroughput.TOKEN).append("/error?").append(query).append('\n');
        }
        Files.writeString(paths, lines, StandardCharsets.US_ASCII);
        script = work.resolve("wrk-hooks.lua");
        Files.writeString(script, """
                local paths = {}
                for line in io.lines("%s") do paths[#paths + 1] = line end
                local next = 0
                local pace = tonumber(os.getenv("HOOKLINE_WRK_PACE") or "0")

                request = function()
                  next = next %% #paths + 1
                  return wrk.format("GET", paths[next])
                end

                if pace > 0 then
                  -- wrk waits whole milliseconds: a fractional pace is the mean of its floor and ceiling.
                  local base = math.floor(pace)
                  delay = function()
                    if math.random() < pace - base then return base + 1 end
                    return base
                  end
                end

                done = function(summary, latency, requests)
                  local e = summary.errors
                  io.write(string.format("HOOKLINE requests=%%d duration_us=%%d errors=%%d p50=%%.3f p90=%%.3f p99=%%.3f max=%%.3f\\n",
                    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
                    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
                    latency.max / 1000))
                end
                """.formatted(paths.toAbsolutePath()), StandardCharsets.US_ASCII);
    }

    /** Hooks answered without error in every run so far, probes and warm-ups included. */
    long answered() {
        return answered;
    }

    static boolean available() {
        try {
            Process probe = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            probe.waitFor();
            return true;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /**
     * About {@code perSecond} hooks a second for the given seconds: a short run finds how long a hook takes at that
     * pace, and each connection then waits the rest of its share between hooks.
     */
    XsiBackupThroughput.Result paced(int seconds, double perSecond) throws Exception {
        double share = connections * 1000.0 / perSecond;
        XsiBackupThroughput.Result probe = run(5, share);
        double latency = Math.max(0, connections * 1000.0 / probe.perSecond() - share);
        return run(seconds, Math.max(0.05, share - latency));
    }

    /** Runs for the given seconds, unpaced (0) or with each connection waiting {@code paceMillis} between hooks. */
    XsiBackupThroughput.Result run(int seconds, double paceMillis) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("wrk", "-t1", "-c" + connections, "-d" + seconds + "s", "--timeout", "30s",
                "-s", script.toString(), url).redirectErrorStream(true);
        builder.environment().put("HOOKLINE_WRK_PACE", Double.toString(paceMillis));
        Process wrk = builder.start();
        String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (wrk.waitFor() != 0) {
            throw new IllegalStateException("wrk failed:\n" + output);
        }
        Matcher m = SUMMARY.matcher(output);
        if (!m.find()) {
            throw new IllegalStateException("wrk printed no summary:\n" + output);
        }
        Map<Double, Double> percentiles = new TreeMap<>(Map.of(50.0, Double.parseDouble(m.group(4)),
                90.0, Double.parseDouble(m.group(5)), 99.0, Double.parseDouble(m.group(6)), 100.0, Double.parseDouble(m.group(7))));
        answered += Long.parseLong(m.group(1)) - Long.parseLong(m.group(3));
        return new XsiBackupThroughput.Result(null, percentiles, Long.parseLong(m.group(1)),
                Long.parseLong(m.group(2)) * 1000, Long.parseLong(m.group(3)));
    }
}
