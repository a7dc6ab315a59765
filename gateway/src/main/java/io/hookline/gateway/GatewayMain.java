package io.hookline.gateway;

import io.hookline.runtime.http.RequestTargets;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The gateway's entry point. Quarkus answers a request whose URI Java cannot parse with an empty 400 before any
 * route runs, so the caller learns nothing and hookline.rejected never hears of it; with Quarkus's check off, the
 * first route of UnroutedRequests (in hook) makes it and refuses such a request like any bad hook. Quarkus reads
 * the switch when its HTTP server starts; tests set it in the build, as they do not start here.
 */
@QuarkusMain
public final class GatewayMain {

    private GatewayMain() {
    }

    public static void main(String... args) {
        RequestTargets.checkInRoutes();
        Quarkus.run(args);
    }
}
