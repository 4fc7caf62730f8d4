package io.factum.benchmarks;

import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * The event store benchmark: Factum against raw JDBC on the same database with the same durability, in
 * one run, reported as ratios. See docs/benchmarks.md for how to run it and what it measured.
 *
 * <p>Arguments: {@code [--stores sqlite,postgres] [--seconds 5] [--catchup 1000000] [--out file.md]}.
 */
public final class Benchmarks {

    private static final String DATA = "{\"orderId\":\"order-12345\",\"sku\":\"BOOK-42\",\"quantity\":3,"
            + "\"price\":{\"amount\":\"19.90\",\"currency\":\"EUR\"}}";
    private static final String METADATA = "{\"correlationId\":\"c0ffee00-0000-4000-8000-000000000000\"}";
    private static final AtomicLong STREAMS = new AtomicLong();

    private final int seconds;
    private final int catchUpEvents;
    private final List<String> rows = new ArrayList<>();

    private Benchmarks(int seconds, int catchUpEvents) {
        this.seconds = seconds;
        this.catchUpEvents = catchUpEvents;
    }

    public static void main(String[] args) throws Exception {
        List<String> stores = List.of("sqlite", "postgres");
        int seconds = 5;
        int catchUp = 1_000_000;
        Path out = null;
        for (int i = 0; i < args.length; i += 2) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--stores" -> stores = List.of(value.split(","));
                case "--seconds" -> seconds = Integer.parseInt(value);
                case "--catchup" -> catchUp = Integer.parseInt(value);
                case "--out" -> out = Path.of(value);
                default ->
                    throw new IllegalArgumentException("unknown argument " + args[i]
                            + "; expected --stores sqlite,postgres --seconds N --catchup N --out file.md");
            }
        }
        Benchmarks benchmarks = new Benchmarks(seconds, catchUp);
        for (String store : stores) {
            try (Backend backend =
                    switch (store) {
                        case "sqlite" -> new SqliteBackend();
                        case "postgres" -> new PostgresBackend();
                        default ->
                            throw new IllegalArgumentException(
                                    "unknown store " + store + "; expected sqlite or postgres");
                    }) {
                benchmarks.run(backend);
            }
        }
        String report = benchmarks.report();
        System.out.println(report);
        if (out != null) {
            Files.writeString(out, report, StandardCharsets.UTF_8);
        }
    }

    private void run(Backend backend) throws Exception {
        log("== " + backend.name());
        try (EventStore store = backend.openStore();
                Connection setup = backend.connection()) {
            backend.createBaselineTable(setup);
            for (int threads : new int[] {1, 8, 32}) {
                Result factum = appends(threads, 1, () -> {
                    EventData event = event();
                    store.append(newStream(), ExpectedVersion.noStream(), event);
                });
                Result raw = baselineAppends(backend, threads, 1);
                row(
                        backend,
                        "append 1 event to a new stream, " + threads + " writer" + (threads > 1 ? "s" : ""),
                        factum,
                        raw,
                        "one INSERT transaction per event");
            }
            for (int threads : new int[] {1, 8}) {
                Result factum = appends(threads, 10, () -> {
                    List<EventData> batch = new ArrayList<>(10);
                    for (int i = 0; i < 10; i++) {
                        batch.add(event());
                    }
                    store.append(newStream(), ExpectedVersion.noStream(), batch);
                });
                Result raw = baselineAppends(backend, threads, 10);
                row(
                        backend,
                        "append 10-event batches, " + threads + " writer" + (threads > 1 ? "s" : ""),
                        factum,
                        raw,
                        "one transaction of 10 INSERTs per batch");
            }
            readOneStream(backend, store);
        }
        catchUp(backend);
    }

    // ---- appends

    @FunctionalInterface
    private interface Operation {
        void run() throws Exception;
    }

    private record Result(double eventsPerSecond, double p50Millis, double p99Millis) {}

    private Result appends(int threads, int eventsPerOperation, Operation operation) throws Exception {
        measure(threads, 1, operation); // warm-up
        return measure(threads, seconds, operation, eventsPerOperation);
    }

    private Result measure(int threads, int durationSeconds, Operation operation) throws Exception {
        return measure(threads, durationSeconds, operation, 1);
    }

    private Result measure(int threads, int durationSeconds, Operation operation, int eventsPerOperation)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            AtomicBoolean running = new AtomicBoolean(true);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Latencies>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    Latencies latencies = new Latencies();
                    start.await();
                    while (running.get()) {
                        long begin = System.nanoTime();
                        operation.run();
                        latencies.add(System.nanoTime() - begin);
                    }
                    return latencies;
                }));
            }
            long begin = System.nanoTime();
            start.countDown();
            Thread.sleep(TimeUnit.SECONDS.toMillis(durationSeconds));
            running.set(false);
            List<Latencies> all = new ArrayList<>();
            for (Future<Latencies> future : futures) {
                all.add(future.get());
            }
            double elapsed = (System.nanoTime() - begin) / 1e9;
            Latencies merged = Latencies.merge(all);
            return new Result(
                    merged.size() * (double) eventsPerOperation / elapsed,
                    merged.percentileMillis(50),
                    merged.percentileMillis(99));
        } finally {
            pool.shutdownNow();
        }
    }

    private Result baselineAppends(Backend backend, int threads, int batch) throws Exception {
        List<Connection> connections = new ArrayList<>();
        try {
            int count = backend.singleWriter() ? 1 : threads;
            for (int i = 0; i < count; i++) {
                connections.add(backend.connection());
            }
            ReentrantLock writerLock = new ReentrantLock();
            AtomicLong next = new AtomicLong();
            ThreadLocal<Connection> mine =
                    ThreadLocal.withInitial(() -> connections.get((int) (next.getAndIncrement() % connections.size())));
            Operation insert = () -> {
                Connection connection = mine.get();
                if (backend.singleWriter()) {
                    writerLock.lock();
                }
                try {
                    insertBaseline(backend, connection, batch);
                } finally {
                    if (backend.singleWriter()) {
                        writerLock.unlock();
                    }
                }
            };
            return appends(threads, batch, insert);
        } finally {
            for (Connection connection : connections) {
                connection.close();
            }
        }
    }

    private static void insertBaseline(Backend backend, Connection connection, int batch) throws SQLException {
        String stream = newStream();
        if (batch > 1) {
            connection.setAutoCommit(false);
        }
        try (PreparedStatement insert = connection.prepareStatement(backend.insertSql())) {
            for (int i = 0; i < batch; i++) {
                insert.setObject(1, backend.eventIdParameter(UUID.randomUUID()));
                insert.setString(2, stream);
                insert.setLong(3, i);
                insert.setString(4, "ItemAdded");
                insert.setString(5, DATA);
                insert.setString(6, METADATA);
                if (batch > 1) {
                    insert.addBatch();
                } else {
                    insert.executeUpdate();
                }
            }
            if (batch > 1) {
                insert.executeBatch();
                connection.commit();
            }
        } finally {
            if (batch > 1) {
                connection.setAutoCommit(true);
            }
        }
    }

    // ---- reads

    private void readOneStream(Backend backend, EventStore store) throws Exception {
        String stream = newStream();
        for (int i = 0; i < 10; i++) {
            List<EventData> batch = new ArrayList<>(1000);
            for (int e = 0; e < 1000; e++) {
                batch.add(event());
            }
            store.append(stream, ExpectedVersion.any(), batch);
        }
        long factumBest = Long.MAX_VALUE;
        long rawBest = Long.MAX_VALUE;
        try (Connection connection = backend.connection()) {
            for (int round = 0; round < 15; round++) {
                long begin = System.nanoTime();
                long count;
                try (Stream<RecordedEvent> events = store.streamEvents(stream)) {
                    count = events.mapToLong(e -> e.data().length()).count();
                }
                factumBest = Math.min(factumBest, System.nanoTime() - begin);
                check(count, 10_000, "Factum stream read");
                begin = System.nanoTime();
                count = rawScan(backend, connection, backend.streamSql(), stream);
                rawBest = Math.min(rawBest, System.nanoTime() - begin);
                check(count, 10_000, "raw stream read");
            }
        }
        readRow(
                backend,
                "read one 10,000-event stream",
                10_000,
                factumBest,
                rawBest,
                "SELECT of the stream ordered by version");
    }

    private void catchUp(Backend backend) throws Exception {
        try (EventStore store = backend.openStore()) {
            log("loading " + catchUpEvents + " events for the catch-up read");
            ExecutorService loaders = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> loads = new ArrayList<>();
                int appends = catchUpEvents / 1000;
                for (int a = 0; a < appends; a++) {
                    loads.add(loaders.submit(() -> {
                        List<EventData> batch = new ArrayList<>(1000);
                        for (int e = 0; e < 1000; e++) {
                            batch.add(event());
                        }
                        return store.append(newStream(), ExpectedVersion.noStream(), batch);
                    }));
                }
                for (Future<?> load : loads) {
                    load.get();
                }
            } finally {
                loaders.shutdownNow();
            }
            long factumBest = Long.MAX_VALUE;
            long rawBest = Long.MAX_VALUE;
            try (Connection connection = backend.connection()) {
                for (int round = 0; round < 3; round++) {
                    long begin = System.nanoTime();
                    long count;
                    try (Stream<RecordedEvent> events = store.streamAll(Position.START, EventFilter.all())) {
                        count = events.mapToLong(e -> e.data().length()).count();
                    }
                    factumBest = Math.min(factumBest, System.nanoTime() - begin);
                    check(count, catchUpEvents, "Factum catch-up");
                    begin = System.nanoTime();
                    backend.prepareForScan(connection);
                    count = rawScan(backend, connection, backend.scanSql(), null);
                    rawBest = Math.min(rawBest, System.nanoTime() - begin);
                    check(count, catchUpEvents, "raw scan");
                }
            }
            readRow(
                    backend,
                    String.format(Locale.ROOT, "catch-up read of %,d events from the global log", catchUpEvents),
                    catchUpEvents,
                    factumBest,
                    rawBest,
                    "raw JDBC scan in global order");
        }
    }

    private static long rawScan(Backend backend, Connection connection, String sql, String stream) throws SQLException {
        long count = 0;
        long checksum = 0;
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setFetchSize(1000);
            if (stream != null) {
                select.setString(1, stream);
            }
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    checksum += rows.getLong(1);
                    Object id = rows.getObject(2);
                    String streamId = rows.getString(3);
                    checksum += rows.getLong(4);
                    String type = rows.getString(5);
                    checksum += rows.getInt(6);
                    String data = rows.getString(7);
                    String metadata = rows.getString(8);
                    Object recordedAt = rows.getObject(9);
                    checksum += id.hashCode()
                            + streamId.length()
                            + type.length()
                            + data.length()
                            + metadata.length()
                            + recordedAt.hashCode();
                    count++;
                }
            }
        }
        if (!connection.getAutoCommit()) {
            connection.commit();
            connection.setAutoCommit(true);
        }
        if (checksum == 42) {
            System.out.print("");
        }
        return count;
    }

    // ---- helpers

    private static EventData event() {
        return new EventData(UUID.randomUUID(), "ItemAdded", 1, DATA, METADATA);
    }

    private static String newStream() {
        return "bench-" + STREAMS.incrementAndGet();
    }

    private static void check(long count, long expected, String what) {
        if (count != expected) {
            throw new IllegalStateException(what + " read " + count + " events, expected " + expected);
        }
    }

    private void row(Backend backend, String what, Result factum, Result raw, String baseline) {
        String line = String.format(
                Locale.ROOT,
                "| %s | %s | %,.0f ev/s | %,.0f ev/s | **%.2fx** | %.2f / %.2f ms | %.2f / %.2f ms | %s |",
                backend.name(),
                what,
                factum.eventsPerSecond(),
                raw.eventsPerSecond(),
                factum.eventsPerSecond() / raw.eventsPerSecond(),
                factum.p50Millis(),
                factum.p99Millis(),
                raw.p50Millis(),
                raw.p99Millis(),
                baseline);
        rows.add(line);
        log(line);
    }

    private void readRow(Backend backend, String what, long events, long factumNanos, long rawNanos, String baseline) {
        double factumRate = events / (factumNanos / 1e9);
        double rawRate = events / (rawNanos / 1e9);
        String line = String.format(
                Locale.ROOT,
                "| %s | %s | %,.0f ev/s | %,.0f ev/s | **%.2fx** | %.1f ms total | %.1f ms total | %s |",
                backend.name(),
                what,
                factumRate,
                rawRate,
                factumRate / rawRate,
                factumNanos / 1e6,
                rawNanos / 1e6,
                baseline);
        rows.add(line);
        log(line);
    }

    private String report() {
        StringBuilder report = new StringBuilder();
        report.append(String.format(
                Locale.ROOT,
                "Run on %d cores, Java %s, max heap %d MiB, %d s per append measurement.%n%n",
                Runtime.getRuntime().availableProcessors(),
                Runtime.version(),
                Runtime.getRuntime().maxMemory() / (1024 * 1024),
                seconds));
        report.append(
                "| store | workload | Factum | baseline | ratio | Factum p50 / p99 | baseline p50 / p99 | baseline is |\n");
        report.append("|---|---|---|---|---|---|---|---|\n");
        rows.forEach(row -> report.append(row).append('\n'));
        return report.toString();
    }

    private static void log(String line) {
        PrintStream err = System.err;
        err.println(line);
    }
}
