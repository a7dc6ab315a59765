package io.hookline.gateway.hook;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import io.hookline.gateway.secrets.SecretScrubber;
import io.hookline.schema.RawRequest;

/**
 * The capped, scrubbed copy of a request that goes on a topic for audit: the only way request text reaches a
 * topic. Query, body and path are scrubbed in depth (percent-encoding and base64 layers undone, so that
 * {@code --smtp-pwd} inside base64 inside base64 is found even when the hook was refused before it was decoded);
 * headers whose names say they hold a credential are left out and the others scrubbed.
 */
public final class RawCapture {

    /**
     * A path is kept up to this many bytes: a hook's is far shorter, and the server takes request lines of 2 MiB
     * (XSIBackup's queries), so a path that long made a record the broker refused, and the refusal went unrecorded.
     */
    static final int MAX_PATH_BYTES = 2048;

    private RawCapture() {
    }

    /**
     * @param query the query to keep: the raw one, or a source's scrubbed rendering of it
     * @param scrubbed whether {@code query} was already rewritten to remove secrets
     */
    public static RawRequest of(HookRequest request, String query, boolean scrubbed, int capBytes) {
        String scrubbedQuery = SecretScrubber.scrubDeep(query);
        String keptQuery = cap(scrubbedQuery, Math.max(0, capBytes / 2));
        return build(request, scrubbedQuery, keptQuery, scrubbed || !Objects.equals(scrubbedQuery, query),
                capBytes - HookRequest.utf8Length(keptQuery));
    }

    /**
     * For a query its source has already decoded and scrubbed in depth (XSIBackup's {@code safeQuery}): the
     * query gets the plain scrub only, so an accepted hook does not pay for decoding its base64 twice.
     */
    public static RawRequest inspected(HookRequest request, String query, boolean scrubbed, int capBytes) {
        String scrubbedQuery = SecretScrubber.scrub(query);
        String keptQuery = cap(scrubbedQuery, Math.max(0, capBytes / 2));
        return build(request, scrubbedQuery, keptQuery, scrubbed || !Objects.equals(scrubbedQuery, query),
                capBytes - HookRequest.utf8Length(keptQuery));
    }

    public static RawRequest of(HookRequest request, int capBytes) {
        return of(request, request.rawQuery(), false, capBytes);
    }

    /** For a hook whose body is a log kept up to {@code bodyBytes} (a ping): the query gets what is left. */
    public static RawRequest withLog(HookRequest request, int bodyBytes, int queryBytes) {
        String scrubbedQuery = SecretScrubber.scrubDeep(request.rawQuery());
        return build(request, scrubbedQuery, cap(scrubbedQuery, queryBytes),
                !Objects.equals(scrubbedQuery, request.rawQuery()), bodyBytes);
    }

    private static RawRequest build(HookRequest request, String scrubbedQuery, String keptQuery, boolean scrubbed,
            int bodyCap) {
        String body = request.body();
        String scrubbedBody = SecretScrubber.scrubDeep(body);
        String keptBody = cap(scrubbedBody, bodyCap);
        String scrubbedPath = SecretScrubber.scrubDeep(request.path());
        String path = cap(scrubbedPath, MAX_PATH_BYTES);
        Map<String, String> headers = new TreeMap<>();
        boolean found = scrubbed || !Objects.equals(scrubbedBody, body) || !Objects.equals(scrubbedPath, request.path());
        for (Map.Entry<String, String> header : request.headers().entrySet()) {
            if (HookRequest.isCredentialHeader(header.getKey())) {
                found = true;
                continue;
            }
            String value = SecretScrubber.scrubDeep(header.getValue());
            found |= !value.equals(header.getValue());
            headers.put(header.getKey(), value);
        }
        boolean truncated = !Objects.equals(keptBody, scrubbedBody) || !Objects.equals(keptQuery, scrubbedQuery)
                || !path.equals(scrubbedPath);
        return RawRequest.newBuilder()
                .setMethod(request.method())
                .setPath(path)
                .setQuery(keptQuery)
                .setHeaders(headers)
                .setBody(keptBody)
                .setOriginalBytes(request.contentBytes())
                .setTruncated(truncated)
                .setScrubbed(found)
                .setRemoteAddress(request.remoteAddress())
                .build();
    }

    /** Cuts a string to at most {@code maxBytes} of UTF-8 without splitting a character. */
    static String cap(String text, int maxBytes) {
        if (text == null || text.length() <= maxBytes / 3) {
            return text;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return text;
        }
        int end = Math.max(0, maxBytes);
        // Back up over continuation bytes (10xxxxxx) to the start of the character that did not fit.
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }
}
