package io.factum.benchmarks;

import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.ReadDirection;
import io.factum.http.FactumHttp;
import io.factum.http.HttpSecurity;
import io.factum.http.Role;
import io.factum.store.sqlite.SqliteEventStore;
import io.javalin.Javalin;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * The HTTP benchmark on the embedded SQLite store, each figure beside its in-process baseline in the same
 * run: full feed pages read over HTTP against the same page read from the store; appends over HTTP
 * against the same appends in-process (the ratio is the HTTP overhead); one append fanned out to many SSE
 * subscribers (time until the last has it). See docs/benchmarks.md.
 *
 * <p>Arguments: {@code [--seconds 5] [--clients 1,8] [--subscribers 1000] [--fanouts 20]}.
 */
public final class HttpBenchmark {

    private static final String DATA = "{\"sku\":\"BOOK-1\",\"quantity\":2,\"price\":12.5}";

    private final int seconds;

    private HttpBenchmark(int seconds) {
        this.seconds = seconds;
    }

    public static void main(String[] args) throws Exception {
        int seconds = 5;
        List<Integer> clients = List.of(1, 8);
        int subscribers = 1_000;
        int fanouts = 20;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--clients" ->
                    clients = Arrays.stream(args[i + 1].split(","))
                            .map(Integer::parseInt)
                            .toList();
                case "--subscribers" -> subscribers = Integer.parseInt(args[i + 1]);
                case "--fanouts" -> fanouts = Integer.parseInt(args[i + 1]);
                default ->
                    throw new IllegalArgumentException("unknown argument " + args[i]
                            + "; expected --seconds, --clients, --subscribers or --fanouts");
            }
        }
        new HttpBenchmark(seconds).run(clients, subscribers, fanouts);
    }

    private void run(List<Integer> clients, int subscribers, int fanouts) throws Exception {
        Path dir = Files.createTempDirectory("factum-http-bench");
        try (SqliteEventStore store = SqliteEventStore.open(dir.resolve("bench.db"))) {
            FactumHttp http = FactumHttp.builder(store)
                    .security(HttpSecurity.builder().anonymous(Role.ADMIN).build())
                    .build();
            Javalin app = Javalin.create(config -> {
                        config.jetty.host = "127.0.0.1";
                        config.jetty.port = 0;
                        http.configure(config);
                        // the framework's own cost: the same server, security filter included, answering nothing
                        config.routes.get("/bench/empty", ctx -> ctx.result("ok"));
                    })
                    .start();
            String base = "http://127.0.0.1:" + app.port();
            HttpClient client = HttpClient.newBuilder()
                    .executor(Executors.newVirtualThreadPerTaskExecutor())
                    .build();
            try {
                System.out.printf(Locale.ROOT, "| workload | clients | over HTTP | in-process | HTTP / in-process |%n");
                System.out.printf(Locale.ROOT, "|---|---|---|---|---|%n");
                for (int stream = 0; stream < 100; stream++) {
                    List<EventData> batch = new ArrayList<>();
                    for (int e = 0; e < 20; e++) {
                        batch.add(EventData.of("ItemAdded", DATA));
                    }
                    store.append("page-" + stream, ExpectedVersion.any(), batch);
                }
                for (int n : clients) {
                    double empty = rate(n, i -> get(client, base + "/bench/empty"));
                    double page = rate(n, i -> get(client, base + "/streams/page-" + (i % 100) + "/0/forward/20"));
                    System.out.printf(
                            Locale.ROOT,
                            "| feed page of 20 events against an empty answer of the same server"
                                    + " (requests/s) | %d | %,.0f | %,.0f (empty) | %.2fx |%n",
                            n,
                            page,
                            empty,
                            page / empty);
                }
                for (int n : clients) {
                    double overHttp = rate(n, i -> get(client, base + "/streams/page-" + (i % 100) + "/0/forward/20"));
                    double inProcess =
                            rate(n, i -> store.readStream("page-" + (i % 100), ReadDirection.FORWARD, 0, 20));
                    row("feed page of 20 events (pages/s)", n, overHttp, inProcess);
                }
                AtomicLong next = new AtomicLong();
                for (int n : clients) {
                    double overHttp = rate(n, i -> post(client, base + "/streams/http-" + next.incrementAndGet()));
                    double inProcess = rate(
                            n,
                            i -> store.append(
                                    "local-" + next.incrementAndGet(),
                                    ExpectedVersion.noStream(),
                                    EventData.of("ItemAdded", DATA)));
                    row("append of 1 event (appends/s)", n, overHttp, inProcess);
                }
                fanOut(client, base, store, subscribers, fanouts);
            } finally {
                app.stop();
            }
        }
    }

    private static void row(String workload, int clients, double overHttp, double inProcess) {
        System.out.printf(
                Locale.ROOT,
                "| %s | %d | %,.0f | %,.0f | %.2fx |%n",
                workload,
                clients,
                overHttp,
                inProcess,
                overHttp / inProcess);
    }

    /** Operations per second of {@code clients} threads each calling {@code operation} for the run time. */
    private double rate(int clients, IntConsumer operation) throws Exception {
        long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (int i = 0; System.nanoTime() < warm; i++) {
            operation.accept(2_000_000_000 + i); // warm-up: two seconds of the same work, not measured
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong done = new AtomicLong();
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<?>> workers = new ArrayList<>();
            long start = System.nanoTime();
            for (int c = 0; c < clients; c++) {
                int offset = c * 1_000_000;
                workers.add(pool.submit(() -> {
                    int i = offset;
                    while (System.nanoTime() < until) {
                        operation.accept(i++);
                        done.incrementAndGet();
                    }
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
            return done.get() / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static void get(HttpClient client, String url) {
        send(
                client,
                HttpRequest.newBuilder(URI.create(url))
                        .header("Accept", "application/json")
                        .build(),
                200);
    }

    private static void post(HttpClient client, String url) {
        String body = "[{\"eventId\":\"" + UUID.randomUUID() + "\",\"eventType\":\"ItemAdded\",\"data\":" + DATA + "}]";
        send(
                client,
                HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/json")
                        .header("Expected-Version", "no-stream")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                201);
    }

    private static void send(HttpClient client, HttpRequest request, int expected) {
        try {
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != expected) {
                throw new IllegalStateException(request.method() + " " + request.uri() + ": expected " + expected
                        + " but got " + response.statusCode() + ": "
                        + new String(response.body(), StandardCharsets.UTF_8));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code subscribers} SSE clients on {@code /subscriptions/all}; each of {@code fanouts} appends is timed
     * from just before the append until the last subscriber has read its event.
     */
    private static void fanOut(HttpClient client, String base, EventStore store, int subscribers, int fanouts)
            throws Exception {
        AtomicReference<CountDownLatch> arrived = new AtomicReference<>(new CountDownLatch(subscribers));
        CountDownLatch connected = new CountDownLatch(subscribers);
        List<InputStream> streams = new ArrayList<>();
        try (ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int s = 0; s < subscribers; s++) {
                HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/subscriptions/all?from=end"))
                        .header("Accept", "text/event-stream")
                        .build();
                HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("SSE subscription answered " + response.statusCode());
                }
                streams.add(response.body());
                readers.submit(() -> {
                    connected.countDown();
                    try (BufferedReader lines =
                            new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = lines.readLine()) != null) {
                            if (line.startsWith("data:")) {
                                arrived.get().countDown();
                            }
                        }
                    } catch (java.io.IOException closed) {
                        // the benchmark closed the stream
                    }
                    return null;
                });
            }
            if (!connected.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not every SSE subscriber connected within 60 s");
            }
            Thread.sleep(500);
            List<Long> micros = new ArrayList<>();
            for (int f = 0; f < fanouts; f++) {
                CountDownLatch latch = new CountDownLatch(subscribers);
                arrived.set(latch);
                long start = System.nanoTime();
                store.append("fanout-" + f, ExpectedVersion.noStream(), EventData.of("Fanned", DATA));
                if (!latch.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(latch.getCount() + " of " + subscribers
                            + " SSE subscribers did not get the event within 60 s");
                }
                micros.add((System.nanoTime() - start) / 1_000);
                Thread.sleep(100);
            }
            micros.sort(Long::compare);
            System.out.printf(
                    Locale.ROOT,
                    "%n| fan-out of one append to %d SSE subscribers (%d appends) | p50 | p99 | max |%n",
                    subscribers,
                    fanouts);
            System.out.printf(Locale.ROOT, "|---|---|---|---|%n");
            System.out.printf(
                    Locale.ROOT,
                    "| until the last subscriber has it | %.1f ms | %.1f ms | %.1f ms |%n",
                    micros.get(micros.size() / 2) / 1000.0,
                    micros.get(Math.min(micros.size() - 1, (int) Math.ceil(micros.size() * 0.99) - 1)) / 1000.0,
                    micros.get(micros.size() - 1) / 1000.0);
            for (InputStream stream : streams) {
                stream.close();
            }
            readers.shutdownNow();
        }
    }
}
