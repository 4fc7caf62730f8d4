package io.factum.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.AppendResult;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StreamSlice;
import io.factum.core.WrongExpectedVersionException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The append path and the reads touch the store's tables only through their indexes, whatever the
 * statistics say, and the append path plans a statement once per connection.
 *
 * <p>The hazard: PostgreSQL caches a generic plan for a prepared statement, made from the statistics of the
 * moment. Statistics taken while a table had a few rows (autovacuum analyzes a new store's tables after
 * 50 changes) make a sequential scan the cheapest plan, and the cached plan keeps scanning while the table
 * grows. The store's connections here are forced onto generic plans ({@code plan_cache_mode}), and the
 * tables are analyzed while nearly empty: the worst case, reached without waiting for the planner's
 * heuristics. A control query shows that these statistics do lead a plain lookup by key to a
 * sequential scan.
 */
class PostgresPlanStabilityTest {

    private static final int WRITERS = 32;

    /** Connection options that make every prepared statement run on a generic plan from its first run. */
    private static final String GENERIC_PLANS = "&options=-c%20plan_cache_mode%3Dforce_generic_plan";

    private final List<EventStore> opened = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void close() {
        threads.shutdownNow();
        opened.forEach(EventStore::close);
    }

    /** Sequential and index scans of one table, as the statistics collector counts them. */
    private record Scans(long sequential, long rowsReadSequentially, long index) {}

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(EmbeddedServer.jdbcUrl());
    }

    private static void execute(String sql) throws SQLException {
        try (Connection connection = connect();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static Scans scans(String schema, String table) throws SQLException {
        try (Connection connection = connect();
                Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_stat_clear_snapshot()");
            try (ResultSet rs = statement.executeQuery(
                    "SELECT seq_scan, seq_tup_read, coalesce(idx_scan, 0) FROM pg_stat_user_tables"
                            + " WHERE schemaname = '" + schema + "' AND relname = '" + table + "'")) {
                rs.next();
                return new Scans(rs.getLong(1), rs.getLong(2), rs.getLong(3));
            }
        }
    }

    /** Waits until the statistics collector has counted the index scans of closed backends. */
    private static Scans settledScans(String schema, String table, long indexScansAtLeast) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Scans scans = scans(schema, table);
        while (scans.index() < indexScansAtLeast && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(100);
            scans = scans(schema, table);
        }
        return scans;
    }

    /** A store whose every statement runs on a generic plan, as a prepared statement does after five runs. */
    private PgEventStore openWithGenericPlans(String schema) {
        PgEventStore store = PostgresEventStore.builder()
                .jdbcUrl(EmbeddedServer.jdbcUrl() + GENERIC_PLANS)
                .schema(schema)
                .maxPoolSize(8)
                .openStore();
        opened.add(store);
        return store;
    }

    private static List<EventData> events(int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> EventData.of(UUID.randomUUID(), "Counted", "{\"n\":" + i + "}"))
                .toList();
    }

    /** Analyzes the store's tables while they hold a few rows and keeps autovacuum off them. */
    private static void youngStatistics(String schema) throws SQLException {
        for (String table : List.of("factum_streams", "factum_events")) {
            execute("ALTER TABLE " + schema + "." + table + " SET (autovacuum_enabled = false)");
            execute("ANALYZE " + schema + "." + table);
        }
    }

    /** Loads streams of one event each by SQL behind the statistics' back, as a store that grew fast would. */
    private static void load(String schema, int rows) throws SQLException {
        execute("INSERT INTO " + schema + ".factum_streams (id, category, last_version)"
                + " SELECT 'loaded-' || g, 'loaded', 0 FROM generate_series(1, " + rows + ") g");
        execute("INSERT INTO " + schema + ".factum_events (stream_id, stream_version, category, bucket, event_id,"
                + " type, schema_version, data, metadata, recorded_at) SELECT 'loaded-' || g, 0, 'loaded', 0,"
                + " gen_random_uuid(), 'Loaded', 1, '{}', '{}', now() FROM generate_series(1, " + rows + ") g");
    }

    /**
     * The control: a lookup of a stream by id, prepared on a session with generic plans like the store's
     * connections. Its plan is made on its first run and kept; returns the plan's first line.
     */
    private static String planOf(Statement session) throws SQLException {
        try (ResultSet rs = session.executeQuery("EXPLAIN EXECUTE lookup('order-0-0')")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * 32 writers, each with streams of its own: creates them ({@code noStream}), appends to them by exact
     * version, by {@code streamExists} and by {@code any}, retries an append with the same event ids (the
     * original result comes back) and sends one with a wrong expected version (refused). Group commit puts
     * many of these into one transaction. Returns the number of events written.
     */
    private int appendFromManyWriters(PgEventStore store, String prefix) throws Exception {
        int streamsEach = 3;
        int rounds = 6;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> done = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            done.add(threads.submit(() -> {
                start.await();
                int written = 0;
                for (int s = 0; s < streamsEach; s++) {
                    String stream = prefix + "-" + writer + "-" + s;
                    assertThat(store.append(stream, ExpectedVersion.noStream(), events(2))
                                    .streamVersion())
                            .isEqualTo(1);
                    written += 2;
                }
                for (int round = 0; round < rounds; round++) {
                    for (int s = 0; s < streamsEach; s++) {
                        String stream = prefix + "-" + writer + "-" + s;
                        long last = 1 + 3L * round;
                        List<EventData> next = events(1);
                        AppendResult exact = store.append(stream, ExpectedVersion.exactly(last), next);
                        assertThat(exact.streamVersion()).isEqualTo(last + 1);
                        assertThat(store.append(stream, ExpectedVersion.exactly(last), next))
                                .as("a retry with the same event ids returns the original result")
                                .isEqualTo(exact);
                        assertThat(store.append(stream, ExpectedVersion.streamExists(), events(1))
                                        .streamVersion())
                                .isEqualTo(last + 2);
                        assertThat(store.append(stream, ExpectedVersion.any(), events(1))
                                        .streamVersion())
                                .isEqualTo(last + 3);
                        assertThatThrownBy(() -> store.append(stream, ExpectedVersion.exactly(last), events(1)))
                                .isInstanceOf(WrongExpectedVersionException.class);
                        written += 3;
                    }
                }
                return written;
            }));
        }
        start.countDown();
        int written = 0;
        for (Future<Integer> each : done) {
            written += each.get(120, TimeUnit.SECONDS);
        }
        return written;
    }

    /**
     * Reads what {@link #appendFromManyWriters} wrote, on several pooled connections at once: each stream
     * forward and backward, the global log whole and filtered by category and by type, and the head.
     */
    private void readFromManyReaders(PgEventStore store, String prefix, int written) throws Exception {
        List<Future<Long>> reads = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
            int reader = r;
            reads.add(threads.submit(() -> {
                long events = 0;
                for (int w = reader; w < WRITERS; w += 4) {
                    for (int s = 0; s < 3; s++) {
                        String stream = prefix + "-" + w + "-" + s;
                        events += store.readStream(stream, ReadDirection.FORWARD, 0, 100)
                                .events()
                                .size();
                        assertThat(store.readStream(stream, ReadDirection.BACKWARD, StreamSlice.END, 1)
                                        .events())
                                .hasSize(1);
                    }
                }
                return events;
            }));
        }
        long events = 0;
        for (Future<Long> read : reads) {
            events += read.get(60, TimeUnit.SECONDS);
        }
        assertThat(events).isEqualTo(written);
        try (Stream<RecordedEvent> log = store.streamAll(Position.START, EventFilter.categories(prefix))) {
            assertThat(log.count()).isEqualTo(written);
        }
        try (Stream<RecordedEvent> log = store.streamAll(Position.START, EventFilter.eventTypes("Counted"))) {
            assertThat(log.count()).isGreaterThanOrEqualTo(written);
        }
        assertThat(store.awaitAppend(Position.START, Duration.ofSeconds(1))).isTrue();
        assertThat(store.headPosition()).isNotEqualTo(Position.START);
    }

    /**
     * Plans are made while the tables are small (every statement of the store runs from many writers and
     * readers after the tables were analyzed nearly empty), then the tables grow by {@code rowsLoaded}
     * rows, then 32 writers append and readers read again: no row of either table is ever read by a
     * sequential scan.
     */
    private void appendsReadTheTablesOnlyThroughTheirIndexes(int rowsLoaded) throws Exception {
        // given
        String schema = EmbeddedServer.newSchema();
        PgEventStore store = openWithGenericPlans(schema);
        store.append("first-1", ExpectedVersion.noStream(), events(1));
        youngStatistics(schema);
        try (Connection control = DriverManager.getConnection(EmbeddedServer.jdbcUrl() + GENERIC_PLANS);
                Statement session = control.createStatement()) {
            session.execute(
                    "PREPARE lookup(text) AS SELECT last_version FROM " + schema + ".factum_streams WHERE id = $1");
            assertThat(planOf(session)).startsWith("Seq Scan on factum_streams");
            int young = appendFromManyWriters(store, "young");
            readFromManyReaders(store, "young", young);
            int written = 1 + young;
            load(schema, rowsLoaded);
            assertThat(planOf(session))
                    .as("the control: a lookup by id planned while the table was small still scans it")
                    .startsWith("Seq Scan on factum_streams");
            long transactionsBefore = store.appendTransactions();
            long appendsBefore = store.appendsCompleted();

            // when
            int order = appendFromManyWriters(store, "order");
            readFromManyReaders(store, "order", order);
            written += order;
            long transactions = store.appendTransactions() - transactionsBefore;
            long appends = store.appendsCompleted() - appendsBefore;
            store.close();

            // then
            Scans streams = settledScans(schema, "factum_streams", 2L * WRITERS);
            Scans events = settledScans(schema, "factum_events", 1);
            assertThat(transactions).as("group commit shared transactions").isLessThan(appends / 2);
            assertThat(streams.index()).isPositive();
            assertThat(events.index()).isPositive();
            // the migration's index builds scanned the empty tables: those read no row
            assertThat(streams.rowsReadSequentially())
                    .as("rows of the streams table read by sequential scans (%s)", streams)
                    .isZero();
            assertThat(events.rowsReadSequentially())
                    .as("rows of the events table read by sequential scans (%s)", events)
                    .isZero();
            try (ResultSet rs = session.executeQuery(
                    "SELECT count(*) FROM " + schema + ".factum_events WHERE category <> 'loaded'")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(written);
            }
        }
    }

    @Nested
    class Every_statement_of_the_append_path {

        private AppendRequest request(String stream, ExpectedVersion expected, int events) {
            return new AppendRequest(stream, expected, events(events));
        }

        /**
         * Lone appends of every kind, with one event and with several, and batches: first of one append,
         * then of up to six (custom plans of short arrays look cheaper than a generic plan, which can make
         * PostgreSQL plan a statement afresh on every run), each 30 times on one connection; then the
         * connection's prepared statements tell how each was planned.
         */
        @Test
        void is_planned_once_on_a_connection_and_not_on_every_run() throws Exception {
            String schema = EmbeddedServer.newSchema();
            openWithGenericPlans(schema).close();
            Appends appends = new Appends(new Tables(java.util.Optional.of(schema), "factum_"));
            Instant now = Instant.parse("2024-05-06T07:08:09Z");
            try (Connection connection = connect()) {
                connection.setAutoCommit(true);
                for (int run = 0; run < 30; run++) {
                    String stream = "order-" + run;
                    appends.runSingle(connection, request(stream, ExpectedVersion.noStream(), 1), now);
                    appends.runSingle(connection, request(stream, ExpectedVersion.exactly(0), 1), now);
                    appends.runSingle(connection, request(stream, ExpectedVersion.streamExists(), 3), now);
                    appends.runSingle(connection, request(stream, ExpectedVersion.any(), 1), now);
                    appends.runSingle(connection, request("many-" + run, ExpectedVersion.noStream(), 3), now);
                    List<AppendRequest> batch = new ArrayList<>();
                    // first batches of one append (short arrays), then of up to six
                    int size = run < 10 ? 1 : 1 + run % 6;
                    for (int a = 0; a < size; a++) {
                        batch.add(request("batch-" + run + "-" + a, ExpectedVersion.noStream(), 1 + a % 2));
                    }
                    assertThat(appends.runBatch(connection, batch, now))
                            .allSatisfy(outcome -> assertThat(outcome.written()).isTrue());
                }
                List<String> plannedOnEveryRun = new ArrayList<>();
                int statements = 0;
                try (Statement statement = connection.createStatement();
                        ResultSet rs = statement.executeQuery("SELECT statement, generic_plans, custom_plans"
                                + " FROM pg_prepared_statements WHERE statement LIKE '%factum_%'")) {
                    while (rs.next()) {
                        statements++;
                        if (rs.getLong(3) > 5) {
                            plannedOnEveryRun.add(rs.getLong(3) + " custom plans: " + rs.getString(1));
                        }
                    }
                }
                assertThat(statements)
                        .as("prepared statements of the append path")
                        .isGreaterThanOrEqualTo(6);
                assertThat(plannedOnEveryRun).isEmpty();
            }
        }
    }

    @Nested
    class A_store_created_seconds_ago {

        @Test
        void appends_and_reads_without_a_sequential_scan_though_its_statistics_say_its_tables_are_tiny()
                throws Exception {
            appendsReadTheTablesOnlyThroughTheirIndexes(0);
        }
    }

    @Nested
    class A_store_that_grew_after_its_statistics_were_taken {

        @Test
        void appends_and_reads_without_a_sequential_scan_of_its_100_000_streams() throws Exception {
            appendsReadTheTablesOnlyThroughTheirIndexes(100_000);
        }
    }
}
