package io.hookline.gateway.hook;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import io.restassured.RestAssured;

/** A request written byte for byte, for targets an HTTP client would refuse or encode before sending. */
final class RawHttp {

    private RawHttp() {
    }

    /** Sends GET with this request target to the gateway under test and returns the whole answer, head and body. */
    static String get(String target) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
