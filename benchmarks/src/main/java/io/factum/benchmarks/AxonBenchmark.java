package io.factum.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.SqlEventStore;
import io.factum.store.postgres.PostgresEventStore;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.PostgresEventTableFactory;
import org.axonframework.messaging.MetaData;
import org.axonframework.serialization.json.JacksonSerializer;

/**
 * Factum's PostgreSQL store against Axon Framework 4.13's JDBC event storage engine, on the same embedded
 * PostgreSQL (fsync on), with the same JVM and the same events, interleaved: each append workload runs
 * Axon and Factum in alternating slices ({@link Interleaved}); each read runs Axon, Factum, Axon, Factum ...
 * See docs/benchmarks.md for the results and what they mean.
 *
 * <p>Axon's side: {@code JdbcEventStorageEngine} with its defaults (its XStream serializer, batch size,
 * gap detection, its own tables created by {@code createSchema(PostgresEventTableFactory.INSTANCE)},
 * payloads as {@code bytea}) and an honest transaction manager ({@link JdbcTransactions}: a JDBC
 * transaction per unit of work) on a HikariCP pool. With {@code --axon-serializer jackson} it uses Axon's
 * {@code JacksonSerializer} instead, so that its payload is the same 60 bytes of JSON as Factum's data
 * (XStream writes a longer XML document, and reads it back more slowly). Each event carries the same
 * correlation id in its metadata on both sides. Appends are of new aggregates (sequence 0; Factum: {@code
 * noStream}); loads and catch-up turn every event's payload into the same object, on Factum's side with
 * Jackson.
 *
 * <p>Arguments: {@code [--seconds 5] [--rounds 5] [--repetitions 5] [--load 10000] [--catchup 100000]
 * [--writers 2] [--axon-serializer xstream] [--out file.md]}.
 */
public final class AxonBenchmark {

    /** The event of both sides: its JSON is Factum's {@link Backend#DATA}, 60 bytes. */
    public static final class ItemAdded {
        public String orderId;
        public String sku;
        public int quantity;
        public int price;

        /** For the serializers. */
        public ItemAdded() {}

        ItemAdded(String orderId, String sku, int quantity, int price) {
            this.orderId = orderId;
            this.sku = sku;
            this.quantity = quantity;
            this.price = price;
        }
    }

    private static final ItemAdded PAYLOAD = new ItemAdded("order-1", "BOOK-42", 3, 1);
    private static final MetaData METADATA = MetaData.with("correlationId", "c0ffee00-0000-4000-8000-000000000000");
    private static final AtomicLong AGGREGATES = new AtomicLong();

    private final int seconds;
    private final int rounds;
    private final int repetitions;
    private final int loadEvents;
    private final int catchUpEvents;
    private final boolean jackson;
    private final ObjectMapper json = new ObjectMapper();
    private final List<String> rows = new ArrayList<>();
    private PostgresBackend backend;
    private int schemas;

    private AxonBenchmark(
            int seconds, int rounds, int repetitions, int loadEvents, int catchUpEvents, boolean jackson) {
        this.jackson = jackson;
        this.seconds = seconds;
        this.rounds = rounds;
        this.repetitions = repetitions;
        this.loadEvents = loadEvents;
        this.catchUpEvents = catchUpEvents;
    }

