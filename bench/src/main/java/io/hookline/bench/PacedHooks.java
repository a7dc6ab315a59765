package io.hookline.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * GET requests at a fixed rate over keep-alive connections, written to the socket by hand: the JDK's HttpClient
 * fell behind at 1,000 requests a second on two shared cores (requests queued for tens of seconds), and wrk
 * cannot say when it sent which request. Of a call sending hooks {@code from} to {@code to}, hook {@code i} goes out
 * on connection {@code i % connections} at {@code start + (i - from) / rate}, or as soon as that connection's previous
 * answer is in; its sending time is recorded. A hook late by its connection's previous answer is sent at once, so a
 * call that fell behind catches up faster than {@code rate}.
 */
final class PacedHooks {

    private final String host;
    private final int port;
    private final int connections;

    PacedHooks(String host, int port, int connections) {
        this.host = host;
        this.port = port;
        this.connections = connections;
    }

    /**
     * Sends requests {@code from} (inclusive) to {@code to} ({@code path.apply(i)}) at {@code rate} a second, on a
     * schedule of their own; answers how many were not answered 200 "OK".
     */
    long send(int from, int to, int rate, IntFunction<String> path, long[] sentNanos) throws InterruptedException {
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        long period = 1_000_000_000L / rate;
        Thread[] threads = new Thread[connections];
        for (int c = 0; c < connections; c++) {
            int connection = c;
            threads[c] = new Thread(() -> {
                Socket socket = null;
                try {
                    for (int i = from + connection; i < to; i += connections) {
                        long due = start + (i - from) * period;
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                        if (socket == null) {
                            socket = new Socket(host, port);
                            socket.setTcpNoDelay(true);
                            socket.setSoTimeout(30_000);
                        }
                        sentNanos[i] = System.nanoTime();
                        if (!exchange(socket, path.apply(i))) {
                            failed.incrementAndGet();
                            socket.close();
                            socket = null;
                        }
                    }
                } catch (IOException e) {
                    failed.incrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    if (socket != null) {
                        try {
                            socket.close();
                        } catch (IOException ignored) {
                            // closing
                        }
                    }
                }
            }, "paced-" + c);
            threads[c].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return failed.get();
    }

    /** One GET on the connection; whether it was answered 200 with the body OK. */
    private boolean exchange(Socket socket, String path) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = new BufferedInputStream(socket.getInputStream(), 1024);
        String status = line(in);
        int length = 0;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(header.substring(15).strip());
            }
        }
        byte[] body = in.readNBytes(length);
        return status.startsWith("HTTP/1.1 200") && new String(body, StandardCharsets.UTF_8).equals("OK");
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("the connection closed");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }
}
