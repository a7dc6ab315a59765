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

    /** Every secret word contains one of these: text without any of them needs no regex at all. */
    private static final String[] HINTS = {"pass", "pwd", "secret", "token", "key", "credential"};

    /** Longer "names" are data (a base64 blob that happens to contain "pwd"), not names. */
    private static final int MAX_NAME_LENGTH = 64;

    // Candidates are found with possessive quantifiers (linear time on long base64 runs); whether the name says
    // "secret" is decided afterwards, on the name alone.

    /** {@code --name=value}, {@code --name="v a l"}, {@code --name value} (value not itself an option). */
    private static final Pattern ARGUMENT = Pattern.compile(
            "(?<![A-Za-z0-9_.-])(--?)([A-Za-z0-9_.-]++)(=|\\s++(?!-))(\"[^\"]*+\"?|'[^']*+'?|[^\\s|]++)");

    /** {@code password=value}, {@code token: value} in free text (error lists, logs). */
    private static final Pattern PAIR = Pattern.compile(
            "(?<![A-Za-z0-9_.-])()([A-Za-z][A-Za-z0-9_.-]*+)(\\s*+[=:]\\s*+)(\"[^\"]*+\"?|'[^']*+'?|[^\\s|&,;]++)");

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

    /** Scrubs a command line and any free text; returns the same string when nothing was found. */
    public static String scrub(String text) {
        if (text == null || text.isEmpty() || !mayHoldSecret(text)) {
            return text;
        }
        String scrubbed = replace(ARGUMENT, text);
        return replace(PAIR, scrubbed);
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
