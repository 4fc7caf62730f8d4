package io.factum.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * A real Apache Kafka broker for tests, in KRaft mode (one node that is broker and controller), started as
 * a child JVM from the {@code org.apache.kafka:kafka_2.13} artifact on the test class path: no Docker, no
 * installed Kafka. Its storage is formatted in a temporary directory; {@link #stop()} and {@link #start()}
 * restart it on the same ports with the same data (the fault tests' broker restart); {@link #close()} kills
 * it and removes nothing but the process. A shutdown hook kills it if the test JVM ends first.
 *
 * <p>Topics are not created automatically ({@code auto.create.topics.enable=false}): create them with {@link
 * #createTopic}, so a test can show what happens to a record for a topic that does not exist.
 */
public final class KafkaTestBroker implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Path directory;
    private final int port;
    private final int controllerPort;
    private final Path config;
    private Process process;
    private final Thread killer;

    private KafkaTestBroker(Path directory, int port, int controllerPort, Path config) {
        this.directory = directory;
        this.port = port;
        this.controllerPort = controllerPort;
        this.config = config;
        this.killer = new Thread(this::kill, "kill-kafka-" + port);
        Runtime.getRuntime().addShutdownHook(killer);
    }

    /** Formats a new broker's storage under {@code directory} and starts it; returns once it takes requests. */
    public static KafkaTestBroker start(Path directory) throws IOException, InterruptedException {
        Files.createDirectories(directory);
        int port = freePort();
        int controllerPort = freePort();
        Path config = directory.resolve("server.properties");
        Properties properties = new Properties();
        properties.putAll(Map.ofEntries(
                Map.entry("process.roles", "broker,controller"),
                Map.entry("node.id", "1"),
                Map.entry("controller.quorum.voters", "1@localhost:" + controllerPort),
                Map.entry("listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort),
                Map.entry("advertised.listeners", "PLAINTEXT://localhost:" + port),
                Map.entry("controller.listener.names", "CONTROLLER"),
                Map.entry("inter.broker.listener.name", "PLAINTEXT"),
                Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
                Map.entry("log.dirs", directory.resolve("data").toString()),
                Map.entry("auto.create.topics.enable", "false"),
                Map.entry("num.partitions", "4"),
                Map.entry("offsets.topic.replication.factor", "1"),
                Map.entry("offsets.topic.num.partitions", "4"),
                Map.entry("transaction.state.log.replication.factor", "1"),
                Map.entry("transaction.state.log.min.isr", "1"),
                Map.entry("share.coordinator.state.topic.replication.factor", "1"),
                Map.entry("group.initial.rebalance.delay.ms", "0"),
                Map.entry("log.flush.interval.messages", "1000000")));
        try (var out = Files.newBufferedWriter(config)) {
            properties.store(out, "a one-node KRaft broker for tests");
        }
        String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
        Process format = new ProcessBuilder(javaCommand(
                        "kafka.tools.StorageTool", List.of("format", "-t", clusterId, "-c", config.toString())))
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("format.log").toFile())
                .start();
        if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new IllegalStateException(
                    "formatting the broker's storage failed: " + Files.readString(directory.resolve("format.log")));
        }
        KafkaTestBroker broker = new KafkaTestBroker(directory, port, controllerPort, config);
        broker.start();
        return broker;
    }

    /** Starts the broker again after {@link #stop()}, with its data, on the same ports. */
    public synchronized void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the broker on port " + port + " is running already");
        }
        Path log = directory.resolve("broker.log");
        process = new ProcessBuilder(javaCommand("kafka.Kafka", List.of(config.toString())))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        awaitReady(log);
    }

    /** Kills the broker (SIGKILL): what a crash of the broker's machine looks like to clients. */
    public synchronized void stop() throws InterruptedException {
        kill();
    }

    /** {@code localhost:<port>}. */
    public String bootstrapServers() {
        return "localhost:" + port;
    }

    /** Creates topics with {@code partitions} partitions each, waiting until they exist. */
    public void createTopic(int partitions, String... topics) {
        List<NewTopic> newTopics = new ArrayList<>();
        for (String topic : topics) {
            newTopics.add(new NewTopic(topic, partitions, (short) 1));
        }
        try (Admin admin = admin()) {
            admin.createTopics(newTopics).all().get(30, TimeUnit.SECONDS);
            // a topic just created may answer NOT_LEADER for a moment: wait until every partition has a leader
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!haveLeaders(admin, partitions, topics)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the partitions of " + List.of(topics) + " have no leader yet");
                }
                Thread.sleep(20);
            }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("creating topics " + List.of(topics) + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** True once every partition of {@code topics} has a leader; false while the broker does not know them yet. */
    private static boolean haveLeaders(Admin admin, int partitions, String... topics)
            throws InterruptedException, java.util.concurrent.TimeoutException {
        try {
            return admin.describeTopics(List.of(topics)).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
                    .allMatch(description -> description.partitions().size() == partitions
                            && description.partitions().stream().allMatch(p -> p.leader() != null));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                return false;
            }
            throw new IllegalStateException("describing topics " + List.of(topics) + " failed", e);
        }
    }

    /** The names of the topics that exist now. */
    public Set<String> topics() {
        try (Admin admin = admin()) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("listing topics failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                30_000));
    }

    @Override
    public synchronized void close() {
        kill();
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
    }

    private void kill() {
        Process running = process;
        if (running != null && running.isAlive()) {
            running.destroyForcibly();
            try {
                running.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void awaitReady(Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "the Kafka broker exited with " + process.exitValue() + ": " + tail(log));
            }
            if (accepts(port) && answers()) {
                return;
            }
            Thread.sleep(100);
        }
        kill();
        throw new IllegalStateException("the Kafka broker was not ready within " + READY_TIMEOUT + ": " + tail(log));
    }

    private boolean answers() {
        try (Admin admin = admin()) {
            Collection<?> nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
            return !nodes.isEmpty();
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String tail(Path log) throws IOException {
        String text = Files.exists(log) ? Files.readString(log) : "(no log)";
        return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    }

    /** A JVM on this test's class path; the broker runs in the default locale, whatever the tests use. */
    static List<String> javaCommand(String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-XX:+UseSerialGC");
        command.add("-Duser.language=en");
        command.add("-Duser.country=US");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "KafkaTestBroker[" + bootstrapServers() + ", " + directory + "]";
    }

    /** A fresh directory name under the system's temporary directory. */
    public static Path temporaryDirectory() {
        return Path.of(System.getProperty("java.io.tmpdir"), "factum-kafka-" + UUID.randomUUID());
    }
}
