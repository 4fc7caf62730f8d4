package io.factum.benchmarks;

import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.SqlEventStore;
import io.factum.store.postgres.PostgresEventStore;
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
import java.util.OptionalDouble;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * The event store benchmark: Factum against raw JDBC on the same database with the same durability, in
 * one run, reported as ratios. Each append workload runs both sides in alternating slices (Factum, raw,
 * Factum, raw, ...), so both meet the same load of a shared machine. On PostgreSQL the append workloads run
 * on a young store (a store and baseline table created for the workload, seconds old) and on an old one
 * (both filled with millions of rows by SQL, then analyzed). See docs/benchmarks.md for how to run it and
 * what it measured.
 *
 * <p>Arguments: {@code [--stores sqlite,postgres] [--seconds 5] [--rounds 5] [--catchup 1000000]
 * [--old-events 2000000] [--writers 2] [--workloads 1x1,8x1,32x1,1x10,8x10] [--reads true] [--out file.md]}:
 * {@code --seconds} is each side's measured time per workload, in {@code --rounds} slices; {@code
 * --old-events 0} skips the old store; {@code --writers} is the PostgreSQL store's group-commit writers;
 * a workload is threads x events per append; {@code --reads false} skips the read workloads.
 */
public final class Benchmarks {

    private static final AtomicLong STREAMS = new AtomicLong();

    private final int seconds;
    private final int rounds;
    private final int catchUpEvents;
    private final long oldEvents;
    private final List<Workload> workloads;
    private final boolean reads;
    private final List<String> rows = new ArrayList<>();

    private Benchmarks(
            int seconds, int rounds, int catchUpEvents, long oldEvents, List<Workload> workloads, boolean reads) {
        this.seconds = seconds;
        this.rounds = rounds;
        this.catchUpEvents = catchUpEvents;
        this.oldEvents = oldEvents;
        this.workloads = workloads;
        this.reads = reads;
    }

