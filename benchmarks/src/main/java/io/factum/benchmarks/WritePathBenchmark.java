package io.factum.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Issue 10's end-to-end targets: the orders system's commands over HTTP against single-event HTTP appends
 * to {@code factum-server}, on the same store kind, machine and client code. For each store kind it starts
 * both systems as child JVMs the way users run them ({@code io.factum.server.FactumServer} with an API key,
 * {@code io.factum.examples.orders.app.OrdersMain}), SQLite in a fresh directory or a fresh database each on
 * an embedded PostgreSQL with {@code fsync=on}; warms each up, then measures windows interleaved (server,
 * orders) for every client count, repeated; finally reads back what was written. Prints Markdown tables.
 *
 * <pre>
 * java -cp benchmarks/target/factum-benchmarks.jar io.factum.benchmarks.WritePathBenchmark \
 *     [--stores sqlite,postgres] [--clients 1,2,4,8,16] [--seconds 8] [--warmup 10] [--repetitions 2] \
 *     [--drain-limit 30] [--child-jvm "-Xmx512m"] [--work-dir DIR] [--profile]
 * </pre>
 *
 * {@code --profile} adds what the stores hold per order (events by category) and, on PostgreSQL, the
 * server's commits, WAL flushes and busiest statements per measured window (pg_stat_statements).
 */
public final class WritePathBenchmark {

