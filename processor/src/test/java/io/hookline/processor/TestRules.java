package io.hookline.processor;

import static io.restassured.RestAssured.given;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.hookline.processor.notify.TestReceivers;

/**
 * Puts a test's own rules in force, as an operator changes them: the YAML is written over the processor's rules
 * file and reloaded through {@code POST /api/rules/reload}. A test states the rules it needs beside its
 * assertions; {@link #url} and {@link #smtpPort} point its receivers at the local ones ({@link TestReceivers}).
 */
public final class TestRules {

    private TestRules() {
    }

    public static void use(String yaml) {
        String file = given().get("/api/rules").then().statusCode(200).extract().path("file");
        try {
            Files.writeString(Path.of(file), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        given().post("/api/rules/reload").then().log().ifValidationFails().statusCode(200);
    }

    /** The local receiver at {@code path} ({@code /hook}, {@code /slack}, ...). */
    public static String url(String path) {
        return receivers().url(path);
    }

    public static int smtpPort() {
        return receivers().smtpPort();
    }

    private static TestReceivers receivers() {
        try {
            return TestReceivers.get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
