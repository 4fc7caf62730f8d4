package io.factum.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factum.core.EventStore;
import io.factum.examples.orders.api.OrdersApi;
import io.factum.examples.orders.app.OrdersApp;
import io.factum.examples.orders.payments.PaymentProvider;
import io.javalin.Javalin;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The reference system under load over its HTTP API: each client loops "create an order, add 3 items,
 * confirm" (5 commands) and then reads the order with {@code ?minPosition=} of the confirm, which waits
 * until the read model shows it. Reports commands per second and the latency from sending the confirm
 * until the read model answered with the confirmed order, on SQLite and PostgreSQL, with 1 and 16 clients.
 *
 * <p>Arguments: {@code [--seconds 10] [--clients 1,16] [--stores sqlite,postgres]}.
 */
public final class OrdersHttpBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        int seconds = 10;
        List<Integer> clients = List.of(1, 16);
        List<String> stores = List.of("sqlite", "postgres");
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--clients" ->
                    clients = java.util.Arrays.stream(args[i + 1].split(","))
                            .map(Integer::parseInt)
                            .toList();
                case "--stores" -> stores = List.of(args[i + 1].split(","));
                default ->
                    throw new IllegalArgumentException(
                            "unknown argument " + args[i] + "; expected --seconds, --clients or --stores");
            }
        }
        System.out.printf(
                Locale.ROOT,
                "| store | clients | commands/s | orders/s | confirm → read model p50 | p99 | baseline: appends/s"
                        + " in-process | commands / appends |%n");
        System.out.printf(Locale.ROOT, "|---|---|---|---|---|---|---|---|%n");
        for (String store : stores) {
            for (int n : clients) {
                if (store.equals("sqlite")) {
                    Path dir = Files.createTempDirectory("factum-orders-bench");
                    run("SQLite", n, seconds, OrdersApp.builder().sqlite(dir.resolve("orders.db")));
                } else {
                    try (EmbeddedPostgres server = EmbeddedPostgres.builder()
                            .setServerConfig("fsync", "on")
                            .setServerConfig("max_connections", "200")
                            .start()) {
                        run(
                                "PostgreSQL",
                                n,
                                seconds,
                                OrdersApp.builder().postgres(server.getJdbcUrl("postgres", "postgres")));
                    }
                }
            }
        }
    }

    private static void run(String store, int clients, int seconds, OrdersApp.Builder builder) throws Exception {
        try (OrdersApp app = builder.paymentProvider(PaymentProvider.always(PaymentProvider.Answer.APPROVE))
                .start()) {
            Javalin http = OrdersApi.start(app, "127.0.0.1", 0);
            try {
                String base = "http://127.0.0.1:" + http.port() + "/api";
                HttpClient client = HttpClient.newBuilder()
                        .executor(Executors.newVirtualThreadPerTaskExecutor())
                        .build();
                // warm-up: the same work for 3 seconds, not measured
                measure(client, base, clients, 3, new ArrayList<>());
                List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
                long start = System.nanoTime();
                long orders = measure(client, base, clients, seconds, latencies);
                double elapsed = (System.nanoTime() - start) / 1e9;
                List<Long> sorted = new ArrayList<>(latencies);
                sorted.sort(Long::compare);
                double appends = appendsPerSecond(app.store(), clients, seconds);
                double commands = orders * 5 / elapsed;
                System.out.printf(
                        Locale.ROOT,
                        "| %s | %d | %,.0f | %,.0f | %.1f ms | %.1f ms | %,.0f | %.2fx |%n",
                        store,
                        clients,
                        commands,
                        orders / elapsed,
                        percentile(sorted, 0.50) / 1000.0,
                        percentile(sorted, 0.99) / 1000.0,
                        appends,
                        commands / appends);
            } finally {
                http.stop();
            }
        }
    }

    /** The baseline: single-event appends in-process on the same store, by the same number of threads. */
    static double appendsPerSecond(EventStore store, int clients, int seconds) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong done = new AtomicLong();
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<?>> workers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                workers.add(pool.submit(() -> {
                    while (System.nanoTime() < until) {
                        store.append(
                                "baseline-" + java.util.UUID.randomUUID(),
                                io.factum.core.ExpectedVersion.noStream(),
                                io.factum.core.EventData.of("Baseline", "{\"n\":1}"));
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        }
        return done.get() / ((System.nanoTime() - start) / 1e9);
    }

    /** The {@code p} quantile (0 to 1) of values sorted ascending; 0 if there are none. */
    static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * p) - 1));
    }

    private static long measure(HttpClient client, String base, int clients, int seconds, List<Long> latencies)
            throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong orders = new AtomicLong();
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<?>> workers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                workers.add(pool.submit(() -> {
                    String customer = post(client, base + "/customers", """
                            {"name":"Ada","email":"ada+%s@example.com","address":{"street":"1 Main St","city":"Springfield",\
                            "postalCode":"12345","country":"US"}}""".formatted(UUID.randomUUID()))
                            .get("customerId")
                            .asText();
                    while (System.nanoTime() < until) {
                        String order = post(client, base + "/orders", "{\"customerId\":\"" + customer + "\"}")
                                .get("orderId")
                                .asText();
                        for (int item = 0; item < 3; item++) {
                            post(
                                    client,
                                    base + "/orders/" + order + "/add-item",
                                    "{\"productId\":\"SKU-" + item + "\",\"quantity\":2,\"unitPrice\":12.50}");
                        }
                        long sent = System.nanoTime();
                        String position = post(client, base + "/orders/" + order + "/confirm", "{}")
                                .get("position")
                                .asText();
                        JsonNode shown = get(client, base + "/orders/" + order + "?minPosition=" + position);
                        latencies.add((System.nanoTime() - sent) / 1_000);
                        if (shown.get("status").asText().equals("PENDING")) {
                            throw new IllegalStateException("the read model answered PENDING after minPosition");
                        }
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

    private static JsonNode post(HttpClient client, String url, String body) throws Exception {
        return send(
                client,
                HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build());
    }

    private static JsonNode get(HttpClient client, String url) throws Exception {
        return send(client, HttpRequest.newBuilder(URI.create(url)).build());
    }

    private static JsonNode send(HttpClient client, HttpRequest request) throws Exception {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(request.method() + " " + request.uri() + " answered "
                    + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }
}
