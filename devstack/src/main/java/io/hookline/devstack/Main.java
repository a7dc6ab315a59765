package io.hookline.devstack;

import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code java -cp ... io.hookline.devstack.Main <data-dir> <port> [controller-port]}: runs the local broker in the
 * foreground until this process is stopped, then stops the broker cleanly. Used by {@code ./hookline up}.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 2) {
            System.err.println("usage: Main <data-dir> <port> [controller-port]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[1]);
        int controllerPort = args.length > 2 ? Integer.parseInt(args[2]) : port + 1;
        LocalKafka kafka = new LocalKafka(Path.of(args[0]), port, controllerPort);
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::stop, "stop-kafka"));
        try {
            kafka.start(Duration.ofSeconds(120));
        } catch (DevstackException e) {
            System.err.println("hookline: " + e.getMessage());
            System.exit(1);
        }
        System.out.println("kafka ready on " + kafka.bootstrapServers() + " (data: " + kafka.dataDir() + ")");
        int code = kafka.waitFor();
        System.exit(code == 143 ? 0 : code);
    }
}
