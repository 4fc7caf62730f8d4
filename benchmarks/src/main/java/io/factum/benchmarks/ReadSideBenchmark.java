package io.factum.benchmarks;

import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.SqlEventStore;
import io.factum.core.subscription.ProjectionContext;
import io.factum.core.subscription.ProjectionSubscription;
import io.factum.core.subscription.SqlCheckpointStore;
import io.factum.core.subscription.SqlProjection;
import io.factum.core.subscription.Subscription;
import io.factum.core.subscription.SubscriptionState;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The read-side benchmark: a SQL projection catching up over the log, in two variants (one statement per
 * event in {@link SqlProjection#apply}; one JDBC batch per page in {@link SqlProjection#applyAll}), against
 * the raw speed of its two halves in the same run (reading the log through the store, applying the same
 * upserts with plain JDBC in batches of the same size), and the latency from an append to a live
 * subscriber. See docs/benchmarks.md.
 *
 * <p>Arguments: {@code [--stores sqlite,postgres] [--events 1000000] [--batch 500] [--latency 2000]
 * [--out file.md]}.
 */
public final class ReadSideBenchmark {

    private static final int STREAMS = 1_000;
    private static final int EVENTS_PER_APPEND = 100;
    private static final String METADATA = "{\"correlationId\":\"c0ffee00-0000-4000-8000-000000000000\"}";

    private final int events;
    private final int batchSize;
    private final int latencyAppends;
    private final List<String> throughputRows = new ArrayList<>();
    private long expectedTotal;
    private final List<String> latencyRows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    private ReadSideBenchmark(int events, int batchSize, int latencyAppends) {
        this.events = events;
        this.batchSize = batchSize;
        this.latencyAppends = latencyAppends;
    }

    public static void main(String[] args) throws Exception {
        List<String> stores = List.of("sqlite", "postgres");
        int events = 1_000_000;
        int batch = 500;
        int latency = 2_000;
        Path out = null;
        for (int i = 0; i < args.length; i += 2) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--stores" -> stores = List.of(value.split(","));
                case "--events" -> events = Integer.parseInt(value);
                case "--batch" -> batch = Integer.parseInt(value);
                case "--latency" -> latency = Integer.parseInt(value);
                case "--out" -> out = Path.of(value);
                default ->
                    throw new IllegalArgumentException("unknown argument " + args[i] + "; expected --stores"
                            + " sqlite,postgres --events N --batch N --latency N --out file.md");
            }
        }
        if (events % (STREAMS * EVENTS_PER_APPEND) != 0) {
            throw new IllegalArgumentException(
                    "--events must be a multiple of " + STREAMS * EVENTS_PER_APPEND + ", got " + events);
        }
        ReadSideBenchmark benchmark = new ReadSideBenchmark(events, batch, latency);
        for (String store : stores) {
            try (Backend backend = Backend.of(store)) {
                benchmark.run(backend);
            }
        }
        String report = benchmark.report();
        System.out.println(report);
        if (out != null) {
            Files.writeString(out, report, StandardCharsets.UTF_8);
        }
    }

    private void run(Backend backend) throws Exception {
        log("== " + backend.name());
        try (SqlEventStore store = backend.openStore()) {
            catchUp(backend, store);
        }
        try (SqlEventStore store = backend.openStore()) {
            latency(backend, store);
        }
    }

    // ---- catch-up

    private void catchUp(Backend backend, SqlEventStore store) throws Exception {
        log(String.format(
                Locale.ROOT,
                "loading %,d events (%d per append over %,d streams)",
                events,
                EVENTS_PER_APPEND,
                STREAMS));
        long loadBegin = System.nanoTime();
        load(store, events);
        log(String.format(Locale.ROOT, "loaded in %.1f s", (System.nanoTime() - loadBegin) / 1e9));
        Position head = store.headPosition();

        // baseline 1: read the log through the store; the better of two reads (the first warms the JIT)
        long readNanos = Long.MAX_VALUE;
        for (int round = 0; round < 2; round++) {
            long readBegin = System.nanoTime();
            long read = 0;
            long total = 0;
            try (Stream<RecordedEvent> all = store.streamAll(Position.START, EventFilter.all())) {
                for (RecordedEvent event : (Iterable<RecordedEvent>) all::iterator) {
                    total += OrderSummary.amount(event);
                    read++;
                }
            }
            long nanos = System.nanoTime() - readBegin;
            readNanos = Math.min(readNanos, nanos);
            check(read, events, "the read of the log");
            expectedTotal = total;
            log(String.format(Locale.ROOT, "read %,d events (amounts %,d) in %.1f s", read, total, nanos / 1e9));
        }

        // baseline 2: the same upserts with plain JDBC, in batches of the same size, one transaction each
        // with a checkpoint row moved in it (what the runtime commits per batch), from events in memory
        List<String> ids = new ArrayList<>(events);
        long[] amounts = new long[events];
        try (Stream<RecordedEvent> all = store.streamAll(Position.START, EventFilter.all())) {
            all.forEach(event -> {
                amounts[ids.size()] = OrderSummary.amount(event);
                ids.add(event.streamId());
            });
        }
        long upsertNanos;
        long singleNanos;
        try (Connection connection = backend.connection()) {
            upsertNanos = rawUpserts(connection, ids, amounts, true);
            checkReadModel(connection, "bench_order_summary", "the raw upserts");
            singleNanos = rawUpserts(connection, ids, amounts, false);
            checkReadModel(connection, "bench_order_summary", "the raw upserts one by one");
        }
        ids.clear();
        log(String.format(Locale.ROOT, "raw upserts in %.1f s", upsertNanos / 1e9));

        // the projection, two variants, each from the start of the log into tables and a checkpoint of its own
        SqlCheckpointStore checkpoints = store.checkpoints();
        OrderSummary perEvent = new OrderSummary("order_summary");
        long projectionNanos = project(checkpoints, store, perEvent, head);
        BatchedOrderSummary batched = new BatchedOrderSummary("order_summary_batched");
        long batchedNanos = project(checkpoints, store, batched, head);
        // the batched row must measure applyAll: an apply here means a batch of one or a fallback after a throw
        String through = String.format(
                Locale.ROOT,
                "%s, applyAll projection: %,d events through applyAll in %,d calls, %,d through apply.",
                backend.name(),
                batched.batchedEvents.get(),
                batched.batches.get(),
                batched.applied.get());
        notes.add(through);
        log(through);

        double projectionRate = events / (projectionNanos / 1e9);
        double batchedRate = events / (batchedNanos / 1e9);
        double readRate = events / (readNanos / 1e9);
        double upsertRate = events / (upsertNanos / 1e9);
        double bothRate = events / ((readNanos + upsertNanos) / 1e9);
        double singleRate = events / (singleNanos / 1e9);
        double bothSingleRate = events / ((readNanos + singleNanos) / 1e9);
        throughputRow(
                backend,
                "SQL projection, apply: one statement per event",
                projectionRate,
                projectionNanos,
                projectionRate,
                batchedRate);
        throughputRow(
                backend,
                "SQL projection, applyAll: one JDBC batch per page",
                batchedRate,
                batchedNanos,
                projectionRate,
                batchedRate);
        throughputRow(backend, "raw read: store.streamAll counting", readRate, readNanos, projectionRate, batchedRate);
        throughputRow(
                backend,
                "raw upserts: plain JDBC batches of " + batchSize + ", one transaction each",
                upsertRate,
                upsertNanos,
                projectionRate,
                batchedRate);
        throughputRow(
                backend,
                "raw read + raw upserts, one after the other",
                bothRate,
                readNanos + upsertNanos,
                projectionRate,
                batchedRate);
        throughputRow(
                backend,
                "raw upserts one statement per event, one transaction per " + batchSize,
                singleRate,
                singleNanos,
                projectionRate,
                batchedRate);
        throughputRow(
                backend,
                "raw read + raw upserts one per event, one after the other",
                bothSingleRate,
                readNanos + singleNanos,
                projectionRate,
                batchedRate);
    }

    /** Runs {@code projection} from the start of the log to {@code head}, checks its read model, returns the time. */
    private long project(SqlCheckpointStore checkpoints, EventStore store, OrderSummary projection, Position head)
            throws Exception {
        long begin = System.nanoTime();
        long nanos;
        try (ProjectionSubscription subscription = Subscription.sqlProjection(store, checkpoints, projection)
                .batchSize(batchSize)
                .start()) {
            if (!subscription.awaitPosition(head, Duration.ofMinutes(30))) {
                throw new IllegalStateException(
                        "the projection " + projection.name() + " did not catch up: " + subscription.status());
            }
            nanos = System.nanoTime() - begin;
            String table = subscription.active().table(projection.name());
            checkpoints.query(connection -> {
                checkReadModel(connection, table, "the projection " + projection.name());
                return null;
            });
        }
        log(String.format(Locale.ROOT, "projection %s in %.1f s", projection.name(), nanos / 1e9));
        return nanos;
    }

    /**
     * Appends {@code events} order-summary events, {@value #EVENTS_PER_APPEND} per append over {@value
     * #STREAMS} streams, from 4 threads that each own a quarter of the streams.
     */
    static void load(EventStore store, int events) throws Exception {
        int threads = 4;
        int appends = events / EVENTS_PER_APPEND;
        ExecutorService loaders = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> loads = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                // each thread owns the streams congruent to it, so appends of two threads never race on one
                loads.add(loaders.submit(() -> {
                    for (int a = thread; a < appends; a += threads) {
                        String stream = "order-" + (a % STREAMS);
                        List<EventData> batch = new ArrayList<>(EVENTS_PER_APPEND);
                        for (int e = 0; e < EVENTS_PER_APPEND; e++) {
                            batch.add(OrderSummary.event(UUID.randomUUID(), 100 + (a + e) % 900));
                        }
                        store.append(stream, ExpectedVersion.any(), batch);
                    }
                    return null;
                }));
            }
            for (Future<?> load : loads) {
                load.get();
            }
        } finally {
            loaders.shutdownNow();
        }
    }

    private long rawUpserts(Connection connection, List<String> ids, long[] amounts, boolean jdbcBatch)
            throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS bench_order_summary");
            statement.execute("DROP TABLE IF EXISTS bench_checkpoint");
            statement.execute(OrderSummary.createSql("bench_order_summary"));
            statement.execute("CREATE TABLE bench_checkpoint (name TEXT PRIMARY KEY, position BIGINT NOT NULL)");
            statement.execute("INSERT INTO bench_checkpoint VALUES ('raw', 0)");
        }
        long begin = System.nanoTime();
        connection.setAutoCommit(false);
        try (PreparedStatement upsert = connection.prepareStatement(OrderSummary.upsertSql("bench_order_summary"));
                PreparedStatement checkpoint = connection.prepareStatement(
                        "UPDATE bench_checkpoint SET position = ? WHERE name = 'raw' AND position = ?")) {
            long at = 0;
            for (int i = 0; i < ids.size(); i++) {
                if (jdbcBatch) {
                    upsert.setString(1, ids.get(i));
                    upsert.setLong(2, amounts[i]);
                    upsert.addBatch();
                } else {
                    // what the per-event SqlProjection.apply does: a statement and a round trip per event
                    try (PreparedStatement each =
                            connection.prepareStatement(OrderSummary.upsertSql("bench_order_summary"))) {
                        each.setString(1, ids.get(i));
                        each.setLong(2, amounts[i]);
                        each.executeUpdate();
                    }
                }
                if ((i + 1) % batchSize == 0 || i + 1 == ids.size()) {
                    if (jdbcBatch) {
                        upsert.executeBatch();
                    }
                    checkpoint.setLong(1, i + 1);
                    checkpoint.setLong(2, at);
                    if (checkpoint.executeUpdate() != 1) {
                        throw new IllegalStateException("the raw checkpoint was not at " + at);
                    }
                    at = i + 1;
                    connection.commit();
                }
            }
        } finally {
            connection.setAutoCommit(true);
        }
        return System.nanoTime() - begin;
    }

    private void checkReadModel(Connection connection, String table, String what) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT count(*), sum(count), sum(total) FROM " + table)) {
            rows.next();
            check(rows.getLong(1), STREAMS, what + ": rows of " + table);
            check(rows.getLong(2), events, what + ": events counted in " + table);
            check(rows.getLong(3), expectedTotal, what + ": sum of the totals in " + table);
        }
    }

    // ---- latency

    private void latency(Backend backend, SqlEventStore store) throws Exception {
        Map<UUID, Long> appendedAt = new ConcurrentHashMap<>();
        Latencies delivered = new Latencies();
        Latencies appended = new Latencies();
        AtomicInteger seen = new AtomicInteger();
        Object lock = new Object();
        SqlCheckpointStore checkpoints = store.checkpoints();
        try (Subscription live = Subscription.handler("latency", store, checkpoints, event -> {
                    long now = System.nanoTime();
                    Long begin = appendedAt.remove(event.eventId());
                    if (begin != null) {
                        synchronized (lock) {
                            delivered.add(now - begin);
                        }
                    }
                    seen.incrementAndGet();
                })
                .start()) {
            // warm-up: a few hundred appends whose latencies are not kept
            int warmUp = Math.min(200, latencyAppends);
            for (int i = 0; i < warmUp; i++) {
                store.append("warmup-" + (i % 10), ExpectedVersion.any(), OrderSummary.event(UUID.randomUUID(), 1));
            }
            awaitSeen(seen, warmUp);
            if (live.status().state() != SubscriptionState.LIVE) {
                log("the subscription is " + live.status().state() + " after the warm-up");
            }
            for (int i = 0; i < latencyAppends; i++) {
                UUID id = UUID.randomUUID();
                long begin = System.nanoTime();
                appendedAt.put(id, begin);
                store.append("order-" + (i % 100), ExpectedVersion.any(), OrderSummary.event(id, 100 + i % 900));
                appended.add(System.nanoTime() - begin);
                Thread.sleep(3);
            }
            awaitSeen(seen, warmUp + latencyAppends);
        }
        Latencies deliveredSorted = Latencies.merge(List.of(delivered));
        Latencies appendedSorted = Latencies.merge(List.of(appended));
        check(deliveredSorted.size(), latencyAppends, "the live subscriber");
        latencyRow(backend, "append → live Subscription.handler", deliveredSorted);
        latencyRow(backend, "the append call itself (baseline)", appendedSorted);
    }

    private static void awaitSeen(AtomicInteger seen, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (seen.get() < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the subscriber saw " + seen.get() + " events, expected " + count);
            }
            Thread.sleep(1);
        }
    }

    // ---- report

    private static void check(long count, long expected, String what) {
        if (count != expected) {
            throw new IllegalStateException(what + ": " + count + ", expected " + expected);
        }
    }

    private void throughputRow(
            Backend backend, String what, double rate, long nanos, double projectionRate, double batchedRate) {
        String line = String.format(
                Locale.ROOT,
                "| %s | %s | %,.0f ev/s | %.1f s | %s | %s |",
                backend.name(),
                what,
                rate,
                nanos / 1e9,
                ratio(projectionRate, rate),
                ratio(batchedRate, rate));
        throughputRows.add(line);
        log(line);
    }

    private static String ratio(double projectionRate, double rate) {
        return projectionRate == rate ? "—" : String.format(Locale.ROOT, "**%.2fx**", projectionRate / rate);
    }

    private void latencyRow(Backend backend, String what, Latencies sorted) {
        String line = String.format(
                Locale.ROOT,
                "| %s | %s | %,d | %.2f ms | %.2f ms | %.2f ms |",
                backend.name(),
                what,
                sorted.size(),
                sorted.percentileMillis(50),
                sorted.percentileMillis(99),
                sorted.percentileMillis(100));
        latencyRows.add(line);
        log(line);
    }

    private String report() {
        StringBuilder report = new StringBuilder();
        report.append(String.format(
                Locale.ROOT,
                "Run on %d cores, Java %s, max heap %d MiB; %,d events over %,d streams, batches of %d;"
                        + " %,d appends for the latency, 3 ms apart.%n%n",
                Runtime.getRuntime().availableProcessors(),
                Runtime.version(),
                Runtime.getRuntime().maxMemory() / (1024 * 1024),
                events,
                STREAMS,
                batchSize,
                latencyAppends));
        report.append("| store | catch-up of the log into the order summary | rate | time"
                + " | apply projection / this | applyAll projection / this |\n");
        report.append("|---|---|---|---|---|---|\n");
        throughputRows.forEach(row -> report.append(row).append('\n'));
        report.append('\n');
        notes.forEach(note -> report.append(note).append('\n'));
        report.append('\n');
        report.append("| store | latency | appends | p50 | p99 | max |\n");
        report.append("|---|---|---|---|---|---|\n");
        latencyRows.forEach(row -> report.append(row).append('\n'));
        return report.toString();
    }

    private static void log(String line) {
        PrintStream err = System.err;
        err.println(line);
    }

    /**
     * The read model: one row per order stream with its event count and the sum of its amounts, kept by
     * one upsert per event (a prepared statement per event in {@link SqlProjection#apply}; the default
     * {@link SqlProjection#applyAll} calls it for each event of a batch). Its name is also its table's.
     */
    static class OrderSummary implements SqlProjection {

        private final String name;

        OrderSummary(String name) {
            this.name = name;
        }

        static EventData event(UUID id, long amount) {
            return new EventData(
                    id,
                    "ItemAdded",
                    1,
                    "{\"sku\":\"BOOK-42\",\"quantity\":1,\"amount\":" + amount + ",\"currency\":\"EUR\"}",
                    METADATA);
        }

        /** The amount in the event's data, found without a JSON library so both sides pay the same. */
        static long amount(RecordedEvent event) {
            String data = event.data();
            int at = data.indexOf("\"amount\":") + 9;
            while (at < data.length() && data.charAt(at) == ' ') {
                at++; // PostgreSQL's jsonb prints a space after the colon
            }
            long value = 0;
            while (at < data.length() && Character.isDigit(data.charAt(at))) {
                value = value * 10 + (data.charAt(at++) - '0');
            }
            return value;
        }

        static String createSql(String table) {
            return "CREATE TABLE IF NOT EXISTS " + table
                    + " (id TEXT PRIMARY KEY, count BIGINT NOT NULL, total BIGINT NOT NULL)";
        }

        static String upsertSql(String table) {
            return "INSERT INTO " + table + " (id, count, total) VALUES (?, 1, ?)"
                    + " ON CONFLICT (id) DO UPDATE SET count = " + table + ".count + 1, total = " + table
                    + ".total + excluded.total";
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void create(Connection connection, ProjectionContext context) throws SQLException {
            try (Statement statement = connection.createStatement()) {
                statement.execute(createSql(context.table(name)));
            }
        }

        @Override
        public void apply(Connection connection, ProjectionContext context, RecordedEvent event) throws SQLException {
            try (PreparedStatement upsert = connection.prepareStatement(upsertSql(context.table(name)))) {
                upsert.setString(1, event.streamId());
                upsert.setLong(2, amount(event));
                upsert.executeUpdate();
            }
        }

        @Override
        public void drop(Connection connection, ProjectionContext context) throws SQLException {
            try (Statement statement = connection.createStatement()) {
                statement.execute("DROP TABLE IF EXISTS " + context.table(name));
            }
        }
    }

    /**
     * The same read model and upsert, with {@link SqlProjection#applyAll} overridden: one prepared
     * statement per batch, {@code addBatch} per event, one {@code executeBatch}. It counts what went
     * through which method, so a fallback to {@link SqlProjection#apply} does not go unseen.
     */
    static final class BatchedOrderSummary extends OrderSummary {

        final AtomicLong batches = new AtomicLong();
        final AtomicLong batchedEvents = new AtomicLong();
        final AtomicLong applied = new AtomicLong();

        BatchedOrderSummary(String name) {
            super(name);
        }

        @Override
        public void applyAll(Connection connection, ProjectionContext context, List<RecordedEvent> events)
                throws SQLException {
            try (PreparedStatement upsert = connection.prepareStatement(upsertSql(context.table(name())))) {
                for (RecordedEvent event : events) {
                    upsert.setString(1, event.streamId());
                    upsert.setLong(2, amount(event));
                    upsert.addBatch();
                }
                upsert.executeBatch();
            }
            batches.incrementAndGet();
            batchedEvents.addAndGet(events.size());
        }

        @Override
        public void apply(Connection connection, ProjectionContext context, RecordedEvent event) throws SQLException {
            super.apply(connection, context, event);
            applied.incrementAndGet();
        }
    }
}
