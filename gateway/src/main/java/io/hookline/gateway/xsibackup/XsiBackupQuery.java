package io.hookline.gateway.xsibackup;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.hookline.gateway.hook.Rejection;
import io.hookline.gateway.secrets.SecretScrubber;

/**
 * XSIBackup-Pro's query string: the base64 of {@code KEY=value|KEY=value}, where {@code cmd} and {@code err} are
 * base64 again. Decoded as generously as the field requires (see sources.md), refused with a reason otherwise.
 */
public final class XsiBackupQuery {

    /**
     * The decoded pairs, in the order sent, and the decoded text of the whole list. One hook's fields are decoded
     * and scrubbed by both its safe copy and its event: each text is decoded and scrubbed once, then remembered.
     */
    public static final class Decoded {
        private final Map<String, String> fields;
        private final String text;
        /**
         * What was worked out already, by the very text it was worked out of: the callers pass the fields' own values
         * and what decoding them gave, so identity finds them without hashing texts of hundreds of characters (the
         * hashing was about a fortieth of the event loops' samples in a profile of bench/run). An equal text that is
         * another object is worked out again, which gives the same.
         */
        private final Map<String, String> decodedFields = new java.util.IdentityHashMap<>();
        private final Map<String, String> scrubbed = new java.util.IdentityHashMap<>();

        Decoded(Map<String, String> fields, String text) {
            this.fields = fields;
            this.text = text;
        }

        public Map<String, String> fields() {
            return fields;
        }

        public String text() {
            return text;
        }

        public Optional<String> field(String name) {
            for (var entry : fields.entrySet()) {
                if (entry.getKey().equalsIgnoreCase(name)) {
                    return Optional.of(entry.getValue());
                }
            }
            return Optional.empty();
        }

        /** {@link XsiBackupQuery#decodeField} of a value of this hook. */
        public String decodeField(String value) {
            return decodedFields.computeIfAbsent(value, XsiBackupQuery::decodeField);
        }

        /** {@link SecretScrubber#scrubDeep} of a text of this hook. */
        public String scrubDeep(String value) {
            if (value == null) {
                return null;
            }
            return scrubbed.computeIfAbsent(value, SecretScrubber::scrubDeep);
        }
    }

    /** Either the decoded query or why it was refused. */
    public record Result(Decoded decoded, Rejection rejection) {
        static Result ok(Decoded decoded) {
            return new Result(decoded, null);
        }

        static Result refused(String reason, String message) {
            return new Result(null, Rejection.badRequest(reason, message));
        }
    }

    private XsiBackupQuery() {
    }

    public static Result decode(String rawQuery) {
        if (rawQuery == null || rawQuery.isBlank()) {
            return Result.refused("missing-query",
                    "the URL has no query string: XSIBackup sends the run's details as base64 after '?'");
        }
        String query = percentDecode(rawQuery).strip();
        Optional<String> text = LenientBase64.decodeText(query);
        if (text.isEmpty()) {
            // Accept a list that arrives already decoded (a proxy or a hand-made test call), but nothing else.
            if (looksLikePairs(query)) {
                text = Optional.of(query);
            } else {
                return Result.refused("not-base64",
                        "the query string is not base64 of KEY=value|KEY=value text");
            }
        }
        String list = text.get().strip();
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : list.split("\\|")) {
            String trimmed = pair.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            int equals = trimmed.indexOf('=');
            String key = equals < 0 ? trimmed : trimmed.substring(0, equals).strip();
            String value = equals < 0 ? "" : trimmed.substring(equals + 1).strip();
            if (!key.isEmpty()) {
                fields.put(key, value);
            }
        }
        if (fields.isEmpty() || fields.values().stream().allMatch(String::isEmpty) && !list.contains("=")) {
            return Result.refused("no-fields", "the decoded query has no KEY=value pairs separated by '|'");
        }
        return Result.ok(new Decoded(Collections.unmodifiableMap(fields), list));
    }

    /** A base64 field inside the list (cmd, err); a value that is not base64 text is taken as plain text. */
    public static String decodeField(String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        return LenientBase64.decodeText(value).map(String::strip).orElse(value.strip());
    }

    private static boolean looksLikePairs(String text) {
        return text.matches("(?s)[A-Za-z_][A-Za-z0-9_.-]*=.*") && (text.contains("|") || text.startsWith("PID="));
    }

    /** %XX escapes only: unlike URLDecoder, '+' stays '+' (it is base64 here, not a space). */
    static String percentDecode(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '%' && i + 2 < bytes.length && hex(bytes[i + 1]) >= 0 && hex(bytes[i + 2]) >= 0) {
                out.write(hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]));
                i += 2;
            } else {
                out.write(bytes[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int hex(byte b) {
        return Character.digit((char) b, 16);
    }
}
