package io.hookline.gateway.secrets;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces secrets with {@code ***} before anything leaves the gateway: values of arguments and keys whose name
 * says password, secret, token, key or credential ({@code --smtp-pwd=...}, {@code password: ...}).
 */
public final class SecretScrubber {

    public static final String MASK = "***";

    /** Words that make a name a secret's name (api-key, api_key and apikey all contain "key" after "api"). */
    private static final String[] SECRET_WORDS = {"password", "passwd", "passphrase", "pwd", "secret", "token",
        "credential", "apikey", "api-key", "api_key", "accesskey", "access-key", "access_key", "privatekey",
        "private-key", "private_key"};

    // Every secret this class finds contains one of "pass", "pwd", "secret", "token", "key", "credential",
    // "bearer", "basic" or "://" in some case: text without any of them needs no regex at all (mayHoldSecret).

    /** Longer "names" are data (a base64 blob that happens to contain "pwd"), not names. */
    private static final int MAX_NAME_LENGTH = 64;

    // Candidates are found with possessive quantifiers (linear time on long base64 runs); whether the name says
    // "secret" is decided afterwards, on the name alone.

    /**
     * Where an argument's value starts: {@code --name=}, {@code --name } (the value not itself an option). Only the
     * name and separator are matched; the value is measured afterwards, and only for a secret's name, so that a
     * harmless argument with an unclosed quote can never swallow the {@code --smtp-pwd=...} after it.
     */
    private static final Pattern ARGUMENT = Pattern.compile(
            "(?<![A-Za-z0-9_.-])(--?)([A-Za-z0-9_.-]++)(=|\\s++(?!-))");

    /** {@code password=}, {@code token: }, JSON's {@code "password": } in free text; the value as above. */
    private static final Pattern PAIR = Pattern.compile(
            "(?<![A-Za-z0-9_.-])()([A-Za-z][A-Za-z0-9_.-]*+)([\"']?\\s*+[=:]\\s*+)");

    /** The user information of a URL: {@code https://user:password@host/}. */
    private static final Pattern URL_CREDENTIALS = Pattern.compile(
            "([A-Za-z][A-Za-z0-9+.-]{0,20}+://)([^/\\s:@]{0,256}+):([^@\\s/]{1,256}+)@");

    /** A credential after an authorization scheme, in a header that has another name or in a log line. */
    private static final Pattern SCHEME_CREDENTIALS = Pattern.compile(
            "(?i)(?<![A-Za-z0-9])(bearer|basic|token|apikey)(\\s++)([A-Za-z0-9._~+/=-]{8,}+)");

    /** A run that may be base64 (standard or URL-safe) is at least this long: text inside it is scrubbed too. */
    private static final int MIN_RUN = 16;
    private static final boolean[] BASE64_CHAR = new boolean[128];

    static {
        for (char c : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-".toCharArray()) {
            BASE64_CHAR[c] = true;
        }
    }

    private static boolean base64Char(char c) {
        return c < 128 && BASE64_CHAR[c];
    }

    /** Where the next run of at least {@link #MIN_RUN} base64 characters starts at or after {@code from}, or -1. */
    private static int nextRun(String text, int from) {
        int start = -1;
        for (int i = from; i < text.length(); i++) {
            if (base64Char(text.charAt(i))) {
                if (start < 0) {
                    start = i;
                }
                if (i - start + 1 >= MIN_RUN) {
                    return start;
                }
            } else {
                start = -1;
            }
        }
        return -1;
    }

    /** The end of the run that starts at {@code start}, with up to two '=' of padding. */
    private static int runEnd(String text, int start) {
        int end = start;
        while (end < text.length() && base64Char(text.charAt(end))) {
            end++;
        }
        for (int pad = 0; pad < 2 && end < text.length() && text.charAt(end) == '='; pad++) {
            end++;
        }
        return end;
    }
    /**
     * Layers of base64 looked into (XSIBackup's cmd within its query is two); a run still holding base64 below
     * that is masked unseen, so that nesting deeper cannot hide a secret.
     */
    private static final int MAX_DEPTH = 5;