    public static void main(String[] args) throws Exception {
        List<String> stores = List.of("sqlite", "postgres");
        int seconds = 5;
        int rounds = 5;
        int catchUp = 1_000_000;
        long oldEvents = 2_000_000;
        int writers = PostgresEventStore.DEFAULT_WRITERS;
        List<Workload> workloads = Workload.ALL;
        boolean reads = true;
        Path out = null;
        for (int i = 0; i < args.length; i += 2) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--stores" -> stores = List.of(value.split(","));
                case "--seconds" -> seconds = Integer.parseInt(value);
                case "--rounds" -> rounds = Integer.parseInt(value);
                case "--catchup" -> catchUp = Integer.parseInt(value);
                case "--old-events" -> oldEvents = Long.parseLong(value);
                case "--writers" -> writers = Integer.parseInt(value);
                case "--workloads" -> workloads = Workload.parse(value);
                case "--reads" -> reads = Boolean.parseBoolean(value);
                case "--out" -> out = Path.of(value);
                default ->
                    throw new IllegalArgumentException("unknown argument " + args[i]
                            + "; expected --stores sqlite,postgres --seconds N --rounds N --catchup N"
                            + " --old-events N --writers N --workloads 1x1,8x1,32x1,1x10,8x10 --reads true"
                            + " --out file.md");
            }
        }
        Benchmarks benchmarks = new Benchmarks(seconds, rounds, catchUp, oldEvents, workloads, reads);
        for (String store : stores) {
            int poolWriters = writers;
            try (Backend backend =
                    switch (store) {
                        case "sqlite" -> new SqliteBackend();
                        case "postgres" -> new PostgresBackend(poolWriters);
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
        if (backend.fills()) {
            // a young store for each workload: created seconds before it runs
            for (Workload workload : workloads) {
                try (SqlEventStore store = backend.openStore();
                        Connection setup = backend.connection()) {
                    backend.createBaselineTable(setup);
                    appends(backend, store, workload, "young store");
                }
            }
            if (oldEvents > 0) {
                try (SqlEventStore store = backend.openStore();
                        Connection setup = backend.connection()) {
                    backend.createBaselineTable(setup);
                    log(String.format(Locale.ROOT, "filling an old store with %,d events", oldEvents));
                    long begin = System.nanoTime();
                    backend.fill(setup, oldEvents);
                    log(String.format(Locale.ROOT, "filled in %.0f s", (System.nanoTime() - begin) / 1e9));
                    String age = String.format(Locale.ROOT, "old store (%,d events)", oldEvents);
                    for (Workload workload : workloads) {
                        appends(backend, store, workload, age);
                    }
                }
            }
            if (reads) {
                try (SqlEventStore store = backend.openStore()) {
                    readOneStream(backend, store);
                }
            }
        } else {
            try (SqlEventStore store = backend.openStore();
                    Connection setup = backend.connection()) {
                backend.createBaselineTable(setup);
                for (Workload workload : workloads) {
                    appends(backend, store, workload, "");
                }
                if (reads) {
                    readOneStream(backend, store);
                }
            }
        }
        if (reads) {
            catchUp(backend);
        }
    }

    // ---- appends

    /** An append workload: threads appending batches of events to new streams. */
    private record Workload(int threads, int batch) {
        static final List<Workload> ALL = List.of(
                new Workload(1, 1), new Workload(8, 1), new Workload(32, 1), new Workload(1, 10), new Workload(8, 10));

        /** Workloads written as threads x batch, comma-separated: {@code 1x1,8x1,32x1,1x10,8x10}. */
        static List<Workload> parse(String text) {
            List<Workload> parsed = new ArrayList<>();
            for (String each : text.split(",")) {
                String[] parts = each.split("x");
                parsed.add(new Workload(Integer.parseInt(parts[0]), Integer.parseInt(parts[1])));
            }
            return parsed;
        }

        String describe() {
            String writers = threads + " writer" + (threads > 1 ? "s" : "");
            return batch == 1
                    ? "append 1 event to a new stream, " + writers
                    : "append " + batch + "-event batches, " + writers;
        }

        String baseline() {
            return batch == 1
                    ? "one INSERT transaction per event"
                    : "one transaction of " + batch + " INSERTs per batch";
        }
    }

    private void appends(Backend backend, EventStore store, Workload workload, String age) throws Exception {
        List<Connection> connections = new ArrayList<>();
        try {
            int count = backend.singleWriter() ? 1 : workload.threads();
            for (int i = 0; i < count; i++) {
                connections.add(backend.connection());
            }
            ReentrantLock writerLock = new ReentrantLock();
            AtomicLong next = new AtomicLong();
            ThreadLocal<Connection> mine =
                    ThreadLocal.withInitial(() -> connections.get((int) (next.getAndIncrement() % connections.size())));
            int batch = workload.batch();
            Interleaved.Operation factum = () -> {
                List<EventData> events = new ArrayList<>(batch);
                for (int i = 0; i < batch; i++) {
                    events.add(event());
                }
                store.append(newStream(), ExpectedVersion.noStream(), events);
            };
            Interleaved.Operation raw = () -> {
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
            long slice = TimeUnit.SECONDS.toMillis(seconds) / rounds;
            Interleaved.Result[] results =
                    Interleaved.run(workload.threads(), batch, rounds, slice, factum, raw, backend.gauge());
            String what = age.isEmpty() ? workload.describe() : workload.describe() + ", " + age;
            row(backend, what, results[0], results[1], workload.baseline());
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
                insert.setString(5, Backend.DATA);
                insert.setString(6, Backend.METADATA);
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
        try (SqlEventStore store = backend.openStore()) {
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
        return new EventData(UUID.randomUUID(), "ItemAdded", 1, Backend.DATA, Backend.METADATA);
    }

    private static String newStream() {
        return "bench-" + STREAMS.incrementAndGet();
    }

    private static void check(long count, long expected, String what) {
        if (count != expected) {
            throw new IllegalStateException(what + " read " + count + " events, expected " + expected);
        }
    }

    private void row(Backend backend, String what, Interleaved.Result factum, Interleaved.Result raw, String baseline) {
        String line = String.format(
                Locale.ROOT,
                "| %s | %s | %,.0f ev/s | %,.0f ev/s | **%.2fx** | %.2f / %.2f ms | %.2f / %.2f ms | %s | %s | %s |",
                backend.name(),
                what,
                factum.eventsPerSecond(),
                raw.eventsPerSecond(),
                factum.eventsPerSecond() / raw.eventsPerSecond(),
                factum.p50Millis(),
                factum.p99Millis(),
                raw.p50Millis(),
                raw.p99Millis(),
                pair(factum.serverMicrosPerEvent(), raw.serverMicrosPerEvent(), "%.0f"),
                pair(factum.transactionsPerThousandEvents(), raw.transactionsPerThousandEvents(), "%,.0f"),
                baseline);
        rows.add(line);
        log(line);
    }

    private static String pair(OptionalDouble factum, OptionalDouble raw, String format) {
        if (factum.isEmpty() || raw.isEmpty()) {
            return "—";
        }
        return String.format(Locale.ROOT, format + " / " + format, factum.getAsDouble(), raw.getAsDouble());
    }

    private void readRow(Backend backend, String what, long events, long factumNanos, long rawNanos, String baseline) {
        double factumRate = events / (factumNanos / 1e9);
        double rawRate = events / (rawNanos / 1e9);
        String line = String.format(
                Locale.ROOT,
                "| %s | %s | %,.0f ev/s | %,.0f ev/s | **%.2fx** | %.1f ms total | %.1f ms total | — | — | %s |",
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
                "Run on %d cores, Java %s, max heap %d MiB; each append workload: %d s per side in %d"
                        + " alternating slices (Factum, baseline, ...) after one slice of warm-up each.%n%n",
                Runtime.getRuntime().availableProcessors(),
                Runtime.version(),
                Runtime.getRuntime().maxMemory() / (1024 * 1024),
                seconds,
                rounds));
        report.append("| store | workload | Factum | baseline | ratio | Factum p50 / p99 | baseline p50 / p99"
                + " | server CPU µs per event (Factum / baseline) | write transactions per 1,000 events"
                + " (Factum / baseline) | baseline is |\n");
        report.append("|---|---|---|---|---|---|---|---|---|---|\n");
        rows.forEach(row -> report.append(row).append('\n'));
        return report.toString();
    }

    private static void log(String line) {
        PrintStream err = System.err;
        err.println(line);
    }
}
