package io.factum.benchmarks;

import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.Position;
import io.factum.core.SqlEventStore;
import io.factum.core.command.CommandResult;
import io.factum.core.subscription.CheckpointStore;
import io.factum.core.subscription.Subscription;
import io.factum.examples.orders.app.OrdersApp;
import io.factum.examples.orders.customers.Address;
import io.factum.examples.orders.customers.CustomerCommand;
import io.factum.examples.orders.ordering.OrderCommand;
import io.factum.examples.orders.payments.PaymentProvider;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * What the read side of the reference system costs per order, in process (no HTTP): each client loops
 * "create an order, add 3 items, confirm" through {@code OrdersApp.send} and waits until the OrderSummary
 * read model shows the confirm; the fulfilment process, the payment gateway and the publication then carry
 * every order to SHIPPED behind its back. It reports orders per second, the time from the confirm to the
 * read model and to the shipment (seen by a watcher subscription with its checkpoint in memory), and the
 * commits per order the whole system made: on SQLite the writer's transactions and those that waited for
 * the disk ({@code SqliteEventStore.writerStatistics}), on PostgreSQL the transactions that wrote (the
 * transaction ids handed out) and {@code pg_stat_wal.wal_sync} (WAL flushes). Orders placed per second
 * count the clients' loop; orders shipped per second divide the same orders by the time until the last
 * of them shipped, the process's backlog included. The baseline in the same run is the same store's single-event
 * in-process append by the same number of threads.
 *
 * <p>Arguments: {@code [--seconds 10] [--clients 1,8] [--stores sqlite,postgres] [--out file.md]}.
 */
public final class OrdersPipelineBenchmark {

    private static final PrintStream OUT = System.out;
    private static final Address ADDRESS = new Address("1 Main St", "Springfield", "12345", "US");

