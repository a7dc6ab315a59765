package io.hookline.gateway.hook;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.vertx.core.http.HttpServerRequest;

/**
 * A hook as it arrived: the raw (still percent-encoded) query string, the path with the token already replaced,
 * the headers without credentials, and the body.
 */
public record HookRequest(String method, String path, String rawQuery, Map<String, String> headers, String body,
        String remoteAddress, String authorization, String signature) {

    public HookRequest(String method, String path, String rawQuery, Map<String, String> headers, String body,
            String remoteAddress) {
        this(method, path, rawQuery, headers, body, remoteAddress, null, null);
    }

    /** The same request with another body (read after the headers). */
    public HookRequest withBody(String newBody) {
        return new HookRequest(method, path, rawQuery, headers, newBody, remoteAddress, authorization, signature);
    }

    @Override
    public String toString() {
        // Never print the authorization.
        return method + " " + path;
    }

    private static final Set<String> CREDENTIAL_HEADERS = Set.of("authorization", "proxy-authorization", "cookie",
            "set-cookie", "x-api-key", "x-auth-token", "webhook-signature", "x-hub-signature", "x-hub-signature-256");

    public static HookRequest of(HttpServerRequest request, String token, String body) {
        String path = request.path();
        if (token != null && !token.isEmpty()) {
            path = path.replace(token, "***");
        }
        Map<String, String> headers = new TreeMap<>();
        request.headers().forEach(header -> {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!CREDENTIAL_HEADERS.contains(name)) {
                headers.merge(name, header.getValue(), (a, b) -> a + ", " + b);
            }
        });
        String remote = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        return new HookRequest(request.method().name(), path, request.query(), Map.copyOf(headers), body, remote,
                request.getHeader("Authorization"), request.getHeader("webhook-signature"));
    }

    /**
     * The path with the segment where Hookline's URLs carry a token ({@code /hooks/<kind>/<token>/...},
     * {@code /ping/<token-or-uuid>/...}, {@code /events/<token>}) replaced by ***, for a request that matched no
     * endpoint and so has no known token.
     */
    public static String withoutToken(String path) {
        String[] segments = path.split("/", -1);
        int tokenAt = segments.length > 3 && segments[1].equals("hooks") ? 3
                : segments.length > 2 && (segments[1].equals("ping") || segments[1].equals("events")) ? 2 : -1;
        if (tokenAt > 0 && !segments[tokenAt].isEmpty()) {
            segments[tokenAt] = "***";
        }
        return String.join("/", segments);
    }

    /** Bytes of what a source sends as its content: query string and body. */
    public long contentBytes() {
        long bytes = rawQuery == null ? 0 : rawQuery.getBytes(StandardCharsets.UTF_8).length;
        return bytes + (body == null ? 0 : body.getBytes(StandardCharsets.UTF_8).length);
    }

    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }
}
