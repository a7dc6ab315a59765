package io.hookline.processor;

import io.hookline.runtime.http.RequestTargets;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The processor's entry point. Quarkus answers a request whose URI Java cannot parse with an empty 400 before any
 * route runs; with Quarkus's check off, MalformedRequests (in api) makes it first and says what was wrong.
 * Quarkus reads the switch when its HTTP server starts; tests set it in the build, as they do not start here.
 */
@QuarkusMain
public final class ProcessorMain {

    private ProcessorMain() {
    }

    public static void main(String... args) {
        RequestTargets.checkInRoutes();
        Quarkus.run(args);
    }
}
