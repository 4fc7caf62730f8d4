package io.factum.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.factum.core.AppendResult;
import io.factum.core.DuplicateEventException;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.InvalidEventException;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StoreException;
import io.factum.core.StoreOptions;
import io.factum.core.StreamState;
import io.factum.core.WrongExpectedVersionException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** Defects found by review: each test failed before its fix. */
class PostgresCorrectnessTest {

    private final List<EventStore> opened = new ArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void close() throws Exception {
        threads.shutdownNow();
        opened.forEach(EventStore::close);
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private PgEventStore open(String schema) {
        PgEventStore store = PostgresStoreFixture.open(EmbeddedServer.jdbcUrl(), schema, StoreOptions.defaults());
        opened.add(store);
        return store;
    }

    private PgEventStore openWithOneWriter(String schema) {
        PgEventStore store = PostgresEventStore.builder()
                .jdbcUrl(EmbeddedServer.jdbcUrl())
                .schema(schema)
                .writers(1)
                .openStore();
        opened.add(store);
        return store;
    }

    private Connection connect() throws SQLException {
        Connection connection = DriverManager.getConnection(EmbeddedServer.jdbcUrl());
        resources.add(connection);
        return connection;
    }

    private static List<EventData> events(int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> EventData.of(UUID.randomUUID(), "Counted", "{\"n\":" + i + "}"))
                .toList();
    }