    private final List<String> rows = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        int seconds = 10;
        List<Integer> clients = List.of(1, 8);
        List<String> stores = List.of("sqlite", "postgres");
        Path out = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--clients" ->
                    clients = java.util.Arrays.stream(args[i + 1].split(","))
                            .map(Integer::parseInt)
                            .toList();
                case "--stores" -> stores = List.of(args[i + 1].split(","));
                case "--out" -> out = Path.of(args[i + 1]);
                default ->
                    throw new IllegalArgumentException(
                            "unknown argument " + args[i] + "; expected --seconds, --clients, --stores or --out");
            }
        }
        OrdersPipelineBenchmark benchmark = new OrdersPipelineBenchmark();
        for (String store : stores) {
            for (int n : clients) {
                if (store.equals("sqlite")) {
                    Path dir = Files.createTempDirectory("factum-orders-pipeline");
                    benchmark.run(
                            "SQLite",
                            n,
                            seconds,
                            OrdersApp.builder().sqlite(dir.resolve("orders.db")),
                            StoreCounters::sqlite);
                } else {
                    try (EmbeddedPostgres server = EmbeddedPostgres.builder()
                            .setServerConfig("fsync", "on")
                            .setServerConfig("synchronous_commit", "on")
                            .setServerConfig("max_connections", "200")
                            .start()) {
                        String url = server.getJdbcUrl("postgres", "postgres");
                        benchmark.run(
                                "PostgreSQL",
                                n,
                                seconds,
                                OrdersApp.builder().postgres(url),
                                events -> StoreCounters.postgres(() -> DriverManager.getConnection(url)));
                    }
                }
            }
        }
        String report = benchmark.report(seconds);
        OUT.println(report);
        if (out != null) {
            Files.writeString(out, report, StandardCharsets.UTF_8);
        }
    }

    private String report(int seconds) {
        StringBuilder report = new StringBuilder();
        report.append(String.format(
                Locale.ROOT,
                "Run on %d cores, Java %s; %d s per row after 3 s of warm-up.%n%n",
                Runtime.getRuntime().availableProcessors(),
                Runtime.version(),
                seconds));
        report.append("| store | clients | orders placed/s | orders shipped/s | confirm → read model p50 | p99 |"
                + " confirm → shipped p50 | p99 | commits / order | waits for the disk / order |"
                + " appends/s in-process (baseline) | commands / appends |\n");
        report.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        rows.forEach(row -> report.append(row).append('\n'));
        return report.toString();
    }

    private void run(
            String store,
            int clients,
            int seconds,
            OrdersApp.Builder builder,
            Function<SqlEventStore, StoreCounters.Source> countersOf)
            throws Exception {
        try (OrdersApp app = builder.paymentProvider(PaymentProvider.always(PaymentProvider.Answer.APPROVE))
                        .paymentTimeout(Duration.ofHours(1))
                        .start();
                Shipments shipments = new Shipments(app.store())) {
            List<UUID> customers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                UUID customer = UUID.randomUUID();
                require(app.send(new CustomerCommand.RegisterCustomer(
                        customer, "Ada", "ada+" + customer + "@example.com", ADDRESS)));
                customers.add(customer);
            }
            // warm-up: the same work for 3 seconds, not measured
            orders(app, customers, 3, new ArrayList<>(), shipments);
            shipments.awaitAll(Duration.ofMinutes(2));
            shipments.clear();
            StoreCounters.Source counters = countersOf.apply(app.store());
            StoreCounters before = counters.settled();
            List<Long> toReadModel = Collections.synchronizedList(new ArrayList<>());
            long start = System.nanoTime();
            long orders = orders(app, customers, seconds, toReadModel, shipments);
            double elapsed = (System.nanoTime() - start) / 1e9;
            shipments.awaitAll(Duration.ofMinutes(2));
            // until the last of them shipped: what the whole system did, the process's backlog included
            double toLastShipment = (System.nanoTime() - start) / 1e9;
            StoreCounters spent = counters.settled().minus(before);
            double appends = OrdersHttpBenchmark.appendsPerSecond(app.store(), clients, seconds);
            List<Long> shipped = shipments.latencies();
            rows.add(String.format(
                    Locale.ROOT,
                    "| %s | %d | %,.0f | %,.0f | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.1f | %.1f | %,.0f | %.2fx |",
                    store,
                    clients,
                    orders / elapsed,
                    orders / toLastShipment,
                    percentile(toReadModel, 0.50) / 1000.0,
                    percentile(toReadModel, 0.99) / 1000.0,
                    percentile(shipped, 0.50) / 1000.0,
                    percentile(shipped, 0.99) / 1000.0,
                    spent.commits() / (double) orders,
                    spent.durable() / (double) orders,
                    appends,
                    orders * 5 / elapsed / appends));
            OUT.println(rows.get(rows.size() - 1));
        }
    }

    /** The clients' loop; returns the orders placed. */
    private static long orders(
            OrdersApp app, List<UUID> customers, int seconds, List<Long> toReadModel, Shipments shipments)
            throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong orders = new AtomicLong();
        try (ExecutorService pool = Executors.newFixedThreadPool(customers.size())) {
            List<Future<?>> workers = new ArrayList<>();
            for (UUID customer : customers) {
                workers.add(pool.submit(() -> {
                    while (System.nanoTime() < until) {
                        UUID order = UUID.randomUUID();
                        require(app.send(new OrderCommand.CreateOrder(order, customer)));
                        for (int item = 0; item < 3; item++) {
                            require(app.send(
                                    new OrderCommand.AddItem(order, "SKU-" + item, 2, new BigDecimal("12.50"))));
                        }
                        long sent = System.nanoTime();
                        shipments.expect(order, sent);
                        Position confirmed = require(app.send(new OrderCommand.ConfirmOrder(order)));
                        if (!app.orderSummaries().awaitPosition(confirmed, Duration.ofSeconds(30))) {
                            throw new IllegalStateException("the read model did not show the confirm of " + order);
                        }
                        toReadModel.add((System.nanoTime() - sent) / 1_000);
                        orders.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        }
        return orders.get();
    }

    private static Position require(CommandResult result) {
        if (result instanceof CommandResult.Accepted accepted) {
            return accepted.position();
        }
        throw new IllegalStateException("a command of the benchmark was not accepted: " + result);
    }

    private static long percentile(List<Long> values, double p) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(Long::compare);
        return OrdersHttpBenchmark.percentile(sorted, p);
    }

    /**
     * Watches the log for {@code OrderShipped} with a subscription of its own (checkpoint in memory, so it
     * writes nothing) and keeps, per order, the time from its confirm being sent to its shipment being seen.
     */
    private static final class Shipments implements AutoCloseable {
        private final Map<UUID, Long> sent = new ConcurrentHashMap<>();
        private final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        private final Subscription watcher;

        Shipments(EventStore store) {
            this.watcher = Subscription.handler("bench-shipments", store, CheckpointStore.inMemory(), event -> {
                        UUID order = UUID.fromString(event.streamId().substring("order-".length()));
                        Long at = sent.remove(order);
                        if (at != null) {
                            latencies.add((System.nanoTime() - at) / 1_000);
                        }
                    })
                    .filter(EventFilter.categories("order").andEventTypes("OrderShipped"))
                    .start();
        }

        void expect(UUID order, long sentAt) {
            sent.put(order, sentAt);
        }

        void awaitAll(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!sent.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            if (!sent.isEmpty()) {
                throw new IllegalStateException(sent.size() + " orders were not shipped within " + timeout);
            }
        }

        void clear() {
            latencies.clear();
        }

        List<Long> latencies() {
            return List.copyOf(latencies);
        }

        @Override
        public void close() {
            watcher.close();
        }
    }
}
