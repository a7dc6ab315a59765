package io.hookline.runtime.text;

/**
 * A text as a message, a log line or a stored field quotes it: whole up to a length, else its start and an
 * ellipsis. The cut never splits a character outside the Basic Multilingual Plane (an emoji, a CJK extension
 * character), whose two UTF-16 halves would otherwise leave an unpaired surrogate that JSON encoders replace by
 * '?' or refuse.
 */
public final class Excerpt {

    /** What a refusal quotes of a value the caller sent: enough to recognize it. */
    public static final int QUOTED = 41;

    private Excerpt() {
    }

    /** The value as a refusal quotes it: at most {@link #QUOTED} characters. */
    public static String quoted(String text) {
        return of(text, QUOTED);
    }

    /** The text whole if it has at most {@code max} UTF-16 units, else its start and '…' within {@code max}. */
    public static String of(String text, int max) {
        return of(text, max, "\u2026");
    }

    /**
     * The text whole if it has at most {@code max} UTF-16 units, else its start and {@code ellipsis} within
     * {@code max} (an SMS keeps to "..." so that its text stays in the GSM alphabet).
     */
    public static String of(String text, int max, String ellipsis) {
        if (text == null || text.length() <= max) {
            return text;
        }
        return text.substring(0, end(text, Math.max(0, max - ellipsis.length()))) + ellipsis;
    }

    /**
     * The text whole if it has at most {@code max} UTF-16 units, else its first {@code max} and how long it was:
     * for a path a scanner made megabytes long, where the length says what happened.
     */
    public static String withLength(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        return text.substring(0, end(text, max)) + "\u2026 (" + text.length() + " characters)";
    }

    /** Where a cut at {@code at} ends without splitting a surrogate pair. */
    private static int end(String text, int at) {
        return at > 0 && Character.isHighSurrogate(text.charAt(at - 1)) ? at - 1 : at;
    }
}
