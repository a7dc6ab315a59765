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
        try {
            new URI(target);
            return null;
        } catch (URISyntaxException e) {
            String reason = e.getReason();
            reason = reason.isEmpty() ? "not a URI" : Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
            return e.getIndex() < 0 ? reason : reason + " at character " + (e.getIndex() + 1);
        }
    }
}
