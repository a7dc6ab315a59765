package io.hookline.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A reverse proxy as an operator puts in front of the processor: {@code /hookline/...} on its own port goes to the
 * processor's {@code /...}, the prefix stripped, responses streamed as they come (so that server-sent events pass).
 * Like nginx with {@code proxy_pass http://processor/;} and {@code proxy_buffering off}.
 */
final class PrefixProxy implements AutoCloseable {

    static final String PREFIX = "/hookline";
    private static final List<String> REQUEST_HEADERS = List.of("Accept", "Authorization", "Content-Type", "Cookie",
            "X-CSRF-Token", "Last-Event-ID", "Cache-Control");
    private static final List<String> RESPONSE_HEADERS = List.of("Content-Type", "Cache-Control", "Set-Cookie", "Link",
            "X-Total-Count", "Retry-After", "WWW-Authenticate", "X-Accel-Buffering", "Location");

    private final HttpServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String upstream;

    PrefixProxy(int port, int upstreamPort) throws IOException {
        this.upstream = "http://127.0.0.1:" + upstreamPort;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 50);
        server.createContext(PREFIX + "/", this::forward);
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PREFIX + "/";
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath().substring(PREFIX.length());
            String query = exchange.getRequestURI().getRawQuery();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(upstream + path + (query == null ? "" : "?" + query)));
            for (String name : REQUEST_HEADERS) {
                String value = exchange.getRequestHeaders().getFirst(name);
                if (value != null) {
                    request.header(name, value);
                }
            }
            byte[] body = exchange.getRequestBody().readAllBytes();
            request.method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
            HttpResponse<InputStream> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(502, -1);
                return;
            }
            for (String name : RESPONSE_HEADERS) {
                for (String value : response.headers().allValues(name.toLowerCase(Locale.ROOT))) {
                    exchange.getResponseHeaders().add(name, value);
                }
            }
            boolean noBody = response.statusCode() == 204 || response.statusCode() == 304
                    || exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(response.statusCode(), noBody ? -1 : 0);
            try (InputStream in = response.body(); OutputStream out = exchange.getResponseBody()) {
                byte[] buffer = new byte[8192];
                for (int n; (n = in.read(buffer)) >= 0;) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException browserWentAway) {
                // the page was closed or reloaded: nothing to pass on
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
