package io.hookline.runtime.http;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * The check Quarkus makes on every request's URI before any route runs, made by the services' own first route
 * instead so that a refusal can say what was wrong (Quarkus answers an empty 400). Each service's main turns
 * Quarkus's check off before it starts.
 */
public final class RequestTargets {

    /** Read by Quarkus when its HTTP server starts: true leaves the URI's check to the application. */
    public static final String QUARKUS_CHECK_OFF = "vertx.disableURIValidation";

    private RequestTargets() {
    }

    /** Turns Quarkus's own check off; called by a service's main before Quarkus runs. */
    public static void checkInRoutes() {
        System.setProperty(QUARKUS_CHECK_OFF, "true");
    }

    /**
     * Why Java cannot parse this request target, or null when it can: only the reason and the place, since the
     * target may hold a token or a secret.
     */
    public static String malformation(String target) {
        if (plainlyValid(target)) {
            return null;
        }
        try {
            new URI(target);
            return null;
        } catch (URISyntaxException e) {
            String reason = e.getReason();
            reason = reason.isEmpty() ? "not a URI" : Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
            return e.getIndex() < 0 ? reason : reason + " at character " + (e.getIndex() + 1);
        }
    }

    /** Characters java.net.URI takes anywhere in a path and a query ({@code [A-Za-z0-9-._~!$&'()*+,;=:@/?]}). */
    private static final boolean[] PLAIN = new boolean[128];

    static {
        for (char c : ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" + "-._~!$&'()*+,;=:@/?")
                .toCharArray()) {
            PLAIN[c] = true;
        }
    }

    /**
     * Whether the target is an absolute path with an optional query made only of characters java.net.URI takes
     * there, and of complete %XX escapes: then it parses, and every ordinary request is checked in one pass
     * instead of URI's parse, which copies each of its parts (a thirtieth of the gateway's event loops). Anything
     * else (a fragment, brackets, a character beyond ASCII, //host) is left to URI.
     */
    static boolean plainlyValid(String target) {
        int length = target.length();
        if (length == 0 || target.charAt(0) != '/' || (length > 1 && target.charAt(1) == '/')) {
            return false;
        }
        for (int i = 1; i < length; i++) {
            char c = target.charAt(i);
            if (c == '%') {
                if (i + 2 >= length || notHex(target.charAt(i + 1)) || notHex(target.charAt(i + 2))) {
                    return false;
                }
                i += 2;
            } else if (c >= 128 || !PLAIN[c]) {
                return false;
            }
        }
        return true;
    }

    private static boolean notHex(char c) {
        return !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F');
    }
}
