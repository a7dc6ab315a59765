package io.hookline.gateway.hook;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.hookline.gateway.secrets.SecretScrubber;
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

    /** A header that carries a credential by its name: never kept, whatever its value looks like. */
    public static boolean isCredentialHeader(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return CREDENTIAL_HEADERS.contains(lower) || SecretScrubber.isSecretName(lower) || lower.contains("auth")
                || lower.contains("signature") || lower.contains("cookie") || lower.contains("session")
                || lower.endsWith("key") && !lower.equals(IDEMPOTENCY_KEY);
    }

    public static HookRequest of(HttpServerRequest request, String token, String body) {
        // Decoded first: the token arrives decoded, and /hooks/xsibackup/%74oken... must not keep it.
        String path = decoded(request.path());
        if (token != null && !token.isEmpty()) {
            path = path.replace(token, "***");
        }
        Map<String, String> headers = new TreeMap<>();
        request.headers().forEach(header -> {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!isCredentialHeader(name)) {
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
     * endpoint and so has no known token. Percent-encoding is undone first and the words are matched in any case,
     * so that {@code /Hooks/xsibackup/%74oken/...} is masked too.
     */
    public static String withoutToken(String path) {
        String[] segments = decoded(path).split("/", -1);
        String first = segments.length > 1 ? segments[1].toLowerCase(Locale.ROOT) : "";
        int tokenAt = segments.length > 3 && first.equals("hooks") ? 3
                : segments.length > 2 && (first.equals("ping") || first.equals("events")) ? 2 : -1;
        if (tokenAt > 0 && !segments[tokenAt].isEmpty()) {
            segments[tokenAt] = "***";
        }
        return String.join("/", segments);
    }

    /** {@link #withoutToken}, and every segment that is a configured token wherever it stands. */
    public static String withoutToken(String path, java.util.function.Predicate<String> isToken) {
        String[] segments = withoutToken(path).split("/", -1);
        for (int i = 1; i < segments.length; i++) {
            if (segments[i].length() >= 8 && isToken.test(segments[i])) {
                segments[i] = "***";
            }
        }
        return String.join("/", segments);
    }

    private static String decoded(String path) {
        if (path.indexOf('%') < 0) {
            return path;
        }
        try {
            return java.net.URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return path;
        }
    }

    /** Bytes of what a source sends as its content: query string and body. */
    public long contentBytes() {
        return (long) utf8Length(rawQuery) + utf8Length(body);
    }

    /**
     * The length of the text in UTF-8, as {@code text.getBytes(UTF_8).length} gives it (a lone surrogate is one
     * byte, its '?'), without encoding it: every hook's size is checked, and the copy was a thirtieth of what the
     * gateway allocated for one.
     */
    public static int utf8Length(String text) {
        if (text == null) {
            return 0;
        }
        int bytes = text.length();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                continue;
            }
            if (c < 0x800) {
                bytes += 1;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 2;
                i++;
            } else if (!Character.isSurrogate(c)) {
                bytes += 2;
            }
        }
        return bytes;
    }

    /** The header a caller sends with every retry of one call (IETF httpapi Idempotency-Key). */
    public static final String IDEMPOTENCY_KEY = "idempotency-key";
    static final int IDEMPOTENCY_KEY_MAX = 255;

    /** The caller's idempotency key, unquoted, or null when it sent none. */
    public String idempotencyKey() {
        String value = header(IDEMPOTENCY_KEY);
        if (value == null) {
            return null;
        }
        value = value.strip();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
        }
        return value.isEmpty() ? null : value;
    }

    /** Why the idempotency key cannot be used, or null when it is absent or fine. */
    public String idempotencyKeyProblem() {
        String key = idempotencyKey();
        if (key == null) {
            return header(IDEMPOTENCY_KEY) == null ? null : "the Idempotency-Key header is empty";
        }
        if (key.length() > IDEMPOTENCY_KEY_MAX) {
            return "the Idempotency-Key header is " + key.length() + " characters; at most " + IDEMPOTENCY_KEY_MAX;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return "the Idempotency-Key header may hold only visible ASCII characters (a UUID is best)";
            }
        }
        return null;
    }

    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }
}
