package io.hookline.devstack;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A request written byte for byte, for request targets an HTTP client refuses or encodes before sending (a '%'
 * a script left unescaped): what a service answers to what a careless caller really sends.
 */
public final class RawHttp {

    private RawHttp() {
    }

    /**
     * Sends {@code GET target HTTP/1.1} with the given header lines ({@code "Name: value"}) and returns the whole
     * answer, head and body, once the service closed the connection.
     */
    public static String get(String host, int port, String target, String... headerLines) throws IOException {
        StringBuilder head = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\nHost: localhost\r\n")
                .append("Connection: close\r\n");
        for (String line : headerLines) {
            head.append(line).append("\r\n");
        }
        try (Socket socket = new Socket(host, port)) {
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