    public static void main(String[] args) throws Exception {
        int seconds = 5;
        int rounds = 5;
        int repetitions = 5;
        int load = 10_000;
        int catchUp = 100_000;
        int writers = PostgresEventStore.DEFAULT_WRITERS;
        boolean jackson = false;
        Path out = null;
        for (int i = 0; i < args.length; i += 2) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(value);
                case "--rounds" -> rounds = Integer.parseInt(value);
                case "--repetitions" -> repetitions = Integer.parseInt(value);
                case "--load" -> load = Integer.parseInt(value);
                case "--catchup" -> catchUp = Integer.parseInt(value);
                case "--writers" -> writers = Integer.parseInt(value);
                case "--axon-serializer" ->
                    jackson = switch (value) {
                        case "xstream" -> false;
                        case "jackson" -> true;
                        default ->
                            throw new IllegalArgumentException(
                                    "--axon-serializer takes xstream (Axon's default) or jackson, got " + value);
                    };
                case "--out" -> out = Path.of(value);
                default ->
                    throw new IllegalArgumentException("unknown argument " + args[i] + "; expected --seconds N"
                            + " --rounds N --repetitions N --load N --catchup N --writers N"
                            + " --axon-serializer xstream|jackson --out file.md");
            }
        }
        AxonBenchmark benchmark = new AxonBenchmark(seconds, rounds, repetitions, load, catchUp, jackson);
        try (PostgresBackend backend = new PostgresBackend(writers)) {
            benchmark.backend = backend;
            benchmark.run();
        }
        String report = benchmark.report();
        System.out.println(report);
        if (out != null) {
            Files.writeString(out, report, StandardCharsets.UTF_8);
        }
    }

    /** Axon's engine on tables of its own in a new schema, and the pool under it. */
    private record Axon(JdbcEventStorageEngine engine, HikariDataSource pool) implements AutoCloseable {
        @Override
        public void close() {
            pool.close();
        }
    }

    private Axon openAxon() {
        String schema = "axon" + ++schemas;
        try (var connection = backend.connection();
                var statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA " + schema);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("could not create schema " + schema, e);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(backend.server().getJdbcUrl("postgres", "postgres") + "&currentSchema=" + schema);
        config.setMaximumPoolSize(40);
        config.setPoolName("axon-" + schema);
        HikariDataSource pool = new HikariDataSource(config);
        JdbcTransactions transactions = new JdbcTransactions(pool);
        JdbcEventStorageEngine.Builder builder = JdbcEventStorageEngine.builder()
                .connectionProvider(transactions)
                .transactionManager(transactions);
        if (jackson) {
            JacksonSerializer serializer = JacksonSerializer.defaultSerializer();
            builder.eventSerializer(serializer).snapshotSerializer(serializer);
        }
        JdbcEventStorageEngine engine = builder.build();
        engine.createSchema(PostgresEventTableFactory.INSTANCE);
        return new Axon(engine, pool);
    }

    private void run() throws Exception {
        for (int[] workload : new int[][] {{1, 1}, {8, 1}, {32, 1}, {1, 10}, {8, 10}}) {
            appends(workload[0], workload[1]);
        }
        load();
        catchUp();
    }

    // ---- appends

    private static List<DomainEventMessage<ItemAdded>> axonEvents(String aggregate, int count) {
        List<DomainEventMessage<ItemAdded>> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(new GenericDomainEventMessage<>("ItemAdded", aggregate, i, PAYLOAD, METADATA));
        }
        return events;
    }

    private static List<EventData> factumEvents(int count) {
        List<EventData> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(new EventData(UUID.randomUUID(), "ItemAdded", 1, Backend.DATA, Backend.METADATA));
        }
        return events;
    }

    private static String newAggregate() {
        return "order-" + AGGREGATES.incrementAndGet();
    }

    private void appends(int threads, int batch) throws Exception {
        try (Axon axon = openAxon();
                SqlEventStore factum = backend.openStore()) {
            long slice = TimeUnit.SECONDS.toMillis(seconds) / rounds;
            Interleaved.Result[] results = Interleaved.run(
                    threads,
                    batch,
                    rounds,
                    slice,
                    () -> axon.engine().appendEvents(axonEvents(newAggregate(), batch)),
                    () -> factum.append(newAggregate(), ExpectedVersion.noStream(), factumEvents(batch)),
                    backend.gauge());
            String writers = threads + " writer" + (threads > 1 ? "s" : "");
            String what = batch == 1
                    ? "append 1 event to a new aggregate, " + writers
                    : "append " + batch + "-event batches, " + writers;
            row(what, results[0], results[1]);
        }
    }

    private void row(String what, Interleaved.Result axon, Interleaved.Result factum) {
        String line = String.format(
                Locale.ROOT,
                "| %s | %,.0f ev/s | %,.0f ev/s | **%.2fx** | %.2f / %.2f ms | %.2f / %.2f ms | %s | %s |",
                what,
                axon.eventsPerSecond(),
                factum.eventsPerSecond(),
                factum.eventsPerSecond() / axon.eventsPerSecond(),
                axon.p50Millis(),
                axon.p99Millis(),
                factum.p50Millis(),
                factum.p99Millis(),
                pair(axon.serverMicrosPerEvent(), factum.serverMicrosPerEvent(), "%.0f"),
                pair(axon.transactionsPerThousandEvents(), factum.transactionsPerThousandEvents(), "%,.0f"));
        rows.add(line);
        log(line);
    }

    private static String pair(OptionalDouble axon, OptionalDouble factum, String format) {
        if (axon.isEmpty() || factum.isEmpty()) {
            return "—";
        }
        return String.format(Locale.ROOT, format + " / " + format, axon.getAsDouble(), factum.getAsDouble());
    }

    // ---- reads

    @FunctionalInterface
    private interface Read {
        long run() throws Exception;
    }

    /** Runs Axon's and Factum's read alternately, once each to warm up, then the repetitions; medians. */
    private void reads(String what, long events, Read axon, Read factum) throws Exception {
        check(axon.run(), events, "Axon " + what);
        check(factum.run(), events, "Factum " + what);
        long[] axonNanos = new long[repetitions];
        long[] factumNanos = new long[repetitions];
        for (int r = 0; r < repetitions; r++) {
            long begin = System.nanoTime();
            check(axon.run(), events, "Axon " + what);
            axonNanos[r] = System.nanoTime() - begin;
            begin = System.nanoTime();
            check(factum.run(), events, "Factum " + what);
            factumNanos[r] = System.nanoTime() - begin;
        }
        Arrays.sort(axonNanos);
        Arrays.sort(factumNanos);
        double axonMillis = axonNanos[repetitions / 2] / 1e6;
        double factumMillis = factumNanos[repetitions / 2] / 1e6;
        String line = String.format(
                Locale.ROOT,
                "| %s | %,.0f ev/s | %,.0f ev/s | **%.2fx** | %.1f ms (median of %d) | %.1f ms (median of %d) | — | — |",
                what,
                events / (axonMillis / 1e3),
                events / (factumMillis / 1e3),
                axonMillis / factumMillis,
                axonMillis,
                repetitions,
                factumMillis,
                repetitions);
        rows.add(line);
        log(line);
    }

    private void load() throws Exception {
        try (Axon axon = openAxon();
                SqlEventStore factum = backend.openStore()) {
            String aggregate = "order-load";
            List<DomainEventMessage<ItemAdded>> all = axonEvents(aggregate, loadEvents);
            for (int from = 0; from < loadEvents; from += 1000) {
                axon.engine().appendEvents(all.subList(from, Math.min(loadEvents, from + 1000)));
                factum.append(aggregate, ExpectedVersion.any(), factumEvents(Math.min(1000, loadEvents - from)));
            }
            reads(
                    String.format(Locale.ROOT, "load a %,d-event aggregate", loadEvents),
                    loadEvents,
                    () -> {
                        long count = 0;
                        DomainEventStream stream = axon.engine().readEvents(aggregate);
                        while (stream.hasNext()) {
                            count += stream.next().getPayload() == null ? 0 : 1;
                        }
                        return count;
                    },
                    () -> {
                        try (Stream<RecordedEvent> stream = factum.streamEvents(aggregate)) {
                            return parse(stream);
                        }
                    });
        }
    }

    private void catchUp() throws Exception {
        try (Axon axon = openAxon();
                SqlEventStore factum = backend.openStore()) {
            log(String.format(Locale.ROOT, "loading %,d events on each side for the catch-up", catchUpEvents));
            for (int from = 0; from < catchUpEvents; from += 100) {
                int count = Math.min(100, catchUpEvents - from);
                String aggregate = newAggregate();
                axon.engine().appendEvents(axonEvents(aggregate, count));
                factum.append(aggregate, ExpectedVersion.noStream(), factumEvents(count));
            }
            reads(
                    String.format(Locale.ROOT, "catch-up of %,d events from the start", catchUpEvents),
                    catchUpEvents,
                    () -> {
                        try (Stream<? extends TrackedEventMessage<?>> stream =
                                axon.engine().readEvents(null, false)) {
                            long count = 0;
                            Iterator<? extends TrackedEventMessage<?>> events = stream.iterator();
                            while (events.hasNext()) {
                                count += events.next().getPayload() == null ? 0 : 1;
                            }
                            return count;
                        }
                    },
                    () -> {
                        try (Stream<RecordedEvent> stream = factum.streamAll(Position.START, EventFilter.all())) {
                            return parse(stream);
                        }
                    });
        }
    }

    /** Turns every event's data into the record, as Axon's serializer does with its payload. */
    private long parse(Stream<RecordedEvent> events) {
        long count = 0;
        Iterator<RecordedEvent> each = events.iterator();
        try {
            while (each.hasNext()) {
                count += json.readValue(each.next().data(), ItemAdded.class) == null ? 0 : 1;
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("an event's data is not an ItemAdded: " + e.getMessage(), e);
        }
        return count;
    }

    private static void check(long count, long expected, String what) {
        if (count != expected) {
            throw new IllegalStateException(what + " read " + count + " events, expected " + expected);
        }
    }

    private String report() {
        StringBuilder report = new StringBuilder();
        report.append(String.format(
                Locale.ROOT,
                "Run on %d cores, Java %s, max heap %d MiB; Axon's serializer: %s; appends: %d s per side in %d"
                        + " alternating slices (Axon, Factum, ...) after one slice of warm-up each; reads: %d"
                        + " repetitions, Axon then Factum, after one of each to warm up.%n%n",
                Runtime.getRuntime().availableProcessors(),
                Runtime.version(),
                Runtime.getRuntime().maxMemory() / (1024 * 1024),
                jackson ? "Jackson (60-byte JSON payloads)" : "XStream (its default)",
                seconds,
                rounds,
                repetitions));
        report.append("| workload | Axon 4.13 JDBC | Factum | Factum / Axon | Axon p50 / p99 | Factum p50 / p99"
                + " | server CPU µs per event (Axon / Factum) | write transactions per 1,000 events"
                + " (Axon / Factum) |\n");
        report.append("|---|---|---|---|---|---|---|---|\n");
        rows.forEach(row -> report.append(row).append('\n'));
        return report.toString();
    }

    private static void log(String line) {
        PrintStream err = System.err;
        err.println(line);
    }
}
