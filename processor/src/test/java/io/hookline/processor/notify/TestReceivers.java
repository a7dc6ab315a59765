package io.hookline.processor.notify;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

/**
 * Local HTTP servers standing in for a webhook endpoint and Slack: {@code /hook} and {@code /slack} answer 200,
 * {@code /flaky} answers 503 with Retry-After: 1 to the first two tries of each message, {@code /gone} 410.
 */
public final class TestReceivers {

    public record Request(String path, Map<String, String> headers, String body) {
    }

    private static TestReceivers running;

    private final HttpServer server;
    private final com.icegreen.greenmail.util.GreenMail smtp;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> flakyTries = new ConcurrentHashMap<>();
    private volatile boolean switchOn;

    /** {@code /switch} answers 500 until switched on, then 200. */
    public void switchOn() {
        switchOn = true;
    }

    private final java.util.Set<String> namedOn = ConcurrentHashMap.newKeySet();

    /** {@code /switch/<name>} answers 500 until that one is switched on, then 200: a receiver's outage of its own. */
    public void switchOn(String name) {
        namedOn.add(name);
    }

    private TestReceivers() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> headers = new ConcurrentHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
            String path = exchange.getRequestURI().getPath();
            requests.add(new Request(path, headers, body));
            int status = 200;
            if (path.equals("/gone")) {
                status = 410;
            } else if (path.equals("/switch") && !switchOn) {
                status = 500;
            } else if (path.startsWith("/switch/") && !namedOn.contains(path.substring("/switch/".length()))) {
                status = 500;
            } else if (path.equals("/flaky")
                    && flakyTries.computeIfAbsent(headers.get("webhook-id"), id -> new AtomicInteger()).incrementAndGet() <= 2) {
                exchange.getResponseHeaders().add("Retry-After", "1");
                status = 503;
            }
            byte[] answer = (status == 200 ? "ok" : "not now").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        smtp = new com.icegreen.greenmail.util.GreenMail(new com.icegreen.greenmail.util.ServerSetup(
                io.hookline.devstack.LocalKafka.freePort(), "127.0.0.1", "smtp"));
        smtp.start();
    }

    /** The SMTP server in the test JVM (GreenMail). */
    public com.icegreen.greenmail.util.GreenMail smtp() {
        return smtp;
    }

    public int smtpPort() {
        return smtp.getSmtp().getPort();
    }

    public static synchronized TestReceivers get() throws IOException {
        if (running == null) {
            running = new TestReceivers();
        }
        return running;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public List<Request> requests(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }
}