    private SecretScrubber() {
    }

    /** A name that says it holds a secret; "pass" only as a whole word, so that "passed" is left alone. */
    public static boolean isSecretName(String name) {
        if (name == null) {
            return false;
        }
        int start = 0;
        while (start < name.length() && name.charAt(start) == '-') {
            start++;
        }
        if (start == name.length() || name.length() - start > MAX_NAME_LENGTH) {
            return false;
        }
        String bare = name.substring(start).toLowerCase(Locale.ROOT);
        for (String word : SECRET_WORDS) {
            if (bare.contains(word)) {
                return true;
            }
        }
        for (int at = bare.indexOf("pass"); at >= 0; at = bare.indexOf("pass", at + 1)) {
            boolean wordStart = at == 0 || !Character.isLetter(bare.charAt(at - 1));
            boolean wordEnd = at + 4 == bare.length() || !Character.isLetter(bare.charAt(at + 4));
            if (wordStart && wordEnd) {
                return true;
            }
        }
        return false;
    }

    /** The value of a named entry (a label, an extension attribute): masked whole when its name says secret. */
    public static String scrubValue(String name, String value) {
        return isSecretName(name) ? MASK : scrub(value);
    }

    /** Scrubs a command line and any free text; returns the same string when nothing was found. */
    public static String scrub(String text) {
        if (text == null || text.isEmpty() || !mayHoldSecret(text)) {
            return text;
        }
        // Both kinds of name are found on the text as it came, so that masking one never hides the other.
        java.util.List<int[]> ranges = new java.util.ArrayList<>();
        collect(ARGUMENT, text, "|", ranges);
        collect(PAIR, text, "|&,;\"'}", ranges);
        String scrubbed = mask(text, ranges);
        scrubbed = URL_CREDENTIALS.matcher(scrubbed).replaceAll("$1$2:" + MASK + "@");
        return SCHEME_CREDENTIALS.matcher(scrubbed).replaceAll("$1$2" + MASK);
    }

    /**
     * {@link #scrub}, then the same inside every run that decodes from base64 to text (to {@value #MAX_DEPTH}
     * levels, percent-encoding undone first): a base64 run that holds a secret is replaced as a whole. For text
     * kept as it arrived (a refused hook's raw request), where a secret may sit in any encoding.
     */
    public static String scrubDeep(String text) {
        return scrubDeep(text, 0);
    }

