package io.factum.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A system under test started as its own JVM, the way its users run it: {@code java -cp <this class path>
 * <main class> <flags>}, with its output in a log file. It is ready once {@code GET /health/ready} answers
 * 200. Closing it sends SIGTERM and waits for a clean stop, then kills it; a shutdown hook of this JVM kills
 * it too, so no child outlives the harness, also when the harness fails.
 */
final class ChildJvm implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final Process process;
    private final Path log;
    private final int port;
    private final Thread killer;

    private ChildJvm(String name, Process process, Path log, int port) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.port = port;
        this.killer = new Thread(process::destroyForcibly, "kill-" + name);
        Runtime.getRuntime().addShutdownHook(killer);
    }

    /**
     * Starts {@code mainClass} with {@code args} (where {@code {port}} stands for a free port picked here)
     * and the environment variables {@code env} on top of this JVM's, and waits until it is ready.
     *
     * @throws IllegalStateException if it exits or is not ready within 90 seconds; the message holds the end
     *     of its log
     */
    static ChildJvm start(
            String name,
            String mainClass,
            List<String> jvmOptions,
            List<String> args,
            Map<String, String> env,
            Path log)
            throws IOException, InterruptedException {
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        for (String arg : args) {
            command.add(arg.replace("{port}", Integer.toString(port)));
        }
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        ChildJvm child = new ChildJvm(name, builder.start(), log, port);
        try {
            child.awaitReady();
        } catch (IOException | InterruptedException | RuntimeException e) {
            child.close();
            throw e;
        }
        return child;
    }

    /** {@code http://127.0.0.1:<port>}. */
    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** The process id, to attach tools (jcmd, strace) to it. */
    long pid() {
        return process.pid();
    }

    /** Fails with the end of the child's log if it has exited. */
    void requireAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with status " + process.exitValue()
                    + "; the end of its log " + log + ":\n" + tail());
        }
    }

    private void awaitReady() throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
        URI health = URI.create(baseUrl() + "/health/ready");
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            requireAlive();
            try {
                HttpResponse<String> answer = client.send(
                        HttpRequest.newBuilder(health)
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200) {
                    return;
                }
                last = answer.statusCode() + " " + answer.body();
            } catch (ConnectException notListeningYet) {
                last = "connection refused";
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(name + " was not ready within " + READY_TIMEOUT.toSeconds() + " s (GET "
                + health + ": " + last + "); the end of its log " + log + ":\n" + tail());
    }

    /** Stops it with SIGTERM (its graceful shutdown), then SIGKILL if it has not exited in 30 seconds. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(the log could not be read: " + e + ")";
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for a child process", e);
        }
    }
}
