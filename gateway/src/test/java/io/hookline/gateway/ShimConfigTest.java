package io.hookline.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.sun.net.httpserver.HttpServer;

/**
 * The three POSIX shims read hookline.conf the same way: the same search path, CRLF and Windows editors' habits
 * tolerated, the environment winning, the same default time-out. Each real script calls a local HTTP server.
 */
class ShimConfigTest {

    record Call(String path, String authorization) {
    }

    HttpServer server;
    final List<Call> calls = new CopyOnWriteArrayList<>();

    @BeforeEach
    void listen() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            calls.add(new Call(exchange.getRequestURI().getPath(), exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] answer = "continue\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    String url(String prefix) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + prefix;
    }

    static String[] arguments(String shim) {
        return switch (shim) {
            case "retrospect/RetroEventHandler" -> new String[] {"StartScript", "Nightly", "11/21/2026 18:06"};
            case "proxmox/hookline-vzdump-hook" -> new String[] {"job-start"};
            default -> new String[] {"41", "Nightly", "client-fd", "OK", "1024", "3"};
        };
    }

    @ParameterizedTest
    @CsvSource({"retrospect/RetroEventHandler", "proxmox/hookline-vzdump-hook", "bacula/hookline-bacula-runscript"})
    void aConfWrittenOnWindowsWithCommentsBlanksAndQuotesIsRead(String shim, @TempDir Path dir) throws Exception {
        ShimRunner runner = new ShimRunner(shim, dir, "unused", "unused");
        runner.configure("# Hookline\r\n\r\n HOOKLINE_URL = \"" + url("/from-conf") + "\" \r\nHOOKLINE_TOKEN='tok-from-conf-0123456789'\r\n"
                + "HOOKLINE_TIMEOUT=7\r\n");

        ShimRunner.Outcome outcome = runner.run(Map.of("VMTYPE", "qemu"), arguments(shim));

        assertEquals(0, outcome.exitCode(), outcome.output() + runner.log());
        assertEquals(1, calls.size(), "one call: " + calls + " " + runner.log());
        assertTrue(calls.get(0).path().startsWith("/from-conf/"), calls.toString());
        assertEquals("Bearer tok-from-conf-0123456789", calls.get(0).authorization());
    }

    @ParameterizedTest
    @CsvSource({"retrospect/RetroEventHandler", "proxmox/hookline-vzdump-hook", "bacula/hookline-bacula-runscript"})
    void theEnvironmentWinsOverTheConf(String shim, @TempDir Path dir) throws Exception {
        ShimRunner runner = new ShimRunner(shim, dir, url("/from-conf"), "tok-from-conf-0123456789");

        ShimRunner.Outcome outcome = runner.run(Map.of("HOOKLINE_URL", url("/from-env"),
                "HOOKLINE_TOKEN", "tok-from-env-0123456789", "VMTYPE", "qemu"), arguments(shim));

        assertEquals(0, outcome.exitCode(), outcome.output() + runner.log());
        assertEquals(1, calls.size(), calls + " " + runner.log());
        assertTrue(calls.get(0).path().startsWith("/from-env/"), calls.toString());
        assertEquals("Bearer tok-from-env-0123456789", calls.get(0).authorization());
    }

    /** The block is copied, not shared, so that each shim stays one file to install: it must not drift. */
    @Test
    void everyShimHasTheSameConfigurationReader() throws Exception {
        Pattern block = Pattern.compile("(?s)# hookline.conf: KEY=VALUE lines.*?case \"\\$timeout\" in [^\n]*\n");
        String first = null;
        for (String shim : List.of("retrospect/RetroEventHandler", "proxmox/hookline-vzdump-hook",
                "bacula/hookline-bacula-runscript")) {
            Matcher found = block.matcher(Files.readString(Path.of("..", "shims", shim)));
            assertTrue(found.find(), shim + " has no configuration reader");
            if (first == null) {
                first = found.group();
            } else {
                assertEquals(first, found.group(), shim + " reads hookline.conf differently");
            }
        }
    }
}
