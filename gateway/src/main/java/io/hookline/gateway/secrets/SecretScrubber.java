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

    /** Every secret this class finds contains one of these: text without any of them needs no regex at all. */
    private static final String[] HINTS = {"pass", "pwd", "secret", "token", "key", "credential", "bearer", "basic",
        "://"};

    /** Longer "names" are data (a base64 blob that happens to contain "pwd"), not names. */
    private static final int MAX_NAME_LENGTH = 64;

    // Candidates are found with possessive quantifiers (linear time on long base64 runs); whether the name says
    // "secret" is decided afterwards, on the name alone.

    /** {@code --name=value}, {@code --name="v a l"}, {@code --name value} (value not itself an option). */
    private static final Pattern ARGUMENT = Pattern.compile(
            "(?<![A-Za-z0-9_.-])(--?)([A-Za-z0-9_.-]++)(=|\\s++(?!-))(\"[^\"]*+\"?|'[^']*+'?|[^\\s|]++)");

    /** {@code password=value}, {@code token: value}, JSON's {@code "password": "value"} in free text. */
    private static final Pattern PAIR = Pattern.compile(
            "(?<![A-Za-z0-9_.-])()([A-Za-z][A-Za-z0-9_.-]*+)([\"']?\\s*+[=:]\\s*+)(\"[^\"]*+\"?|'[^']*+'?|[^\\s|&,;\"'}]++)");

    /** The user information of a URL: {@code https://user:password@host/}. */
    private static final Pattern URL_CREDENTIALS = Pattern.compile(
            "([A-Za-z][A-Za-z0-9+.-]{0,20}+://)([^/\\s:@]{0,256}+):([^@\\s/]{1,256}+)@");

    /** A credential after an authorization scheme, in a header that has another name or in a log line. */
    private static final Pattern SCHEME_CREDENTIALS = Pattern.compile(
            "(?i)(?<![A-Za-z0-9])(bearer|basic|token|apikey)(\\s++)([A-Za-z0-9._~+/=-]{8,}+)");

    /** A run that may be base64 (standard or URL-safe): text inside it is scrubbed too. */
    private static final Pattern BASE64_RUN = Pattern.compile("[A-Za-z0-9+/_-]{16,}+={0,2}+");
    /** Base64 inside base64 inside base64 (XSIBackup's cmd within its query) and no deeper. */
    private static final int MAX_DEPTH = 3;

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
        String scrubbed = replace(ARGUMENT, text);
        scrubbed = replace(PAIR, scrubbed);
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
        if (depth >= MAX_DEPTH) {
            return scrubbed.equals(plain) ? text : scrubbed;
        }
        Matcher runs = BASE64_RUN.matcher(scrubbed);
        StringBuilder out = null;
        while (runs.find()) {
            String decoded = base64Text(runs.group());
            if (decoded == null || scrubDeep(decoded, depth + 1).equals(decoded)) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(scrubbed.length());
            }
            runs.appendReplacement(out, Matcher.quoteReplacement(MASK + "(base64 holding a secret, "
                    + runs.group().length() + " characters)"));
        }
        if (out != null) {
            runs.appendTail(out);
            return out.toString();
        }
        return scrubbed.equals(plain) ? text : scrubbed;
    }

    /** The text a base64 run decodes to, or null when it is not base64 of mostly printable UTF-8. */
    static String base64Text(String run) {
        String standard = run.replace('-', '+').replace('_', '/');
        int padding = (4 - standard.length() % 4) % 4;
        if (padding == 3) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = java.util.Base64.getDecoder().decode(standard + "=".repeat(padding));
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
        String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        int printable = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c != 0xFFFD || c == '\n' || c == '\r' || c == '\t') {
                printable++;
            }
        }
        return printable * 10 >= text.length() * 9 ? text : null;
    }

    private static String percentDecoded(String text) {
        try {
            return java.net.URLDecoder.decode(text.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notEncoded) {
            return text;
        }
    }

    private static boolean mayHoldSecret(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        for (String hint : HINTS) {
            if (lower.contains(hint)) {
                return true;
            }
        }
        return false;
    }

    private static String replace(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        if (!matcher.find()) {
            return text;
        }
        StringBuilder out = null;
        do {
            if (!isSecretName(matcher.group(2))) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length());
            }
            String value = matcher.group(4);
            String masked = value.startsWith("\"") ? "\"" + MASK + "\"" : value.startsWith("'") ? "'" + MASK + "'" : MASK;
            matcher.appendReplacement(out, Matcher.quoteReplacement(
                    matcher.group(1) + matcher.group(2) + matcher.group(3) + masked));
        } while (matcher.find());
        if (out == null) {
            return text;
        }
        matcher.appendTail(out);
        return out.toString();
    }
}