    /** Holds the row lock of a stream in an open transaction. */
    private Connection lockStream(String schema, String streamId) throws SQLException {
        Connection connection = connect();
        connection.setAutoCommit(false);
        try (PreparedStatement lock =
                connection.prepareStatement("SELECT 1 FROM " + schema + ".factum_streams WHERE id = ? FOR UPDATE")) {
            lock.setString(1, streamId);
            lock.executeQuery().close();
        }
        return connection;
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static List<Long> versionsInLogOrder(PgEventStore store, String streamId) {
        return store.readAll(Position.START, ReadDirection.FORWARD, 10_000, EventFilter.all()).events().stream()
                .filter(e -> e.streamId().equals(streamId))
                .map(RecordedEvent::streamVersion)
                .toList();
    }

    // ------------------------------------------------------------ per-stream order in the global log

    /**
     * A batch transaction takes its id on its first stream (a-1), waits for m-1, and meanwhile another
     * store appends z-1 in a newer transaction. The batch then writes z-1's next version: with its older
     * id it would come before the newer transaction's event in the global log.
     */
    private void aBatchOlderThanItsStreamsLastWriter(List<String> batchStreams) throws Exception {
        String schema = EmbeddedServer.newSchema();
        PgEventStore store = openWithOneWriter(schema);
        PgEventStore other = open(schema);
        for (String stream : List.of("blocker-1", "a-1", "m-1", "z-1")) {
            store.append(stream, ExpectedVersion.noStream(), events(1));
        }
        Connection blocker = lockStream(schema, "blocker-1");
        Future<AppendResult> blocked =
                threads.submit(() -> store.append("blocker-1", ExpectedVersion.any(), events(1)));
        TimeUnit.MILLISECONDS.sleep(200);
        List<Future<AppendResult>> batch = new ArrayList<>();
        for (String stream : batchStreams) {
            batch.add(threads.submit(() -> store.append(stream, ExpectedVersion.any(), events(1))));
            TimeUnit.MILLISECONDS.sleep(20);
        }
        TimeUnit.MILLISECONDS.sleep(200);
        Connection middle = lockStream(schema, "m-1");
        blocker.commit();
        assertThat(blocked.get(10, TimeUnit.SECONDS).streamVersion()).isEqualTo(1);
        TimeUnit.MILLISECONDS.sleep(300); // the batch has locked a-1 and waits for m-1

        AppendResult newer = other.append("z-1", ExpectedVersion.any(), events(1));
        middle.commit();

        assertThat(newer.streamVersion()).isEqualTo(1);
        for (Future<AppendResult> each : batch) {
            each.get(10, TimeUnit.SECONDS);
        }
        assertThat(batch.get(batch.size() - 1).get().streamVersion()).isEqualTo(2);
        assertThat(versionsInLogOrder(store, "z-1")).containsExactly(0L, 1L, 2L);
        assertThat(versionsInLogOrder(store, "m-1")).containsExactly(0L, 1L);
    }

    @Test
    void a_batch_with_a_repeated_stream_older_than_a_streams_last_writer_runs_again_and_keeps_the_order()
            throws Exception {
        aBatchOlderThanItsStreamsLastWriter(List.of("a-1", "a-1", "m-1", "z-1"));
    }

    @Test
    void a_batch_of_distinct_streams_older_than_a_streams_last_writer_keeps_the_order() throws Exception {
        aBatchOlderThanItsStreamsLastWriter(List.of("a-1", "m-1", "z-1"));
    }

    // ------------------------------------------------------------ values the database refuses

    private static EventData refusedByJsonb() {
        // U+0000 as a JSON escape: valid JSON, but jsonb cannot keep it (SQLSTATE 22P05)
        return EventData.of(UUID.randomUUID(), "Bad", "{\"text\":\"a\\u0000b\"}");
    }

    @Test
    void a_value_the_database_refuses_fails_only_its_own_append_of_a_batch_as_invalid() throws Exception {
        String schema = EmbeddedServer.newSchema();
        PgEventStore store = openWithOneWriter(schema);
        store.append("blocker-1", ExpectedVersion.noStream(), events(1));
        Connection blocker = lockStream(schema, "blocker-1");
        Future<AppendResult> blocked =
                threads.submit(() -> store.append("blocker-1", ExpectedVersion.any(), events(1)));
        TimeUnit.MILLISECONDS.sleep(200);
        Future<AppendResult> good1 =
                threads.submit(() -> store.append("order-1", ExpectedVersion.noStream(), events(2)));
        Future<AppendResult> bad = threads.submit(
                () -> store.appendValidated("order-bad", ExpectedVersion.noStream(), List.of(refusedByJsonb())));
        Future<AppendResult> good2 =
                threads.submit(() -> store.append("order-2", ExpectedVersion.noStream(), events(1)));
        TimeUnit.MILLISECONDS.sleep(200);
        blocker.commit();

        blocked.get(10, TimeUnit.SECONDS);
        assertThat(good1.get(10, TimeUnit.SECONDS).streamVersion()).isEqualTo(1);
        assertThat(good2.get(10, TimeUnit.SECONDS).streamVersion()).isZero();
        assertThatThrownBy(() -> bad.get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("stream order-bad")
                .hasMessageContaining("Unicode");
        assertThat(store.streamInfo("order-bad")).isEmpty();
    }

    @Test
    void a_lone_append_with_a_value_the_database_refuses_fails_as_invalid() {
        PgEventStore store = open(EmbeddedServer.newSchema());

        assertThatThrownBy(() -> store.appendValidated("order-1", ExpectedVersion.any(), List.of(refusedByJsonb())))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("stream order-1");
        assertThat(store.append("order-1", ExpectedVersion.noStream(), events(1))
                        .streamVersion())
                .isZero();
    }

    // ------------------------------------------------------------ tombstone racing an append

    @Test
    void tombstoning_a_new_stream_while_an_append_creates_it_is_a_conflict() throws Exception {
        PgEventStore store = open(EmbeddedServer.newSchema());
        PgEventStore.PendingAppend creating = store.holdAppend("order-1", ExpectedVersion.noStream(), events(1));
        Future<?> tombstone = threads.submit(() -> {
            store.tombstoneStream("order-1", ExpectedVersion.noStream());
            return null;
        });
        TimeUnit.MILLISECONDS.sleep(300);

        creating.commit();

        assertThatThrownBy(() -> tombstone.get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(WrongExpectedVersionException.class)
                .hasMessage("stream order-1: expected no stream but it is at version 0");
        assertThat(store.streamInfo("order-1").orElseThrow().state()).isEqualTo(StreamState.ACTIVE);
        assertThat(store.append("order-1", ExpectedVersion.exactly(0), events(1))
                        .streamVersion())
                .isEqualTo(1);
    }

    @Test
    void a_tombstone_of_a_stream_that_never_existed_still_reserves_it() {
        PgEventStore store = open(EmbeddedServer.newSchema());

        store.tombstoneStream("order-1", ExpectedVersion.noStream());

        assertThat(store.streamInfo("order-1").orElseThrow().state()).isEqualTo(StreamState.TOMBSTONED);
    }

    // ------------------------------------------------------------ connections

    @Test
    void a_given_hikari_pool_too_small_for_the_store_is_refused_at_open() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(EmbeddedServer.jdbcUrl());
        config.setMaximumPoolSize(4);
        HikariDataSource pool = new HikariDataSource(config);
        resources.add(pool);

        assertThatThrownBy(() -> PostgresEventStore.builder()
                        .dataSource(pool)
                        .schema(EmbeddedServer.newSchema())
                        .openStore())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 5")
                .hasMessageContaining("maximum pool size of 4");
    }

    @Test
    void a_given_hikari_pool_of_writers_plus_three_is_enough() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(EmbeddedServer.jdbcUrl());
        config.setMaximumPoolSize(4);
        HikariDataSource pool = new HikariDataSource(config);
        resources.add(pool);
        PgEventStore store = PostgresEventStore.builder()
                .dataSource(pool)
                .schema(EmbeddedServer.newSchema())
                .writers(1)
                .openStore();
        opened.add(store);

        assertThat(store.append("order-1", ExpectedVersion.noStream(), events(1))
                        .streamVersion())
                .isZero();
    }

    // ------------------------------------------------------------ appends that wrote nothing

    @Test
    void appends_that_wrote_nothing_neither_count_as_commits_nor_notify() throws Exception {
        String schema = EmbeddedServer.newSchema();
        PgEventStore store = open(schema);
        List<EventData> original = events(1);
        store.append("order-1", ExpectedVersion.noStream(), original);
        Connection listener = connect();
        execute(listener, "LISTEN \"" + schema + ".factum_events\"");
        PGConnection pg = listener.unwrap(PGConnection.class);
        TimeUnit.MILLISECONDS.sleep(300);
        pg.getNotifications(200); // the first append's, if any
        long before = store.appendTransactions();

        assertThatThrownBy(() -> store.append("order-1", ExpectedVersion.noStream(), events(1)))
                .isInstanceOf(WrongExpectedVersionException.class);
        store.append("order-1", ExpectedVersion.noStream(), original); // an idempotent retry
        PGNotification[] none = pg.getNotifications(500);

        assertThat(store.appendTransactions()).isEqualTo(before);
        assertThat(none == null ? 0 : none.length).isZero();

        store.append("order-1", ExpectedVersion.exactly(0), events(1));
        PGNotification[] one = pg.getNotifications(2_000);
        assertThat(store.appendTransactions()).isEqualTo(before + 1);
        assertThat(one).isNotEmpty();
    }

    // ------------------------------------------------------------ schema versions

    @Test
    void a_schema_newer_than_the_code_is_refused_at_open() throws Exception {
        String schema = EmbeddedServer.newSchema();
        open(schema).close();
        execute(
                connect(),
                "INSERT INTO " + schema + ".factum_schema_migrations (version, description) VALUES (99, 'future')");

        assertThatThrownBy(() -> open(schema))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("is at version 99, this Factum knows up to " + Migrations.latest())
                .hasMessageContaining("upgrade Factum");
    }

    @Test
    void a_schema_of_version_1_with_streams_is_migrated_and_its_streams_continue() throws Exception {
        String schema = EmbeddedServer.newSchema();
        PgEventStore first = open(schema);
        first.append("order-1", ExpectedVersion.noStream(), events(2));
        first.close();
        Connection admin = connect();
        execute(admin, "ALTER TABLE " + schema + ".factum_streams DROP COLUMN last_tx");
        // undo migration 3 (the read side) as well
        execute(
                admin,
                "DROP TABLE " + schema + ".factum_parked_events, " + schema + ".factum_projection_versions, " + schema
                        + ".factum_group_members, " + schema + ".factum_leases");
        execute(
                admin,
                "ALTER TABLE " + schema + ".factum_deadlines DROP COLUMN owner, DROP COLUMN correlation_id,"
                        + " DROP COLUMN name, ALTER COLUMN payload TYPE jsonb USING payload::jsonb");
        // and migration 4 (subject keys)
        execute(admin, "DROP TABLE " + schema + ".factum_subject_keys");
        // and migration 5 (the events' primary key) and 6 (tags)
        undoMigration6(admin, schema);
        undoMigration5(admin, schema);
        execute(admin, "DELETE FROM " + schema + ".factum_schema_migrations WHERE version > 1");

        PgEventStore store = open(schema);

        assertThat(store.append("order-1", ExpectedVersion.exactly(1), events(1))
                        .streamVersion())
                .isEqualTo(2);
        assertThat(store.append("order-2", ExpectedVersion.noStream(), events(1))
                        .streamVersion())
                .isZero();
        assertThat(versionsInLogOrder(store, "order-1")).containsExactly(0L, 1L, 2L);
    }

    /** Makes the events table as it was before migration 6: no tags. */
    private static void undoMigration6(Connection admin, String schema) throws SQLException {
        execute(admin, "ALTER TABLE " + schema + ".factum_events DROP COLUMN tags");
    }

    private static void undoMigration5(Connection admin, String schema) throws SQLException {
        execute(admin, "ALTER TABLE " + schema + ".factum_events REPLICA IDENTITY DEFAULT");
        execute(admin, "ALTER TABLE " + schema + ".factum_events ADD PRIMARY KEY (global_position)");
    }

    private static List<String> indexesOfEvents(Connection admin, String schema) throws SQLException {
        List<String> indexes = new ArrayList<>();
        try (Statement statement = admin.createStatement();
                ResultSet rs = statement.executeQuery("SELECT indexname FROM pg_indexes WHERE schemaname = '" + schema
                        + "' AND tablename = 'factum_events' ORDER BY indexname")) {
            while (rs.next()) {
                indexes.add(rs.getString(1));
            }
        }
        return indexes;
    }

    @Test
    void a_schema_of_version_4_loses_the_index_on_the_global_position_and_keeps_its_events_and_their_ids()
            throws Exception {
        String schema = EmbeddedServer.newSchema();
        PgEventStore first = open(schema);
        List<EventData> original = events(2);
        AppendResult written = first.append("order-1", ExpectedVersion.noStream(), original);
        first.close();
        Connection admin = connect();
        undoMigration6(admin, schema);
        undoMigration5(admin, schema);
        execute(admin, "DELETE FROM " + schema + ".factum_schema_migrations WHERE version >= 5");
        assertThat(indexesOfEvents(admin, schema)).contains("factum_events_pkey");

        PgEventStore store = open(schema);

        assertThat(indexesOfEvents(admin, schema))
                .containsExactly(
                        "factum_events_category_idx",
                        "factum_events_event_id_key",
                        "factum_events_stream_version_key",
                        "factum_events_tags_idx",
                        "factum_events_tx_position_idx",
                        "factum_events_type_idx");
        try (Statement statement = admin.createStatement();
                ResultSet rs = statement.executeQuery("SELECT c.relreplident, i.indisreplident FROM pg_class c"
                        + " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_index i ON i.indrelid = c.oid"
                        + " JOIN pg_class ic ON ic.oid = i.indexrelid WHERE n.nspname = '" + schema
                        + "' AND c.relname = 'factum_events' AND ic.relname = 'factum_events_event_id_key'")) {
            rs.next();
            assertThat(rs.getString(1)).as("replica identity: an index").isEqualTo("i");
            assertThat(rs.getBoolean(2))
                    .as("the event id's index is the replica identity")
                    .isTrue();
        }
        assertThat(store.append("order-1", ExpectedVersion.noStream(), original))
                .as("a retry of stored events still returns the original result")
                .isEqualTo(written);
        assertThat(store.append("order-1", ExpectedVersion.exactly(1), events(1))
                        .streamVersion())
                .isEqualTo(2);
        assertThatThrownBy(() -> store.append("order-2", ExpectedVersion.noStream(), original.subList(0, 1)))
                .as("an event id stored already is refused elsewhere")
                .isInstanceOf(DuplicateEventException.class);
        assertThat(versionsInLogOrder(store, "order-1")).containsExactly(0L, 1L, 2L);
    }

    // ------------------------------------------------------------ the listener

    @Test
    void a_waiter_still_wakes_after_the_listener_connection_was_killed() throws Exception {
        String schema = EmbeddedServer.newSchema();
        PgEventStore waiting = open(schema);
        PgEventStore writing = open(schema);
        TimeUnit.MILLISECONDS.sleep(300);
        execute(
                connect(),
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN \"" + schema
                        + ".factum_events\"'");
        Position head = waiting.headPosition();
        Future<Boolean> woke = threads.submit(() -> waiting.awaitAppend(head, Duration.ofSeconds(30)));
        TimeUnit.MILLISECONDS.sleep(1_500);

        writing.append("order-1", ExpectedVersion.noStream(), events(1));

        assertThat(woke.get(15, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void the_listener_checks_its_connection_and_reconnects_when_it_is_gone() throws Exception {
        String schema = EmbeddedServer.newSchema();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(EmbeddedServer.jdbcUrl());
        config.setMaximumPoolSize(4);
        config.addDataSourceProperty("ApplicationName", schema);
        HikariDataSource pool = new HikariDataSource(config);
        resources.add(pool);
        java.util.concurrent.atomic.AtomicInteger wakes = new java.util.concurrent.atomic.AtomicInteger();
        Notifier notifier =
                new Notifier(pool, schema + ".x", wakes::incrementAndGet, TimeUnit.MILLISECONDS.toNanos(200));
        resources.add(notifier::close);
        TimeUnit.MILLISECONDS.sleep(1_000);
        assertThat(notifier.listening()).isTrue();
        int before = wakes.get();
        try (Statement statement = connect().createStatement();
                ResultSet rs = statement.executeQuery("SELECT count(*) FROM pg_stat_activity"
                        + " WHERE query = 'SELECT 1' AND application_name = '" + schema + "'")) {
            rs.next();
            assertThat(rs.getLong(1)).as("the listener's keep-alive query").isPositive();
        }

        execute(
                connect(),
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" + schema + "'");
        TimeUnit.MILLISECONDS.sleep(500);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!notifier.listening() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(50);
        }

        assertThat(notifier.listening()).isTrue();
        assertThat(wakes.get()).as("woken after reconnecting").isGreaterThan(before);
    }

    // ------------------------------------------------------------ xmin horizon

    @Test
    void the_xmin_horizon_age_is_public_for_postgres_stores_only() throws Exception {
        PgEventStore store = open(EmbeddedServer.newSchema());
        Connection open = connect();
        open.setAutoCommit(false);
        execute(open, "SELECT pg_current_xact_id()");
        store.append("order-1", ExpectedVersion.noStream(), events(1));
        store.append("order-2", ExpectedVersion.noStream(), events(1));

        long held = store.xminHorizonAge();
        open.commit();

        assertThat(held).isGreaterThanOrEqualTo(2);
        assertThat(store.xminHorizonAge()).isLessThan(held);
    }
}
