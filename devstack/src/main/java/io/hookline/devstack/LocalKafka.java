package io.hookline.devstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Apache Kafka broker (KRaft, combined broker and controller) in a child JVM, from the Kafka
 * artifacts on Maven Central. Its data lives in {@code dataDir}, so a restart keeps every topic and record.
 * The child has its own classpath, so the broker never shares dependency versions with a Quarkus service.
 */
public final class LocalKafka implements AutoCloseable {

    private static final String CLASSPATH_RESOURCE = "hookline-devstack/kafka.classpath";

    /**
     * The JVM options of a broker for tests and the dev stack: it starts fast and stays small, and pays for that in
     * CPU per record (C1 only, serial GC).
     */
    public static final List<String> QUICK_START = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final Path dataDir;
    private final int port;
    private final int controllerPort;
    private final String heap;
    private final List<String> jvmOptions;
    private Process process;

    public LocalKafka(Path dataDir, int port, int controllerPort) {
        this(dataDir, port, controllerPort, "512m");
    }

    public LocalKafka(Path dataDir, int port, int controllerPort, String heap) {
        this(dataDir, port, controllerPort, heap, QUICK_START);
    }

    public LocalKafka(Path dataDir, int port, int controllerPort, String heap, List<String> jvmOptions) {
        this.dataDir = dataDir.toAbsolutePath();
        this.port = port;
        this.controllerPort = controllerPort;
        this.heap = heap;
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public int controllerPort() {
        return controllerPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The broker's process id, while this handle's broker runs. */
    public synchronized java.util.OptionalLong pid() {
        return process != null && process.isAlive() ? java.util.OptionalLong.of(process.pid()) : java.util.OptionalLong.empty();
    }

    public Path logFile() {
        return dataDir.resolve("broker.log");
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts the broker and returns once it answers an admin request. */
    public synchronized LocalKafka start(Duration timeout) {
        if (isRunning()) {
            return this;
        }
        stopLeftBroker();
        requireFree(port, "Kafka");
        requireFree(controllerPort, "Kafka controller");
        try {
            Files.createDirectories(dataDir);
            Path config = writeConfig();
            if (!Files.exists(dataDir.resolve("kafka-logs").resolve("meta.properties"))) {
                format(config);
            }
            List<String> command = javaCommand();
            command.add("kafka.Kafka");
            command.add(config.toString());
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
            process = builder.start();
            Files.writeString(dataDir.resolve("broker.pid"), Long.toString(process.pid()));
        } catch (IOException e) {
            throw new DevstackException("cannot start the Kafka broker: " + e.getMessage(), e);
        }
        awaitReady(timeout);
        return this;
    }

    /**
     * Freezes the broker (SIGSTOP): its connections stay open and nothing answers, as on a host that hangs or a
     * long GC pause, rather than one that refuses connections. {@link #thaw()} lets it go on.
     */
    public synchronized void freeze() {
        signal("-STOP");
    }

    /** Lets a {@linkplain #freeze() frozen} broker go on (SIGCONT). */
    public synchronized void thaw() {
        signal("-CONT");
    }

    private void signal(String signal) {
        if (!isRunning()) {
            throw new DevstackException("the broker is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (kill.waitFor() != 0) {
                throw new DevstackException("kill " + signal + " " + process.pid() + " failed: " + output);
            }
        } catch (IOException e) {
            throw new DevstackException("cannot signal the broker: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DevstackException("interrupted while signalling the broker", e);
        }
    }

    /**
     * Stops the broker cleanly (SIGTERM, controlled shutdown), killing it if it does not stop in time. A handle that
     * did not start the broker (another class loader's copy of {@link SharedKafka}) stops it by its process id.
     */
    public synchronized void stop() {
        if (process == null) {
            stopByPidFile();
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    private void stopByPidFile() {
        leftBroker().ifPresent(LocalKafka::stopGently);
    }

    /**
     * A broker of this data folder that a killed launcher left behind (SIGKILL gives the launcher no chance to stop
     * its child): it still holds the ports and the folder's lock, so a new start would fail on either. It is stopped
     * cleanly first, with one line on standard error naming it.
     */
    private void stopLeftBroker() {
        leftBroker().ifPresent(left -> {
            System.err.println("hookline: stopping the Kafka broker (pid " + left.pid() + ") left running on " + dataDir
                    + " by a launcher that was killed");
            stopGently(left);
        });
    }

    /**
     * The live process that {@code broker.pid} names, if it is a broker of this data folder. A pid is reused once its
     * process is gone: only a process whose arguments run {@code kafka.Kafka} with this folder's configuration is
     * ours, never another process that got the same number.
     */
    java.util.Optional<ProcessHandle> leftBroker() {
        Path pidFile = dataDir.resolve("broker.pid");
        if (!Files.exists(pidFile)) {
            return java.util.Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile).strip());
        } catch (IOException | NumberFormatException e) {
            return java.util.Optional.empty(); // No readable pid: nothing of ours is running.
        }
        String config = dataDir.resolve("server.properties").toString();
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(handle -> {
            List<String> arguments = arguments(handle);
            return arguments.contains("kafka.Kafka") && arguments.contains(config);
        });
    }

    /**
     * A process's arguments. The JDK reads only the first 4 KB of /proc/PID/cmdline and then answers none, and the
     * broker's classpath alone is longer: read the whole file where there is one.
     */
    public static List<String> arguments(ProcessHandle process) {
        Path cmdline = Path.of("/proc", Long.toString(process.pid()), "cmdline");
        try {
            return List.of(new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).split("\0"));
        } catch (IOException | UnsupportedOperationException noProc) {
            return List.of(process.info().arguments().orElse(new String[0]));
        }
    }

    private static void stopGently(ProcessHandle broker) {
        broker.destroy();
        try {
            broker.onExit().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            // Asked to hurry: the broker is still stopped before this returns, and the caller sees the interrupt.
            broker.destroyForcibly();
            broker.onExit().join();
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            broker.destroyForcibly();
            broker.onExit().join();
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** Blocks until the broker process ends; for the command-line launcher. */
    public int waitFor() throws InterruptedException {
        Process running;
        synchronized (this) {
            running = process;
        }
        return running == null ? 0 : running.waitFor();
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new DevstackException("the Kafka broker exited with code " + process.exitValue()
                        + " during start-up; the end of its log (" + logFile() + "):\n" + logTail());
            }
            if (accepts(port)) {
                try (Admin admin = Admin.create(config)) {
                    admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
                    return;
                } catch (Exception notYet) {
                    // The listener is up before the controller has elected itself: try again.
                }
            }
            sleepQuietly(200);
        }
        stop();
        throw new DevstackException("the Kafka broker did not become ready within " + timeout.toSeconds()
                + " s; the end of its log (" + logFile() + "):\n" + logTail());
    }

    /**
     * Kafka's own generator: a random base64 id may start with '-', which the storage tool reads as an option (one
     * fresh broker in 64 failed to format that way); {@link Uuid#randomUuid()} never returns one.
     */
    static String newClusterId() {
        return Uuid.randomUuid().toString();
    }

    /** The last lines the broker wrote, so that a failed start says why where it is reported (a CI log). */
    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private void format(Path config) throws IOException {
        String clusterId = clusterId();
        List<String> command = javaCommand();
        command.addAll(List.of("kafka.tools.StorageTool", "format", "-t", clusterId, "-c", config.toString(),
                "--ignore-formatted"));
        Process formatter = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (InputStream in = formatter.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (formatter.waitFor() != 0) {
                throw new DevstackException("formatting Kafka storage failed: " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DevstackException("interrupted while formatting Kafka storage", e);
        }
    }

    /** A cluster id made once per data folder and kept there, so that a restart finds its own storage. */
    private String clusterId() throws IOException {
        Path file = dataDir.resolve("cluster.id");
        if (Files.exists(file)) {
            return Files.readString(file).strip();
        }
        String id = newClusterId();
        Files.writeString(file, id);
        return id;
    }

    private Path writeConfig() throws IOException {
        Properties props = new Properties();
        props.setProperty("process.roles", "broker,controller");
        props.setProperty("node.id", "1");
        props.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        props.setProperty("controller.listener.names", "CONTROLLER");
        props.setProperty("inter.broker.listener.name", "PLAINTEXT");
        props.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.setProperty("log.dirs", dataDir.resolve("kafka-logs").toString());
        // One node: every internal topic has one replica, and few partitions keep start-up fast.
        props.setProperty("offsets.topic.replication.factor", "1");
        props.setProperty("offsets.topic.num.partitions", "4");
        props.setProperty("transaction.state.log.replication.factor", "1");
        props.setProperty("transaction.state.log.min.isr", "1");
        props.setProperty("transaction.state.log.num.partitions", "4");
        props.setProperty("share.coordinator.state.topic.replication.factor", "1");
        props.setProperty("share.coordinator.state.topic.min.isr", "1");
        props.setProperty("group.initial.rebalance.delay.ms", "0");
        props.setProperty("auto.create.topics.enable", "false");
        props.setProperty("num.partitions", "1");
        Path file = dataDir.resolve("server.properties");
        try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            props.store(out, "written by Hookline devstack on every start");
        }
        return file;
    }

    private List<String> javaCommand() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xms64m");
        command.add("-Xmx" + heap);
        command.addAll(jvmOptions);
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.add("-Dorg.slf4j.simpleLogger.log.kafka.server.KafkaRaftServer=info");
        command.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
        command.add("-cp");
        command.add(brokerClasspath());
        return command;
    }

    static String brokerClasspath() {
        try (InputStream in = LocalKafka.class.getClassLoader().getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new DevstackException(CLASSPATH_RESOURCE + " is missing: build the devstack module first");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fails with one clear sentence when a port is taken. */
    public static void requireFree(int port, String what) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            throw new DevstackException("port " + port + " for " + what + " is already in use");
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            java.util.concurrent.TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
