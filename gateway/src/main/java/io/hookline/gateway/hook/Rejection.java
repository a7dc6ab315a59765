package io.hookline.gateway.hook;

/**
 * Why a hook was not accepted: the HTTP status the caller gets, a stable reason code for
 * {@code hookline.rejected}, and one sentence that names what was wrong.
 */
public record Rejection(int status, String reason, String message) {

    public static Rejection badRequest(String reason, String message) {
        return new Rejection(400, reason, message);
    }

    public static Rejection tooLarge(long bytes, int limit) {
        return new Rejection(413, "too-large", "the hook is " + bytes + " bytes; this gateway accepts at most " + limit);
    }

    public static Rejection unknownSource(String kind) {
        return new Rejection(404, "unknown-source", "no " + kind + " source has this token");
    }
}