    private WritePathBenchmark() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.log.io.zonky.test", "warn");
        WritePathOptions options = WritePathOptions.parse(List.of(args));
        Path work = options.workDir().isPresent()
                ? Files.createDirectories(options.workDir().get())
                : Files.createTempDirectory("factum-write-path");
        WritePathReport report = new WritePathReport(options);
        System.out.println(report.environment());
        System.out.println("Logs and data: " + work);
        System.out.println();
        for (String store : options.stores()) {
            runStore(store, options, work.resolve(store), report);
        }
        System.out.println(report.tables());
    }

    /** Runs every window on one store kind and adds them to the report. */
    static void runStore(String store, WritePathOptions options, Path dir, WritePathReport report) throws Exception {
        Files.createDirectories(dir);
        String apiKey = HexFormat.of().formatHex(randomBytes());
        try (WritePathStores databases = WritePathStores.start(store, dir, options.profile())) {
            try (ChildJvm server = ChildJvm.start(
                            "factum-server",
                            "io.factum.server.FactumServer",
                            options.childJvmOptions(),
                            databases.serverArgs(),
                            databases.serverEnv(apiKey),
                            dir.resolve("factum-server.log"));
                    ChildJvm orders = ChildJvm.start(
                            "orders",
                            "io.factum.examples.orders.app.OrdersMain",
                            options.childJvmOptions(),
                            databases.ordersArgs(),
                            databases.ordersEnv(),
                            dir.resolve("orders.log"))) {
                System.out.printf(
                        Locale.ROOT,
                        "%s: factum-server (pid %d) at %s, orders (pid %d) at %s%n",
                        databases.label(),
                        server.pid(),
                        server.baseUrl(),
                        orders.pid(),
                        orders.baseUrl());
                List<WritePathLoad> systems = List.of(
                        new WritePathLoad.ServerAppends(server.baseUrl(), apiKey),
                        new WritePathLoad.OrderCommands(orders.baseUrl()));
                int most = options.clients().stream()
                        .mapToInt(Integer::intValue)
                        .max()
                        .orElseThrow();
                for (WritePathLoad system : systems) {
                    system.prepare(most);
                }
                int warmClients = Math.min(8, most);
                for (WritePathLoad system : systems) {
                    System.out.printf(
                            Locale.ROOT,
                            "%s: warming up %s, %d clients, %d s%n",
                            databases.label(),
                            system.system(),
                            warmClients,
                            options.warmupSeconds());
                    window(system, warmClients, options.warmupSeconds());
                    system.settle(options.drainLimit());
                }
                for (int repetition = 1; repetition <= options.repetitions(); repetition++) {
                    for (int clients : options.clients()) {
                        for (WritePathLoad system : systems) {
                            server.requireAlive();
                            orders.requireAlive();
                            System.out.printf(
                                    Locale.ROOT,
                                    "  %s, repetition %d, %s, %d clients: measuring %d s%n",
                                    databases.label(),
                                    repetition,
                                    system.system(),
                                    clients,
                                    options.seconds());
                            ChildJvm child = system instanceof WritePathLoad.ServerAppends ? server : orders;
                            WritePathStores.Counters before = databases.counters(system);
                            long jvmCpu = ProcessCpu.millis(child.pid());
                            long databaseCpu = databases.databaseCpuMillis();
                            Window measured = window(system, clients, options.seconds());
                            WritePathLoad.Drain drain = system.settle(options.drainLimit());
                            WritePathStores.Counters after = databases.counters(system);
                            var cpu = new WritePathReport.Cpu(
                                    ProcessCpu.millis(child.pid()) - jvmCpu,
                                    databases.databaseCpuMillis() - databaseCpu);
                            report.add(databases.label(), repetition, measured, drain, after.minus(before), cpu);
                            System.out.println(report.progressLine(databases.label(), repetition, measured, drain));
                        }
                    }
                }
                for (WritePathLoad system : systems) {
                    report.verified(databases.label(), system.verify());
                }
                if (options.profile()) {
                    report.scanned(databases.label(), databases.sequentialScans());
                    report.stored(databases.label(), databases.eventsByCategory());
                }
            }
        }
    }

    /** What one measured window produced. */
    record Window(String system, int clients, double seconds, Recorder.Merged figures) {
        double perSecond() {
            return figures.operations() / seconds;
        }
    }

    /**
     * Runs {@code clients} client threads looping over {@code system} for {@code seconds}, each finishing the
     * loop it is in when the time is up; the window lasts until the last has finished. The first failure
     * stops the others and fails the window.
     */
    static Window window(WritePathLoad system, int clients, int seconds) throws Exception {
        List<Recorder> recorders = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            recorders.add(new Recorder());
        }
        AtomicBoolean failed = new AtomicBoolean();
        long start = System.nanoTime();
        long until = start + TimeUnit.SECONDS.toNanos(seconds);
        List<Future<?>> running = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(clients)) {
            for (int c = 0; c < clients; c++) {
                int client = c;
                running.add(threads.submit(() -> {
                    try {
                        while (!failed.get() && System.nanoTime() < until) {
                            system.loop(client, recorders.get(client));
                        }
                    } catch (Exception | Error e) {
                        failed.set(true);
                        throw e;
                    }
                    return null;
                }));
            }
            for (Future<?> client : running) {
                try {
                    client.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        system.awaitBeside();
        return new Window(system.system(), clients, elapsed, Recorder.merge(recorders));
    }

    private static byte[] randomBytes() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }

    /** The command line. */
    record WritePathOptions(
            List<String> stores,
            List<Integer> clients,
            int seconds,
            int warmupSeconds,
            int repetitions,
            List<String> childJvmOptions,
            java.util.Optional<Path> workDir,
            boolean profile,
            Duration drainLimit) {

        static WritePathOptions parse(List<String> args) {
            List<String> stores = List.of("sqlite", "postgres");
            List<Integer> clients = List.of(1, 2, 4, 8, 16);
            int seconds = 8;
            int warmup = 10;
            int repetitions = 2;
            List<String> jvm = List.of("-Xmx512m");
            java.util.Optional<Path> workDir = java.util.Optional.empty();
            boolean profile = false;
            int drain = 30;
            for (int i = 0; i < args.size(); i++) {
                String name = args.get(i);
                if (name.equals("--profile")) {
                    profile = true;
                    continue;
                }
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(name + " needs a value; " + USAGE);
                }
                String value = args.get(++i);
                switch (name) {
                    case "--stores" -> stores = List.of(value.split(","));
                    case "--clients" ->
                        clients = Arrays.stream(value.split(","))
                                .map(n -> positive("--clients", n))
                                .toList();
                    case "--seconds" -> seconds = positive(name, value);
                    case "--warmup" -> warmup = Integer.parseInt(value);
                    case "--drain-limit" -> drain = positive(name, value);
                    case "--repetitions" -> repetitions = positive(name, value);
                    case "--child-jvm" ->
                        jvm = Arrays.stream(value.trim().split("\\s+"))
                                .filter(s -> !s.isEmpty())
                                .toList();
                    case "--work-dir" -> workDir = java.util.Optional.of(Path.of(value));
                    default -> throw new IllegalArgumentException("unknown argument '" + name + "'; " + USAGE);
                }
            }
            return new WritePathOptions(
                    stores, clients, seconds, warmup, repetitions, jvm, workDir, profile, Duration.ofSeconds(drain));
        }

        private static int positive(String name, String value) {
            try {
                int n = Integer.parseInt(value.trim());
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // answered below
            }
            throw new IllegalArgumentException(name + " takes whole numbers of 1 or more, got '" + value + "'");
        }

        static final String USAGE = "usage: WritePathBenchmark [--stores sqlite,postgres] [--clients 1,2,4,8,16]"
                + " [--seconds 8] [--warmup 10] [--repetitions 2] [--drain-limit 30] [--child-jvm \"-Xmx512m\"]"
                + " [--work-dir DIR]"
                + " [--profile]";
    }
}
