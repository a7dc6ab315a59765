package io.hookline.gateway.secrets;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces secrets with {@code ***} before anything leaves the gateway: values of arguments and keys whose name
 * says password, secret, token, key or credential ({@code --smtp-pwd=...}, {@code password: ...}).
 */
public final class SecretScrubber {

    public static final String MASK = "***";

    /** A name that says it holds a secret; "pass" only as a whole word, so that "passed" is left alone. */
    private static final String SECRET_NAME = "[A-Za-z0-9_.-]*?(?:password|passwd|passphrase|pwd|secret|token"
            + "|api[-_]?key|access[-_]?key|private[-_]?key|credential|(?<![A-Za-z])pass(?![A-Za-z]))[A-Za-z0-9_.-]*";

    private static final Pattern SECRET_NAME_ONLY = Pattern.compile("(?i)" + SECRET_NAME);

    /** {@code --name=value}, {@code --name="v a l"}, {@code --name value} (value not itself an option). */
    private static final Pattern SECRET_ARGUMENT = Pattern.compile(
            "(?i)(--?" + SECRET_NAME + ")(=|\\s+(?!-))(\"[^\"]*\"?|'[^']*'?|[^\\s|]+)");

    /** {@code password=value}, {@code token: value} in free text (error lists, logs). */
    private static final Pattern SECRET_PAIR = Pattern.compile(
            "(?i)(?<![A-Za-z0-9_-])(" + SECRET_NAME + ")(\\s*[=:]\\s*)(\"[^\"]*\"?|'[^']*'?|[^\\s|&,;]+)");

    private SecretScrubber() {
    }

    public static boolean isSecretName(String name) {
        return name != null && SECRET_NAME_ONLY.matcher(name.replaceFirst("^-+", "")).matches();
    }

    /** Scrubs a command line and any free text; returns the same string when nothing was found. */
    public static String scrub(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String scrubbed = replace(SECRET_ARGUMENT, text);
        return replace(SECRET_PAIR, scrubbed);
    }

    private static String replace(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        if (!matcher.find()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        do {
            String value = matcher.group(3);
            String masked = value.startsWith("\"") ? "\"" + MASK + "\"" : value.startsWith("'") ? "'" + MASK + "'" : MASK;
            matcher.appendReplacement(out, Matcher.quoteReplacement(matcher.group(1) + matcher.group(2) + masked));
        } while (matcher.find());
        matcher.appendTail(out);
        return out.toString();
    }
}