    private static String scrubDeep(String text, int depth) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String plain = text.indexOf('%') >= 0 ? percentDecoded(text) : text;
        String scrubbed = scrub(plain);
        if (plain.indexOf('+') >= 0) {
            // '+' is a space in a form or query string but a letter in base64: read it both ways.
            String spaced = plain.replace('+', ' ');
            String scrubbedSpaced = scrub(spaced);
            if (!scrubbedSpaced.equals(spaced)) {
                plain = spaced;
                scrubbed = scrubbedSpaced;
            }
        }
        if (depth >= MAX_DEPTH) {
            return nextRun(scrubbed, 0) >= 0 ? MASK + "(base64 nested too deep to inspect)" : scrubbed;
        }
        StringBuilder out = null;
        int copied = 0;
        for (int start = nextRun(scrubbed, 0); start >= 0; ) {
            int end = runEnd(scrubbed, start);
            String run = scrubbed.substring(start, end);
            if (holdsSecret(run, depth)) {
                if (out == null) {
                    out = new StringBuilder(scrubbed.length());
                }
                out.append(scrubbed, copied, start).append(MASK).append("(base64 holding a secret, ")
                        .append(run.length()).append(" characters)");
                copied = end;
            }
            start = nextRun(scrubbed, end);
        }
        if (out != null) {
            return out.append(scrubbed, copied, scrubbed.length()).toString();
        }
        return scrubbed.equals(plain) ? text : scrubbed;
    }

    /**
     * Whether the run, decoded from base64 at any of its four alignments (text glued to its start shifts it),
     * holds a secret. Whether the decoded bytes look like text does not matter: a password between control
     * characters is still a password.
     */
    private static boolean holdsSecret(String run, int depth) {
        for (int skip = 0; skip < 4 && run.length() - skip >= 16; skip++) {
            String decoded = base64Text(run, skip);
            if (decoded != null && worthLookingInto(decoded) && !scrubDeep(decoded, depth + 1).equals(decoded)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether decoded bytes could hold a secret at all: a word every secret pattern needs, another base64 run, or
     * a percent escape. The three wrong alignments of a run decode to noise that has none of them, so only the
     * right one is looked into further (one hook's query then costs a few microseconds, not a hundred).
     */
    private static boolean worthLookingInto(String decoded) {
        return mayHoldSecret(decoded) || nextRun(decoded, 0) >= 0 || hasPercentEscape(decoded);
    }

    private static boolean hasPercentEscape(String text) {
        for (int at = text.indexOf('%'); at >= 0 && at + 2 < text.length(); at = text.indexOf('%', at + 1)) {
            if (Character.digit(text.charAt(at + 1), 16) >= 0 && Character.digit(text.charAt(at + 2), 16) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static final int[] SEXTET = new int[128];

    static {
        java.util.Arrays.fill(SEXTET, -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < alphabet.length(); i++) {
            SEXTET[alphabet.charAt(i)] = i;
        }
        SEXTET['-'] = 62;
        SEXTET['_'] = 63;
    }

    /**
     * The bytes (as ISO-8859-1 text, one char per byte) that a base64 run decodes to, standard or URL-safe, from
     * {@code from}; padding ignored, a last partial group dropped. Null when nothing is left to decode.
     */
    static String base64Text(String run, int from) {
        int length = 0;
        for (int i = from; i < run.length() && run.charAt(i) != '='; i++) {
            length++;
        }
        int groups = length / 4;
        if (groups == 0) {
            return null;
        }
        byte[] bytes = new byte[groups * 3];
        int at = from;
        for (int g = 0; g < groups; g++) {
            int bits = 0;
            for (int k = 0; k < 4; k++) {
                char c = run.charAt(at++);
                int value = c < 128 ? SEXTET[c] : -1;
                if (value < 0) {
                    return null;
                }
                bits = bits << 6 | value;
            }
            bytes[g * 3] = (byte) (bits >> 16);
            bytes[g * 3 + 1] = (byte) (bits >> 8);
            bytes[g * 3 + 2] = (byte) bits;
        }
        return new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** %XX escapes undone, leniently: a broken escape stays as it is and the rest is still decoded. */
    private static String percentDecoded(String text) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(text.length());
        byte[] raw = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '%' && i + 2 < raw.length && hex(raw[i + 1]) >= 0 && hex(raw[i + 2]) >= 0) {
                bytes.write(hex(raw[i + 1]) * 16 + hex(raw[i + 2]));
                i += 2;
            } else {
                bytes.write(raw[i]);
            }
        }
        return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static int hex(byte c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    /** The hints of {@link #mayHoldSecret}, lower case. */
    private static final String[] HINTS = {"pass", "pwd", "secret", "token", "key", "credential", "bearer", "basic",
        "://"};

    /** Which two ASCII characters, at index {@code first << 7 | second}, begin a hint in some case. */
    private static final boolean[] HINT_START = new boolean[128 * 128];

    static {
        for (char first = 0; first < 128; first++) {
            for (char second = 0; second < 128; second++) {
                for (String hint : HINTS) {
                    if (lower(first) == hint.charAt(0) && lower(second) == hint.charAt(1)) {
                        HINT_START[first << 7 | second] = true;
                    }
                }
            }
        }
    }

    /**
     * Whether any hint occurs, in any case. One pass without copying the text: a table of the pairs of characters
     * a hint begins with rules out nearly every position (in base64 all but about one in a hundred) with one
     * look-up, and only where it does not is the hint compared. This runs on every field and every decoded base64
     * run of every hook, where lower-casing each whole text first was a tenth of the gateway's time, and comparing
     * at each position whose one character could begin a hint was still a tenth of its event loops' samples.
     */
    private static boolean mayHoldSecret(String text) {
        int last = text.length() - 3;
        for (int i = 0; i <= last; i++) {
            char first = text.charAt(i);
            char second = text.charAt(i + 1);
            if ((first | second) < 128 && !HINT_START[first << 7 | second]) {
                continue;
            }
            // A pair of ASCII characters that begins a hint, or a character beyond ASCII (the Kelvin sign is a 'k').
            if (hintStartsAt(text, i)) {
                return true;
            }
        }
        return false;
    }

    /** Whether one of the hints stands at {@code i}, in any case. */
    private static boolean hintStartsAt(String text, int i) {
        return switch (lower(text.charAt(i))) {
            case 'p' -> hintAt(text, i, "pass") || hintAt(text, i, "pwd");
            case 's' -> hintAt(text, i, "secret");
            case 't' -> hintAt(text, i, "token");
            case 'k' -> hintAt(text, i, "key");
            case 'c' -> hintAt(text, i, "credential");
            case 'b' -> hintAt(text, i, "bearer") || hintAt(text, i, "basic");
            case ':' -> hintAt(text, i, "://");
            default -> false;
        };
    }

    /** Whether {@code hint} (lower case, its first character already matched) stands at {@code at}, in any case. */
    private static boolean hintAt(String text, int at, String hint) {
        if (at + hint.length() > text.length()) {
            return false;
        }
        for (int j = 1; j < hint.length(); j++) {
            if (lower(text.charAt(at + j)) != hint.charAt(j)) {
                return false;
            }
        }
        return true;
    }

    private static char lower(char c) {
        if (c < 128) {
            return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
        }
        return Character.toLowerCase(c);
    }

    /** The value after every secret-named match of {@code pattern}, as a range of the text. */
    private static void collect(Pattern pattern, String text, String stops, java.util.List<int[]> ranges) {
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            if (isSecretName(matcher.group(2))) {
                int start = matcher.end();
                int end = valueEnd(text, start, stops);
                if (end > start) {
                    ranges.add(new int[] {start, end});
                }
            }
        }
    }

    /** The text with every range masked; overlapping ranges are masked as one. */
    private static String mask(String text, java.util.List<int[]> ranges) {
        if (ranges.isEmpty()) {
            return text;
        }
        ranges.sort(java.util.Comparator.comparingInt(r -> r[0]));
        StringBuilder out = new StringBuilder(text.length());
        int copied = 0;
        int i = 0;
        while (i < ranges.size()) {
            int start = ranges.get(i)[0];
            int end = ranges.get(i)[1];
            while (++i < ranges.size() && ranges.get(i)[0] < end) {
                end = Math.max(end, ranges.get(i)[1]);
            }
            start = Math.max(start, copied);
            if (start >= end) {
                continue;
            }
            char first = text.charAt(start);
            out.append(text, copied, start).append(first == '"' || first == '\'' ? first + MASK + first : MASK);
            copied = end;
        }
        return out.append(text, copied, text.length()).toString();
    }

    /**
     * Where a value that starts at {@code start} ends: after its closing quote (or at the end of the text when
     * the quote is never closed: better too much masked than a password kept), else at white space or a stop.
     */
    private static int valueEnd(String text, int start, String stops) {
        if (start >= text.length()) {
            return start;
        }
        char first = text.charAt(start);
        if (first == '"' || first == '\'') {
            int close = text.indexOf(first, start + 1);
            return close < 0 ? text.length() : close + 1;
        }
        int end = start;
        while (end < text.length() && !Character.isWhitespace(text.charAt(end)) && stops.indexOf(text.charAt(end)) < 0) {
            end++;
        }
        return end;
    }
}
