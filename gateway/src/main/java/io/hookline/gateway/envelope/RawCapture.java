package io.hookline.gateway.envelope;

import java.nio.charset.StandardCharsets;

import io.hookline.gateway.hook.HookRequest;
import io.hookline.gateway.secrets.SecretScrubber;
import io.hookline.schema.RawRequest;

/** The capped, scrubbed copy of a request that goes on a topic for audit. */
public final class RawCapture {

    private RawCapture() {
    }

    /**
     * @param query the query to keep: the raw one, or a source's scrubbed rendering of it when the raw one carried
     *        a secret in an encoding the scrubber cannot see (XSIBackup's base64)
     * @param scrubbed whether {@code query} was rewritten to remove secrets
     */
    public static RawRequest of(HookRequest request, String query, boolean scrubbed, int capBytes) {
        String scrubbedQuery = SecretScrubber.scrub(query);
        String scrubbedBody = SecretScrubber.scrub(request.body());
        boolean found = scrubbed || !java.util.Objects.equals(scrubbedQuery, query)
                || !java.util.Objects.equals(scrubbedBody, request.body());
        int queryCap = Math.max(0, capBytes / 2);
        String cappedQuery = cap(scrubbedQuery, queryCap);
        int bodyCap = capBytes - utf8Length(cappedQuery);
        String cappedBody = cap(scrubbedBody, bodyCap);
        boolean truncated = !java.util.Objects.equals(cappedQuery, scrubbedQuery)
                || !java.util.Objects.equals(cappedBody, scrubbedBody);
        return RawRequest.newBuilder()
                .setMethod(request.method())
                .setPath(request.path())
                .setQuery(cappedQuery)
                .setHeaders(request.headers())
                .setBody(cappedBody)
                .setOriginalBytes(request.contentBytes())
                .setTruncated(truncated)
                .setScrubbed(found)
                .setRemoteAddress(request.remoteAddress())
                .build();
    }

    public static RawRequest of(HookRequest request, int capBytes) {
        return of(request, request.rawQuery(), false, capBytes);
    }

    /** Cuts a string to at most {@code maxBytes} of UTF-8 without splitting a character. */
    static String cap(String text, int maxBytes) {
        if (text == null || utf8Length(text) <= maxBytes) {
            return text;
        }
        int bytes = 0;
        int end = 0;
        while (end < text.length()) {
            int codePoint = text.codePointAt(end);
            int size = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + size > maxBytes) {
                break;
            }
            bytes += size;
            end += Character.charCount(codePoint);
        }
        return text.substring(0, end);
    }

    private static int utf8Length(String text) {
        return text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length;
    }
}
