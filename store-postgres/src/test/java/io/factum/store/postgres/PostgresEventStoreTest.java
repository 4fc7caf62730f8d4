package io.factum.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.AllSlice;
import io.factum.core.AppendResult;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StoreException;
import io.factum.core.StoreOptions;
import io.factum.core.WrongExpectedVersionException;
import io.factum.core.aggregate.Snapshot;
import io.factum.core.aggregate.SnapshotStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What the PostgreSQL store does beyond the TCK: migrations, group commit, visibility, notifications. */
class PostgresEventStoreTest {

    private final List<EventStore> opened = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void close() {
        threads.shutdownNow();
        opened.forEach(EventStore::close);
    }

    private PgEventStore open(String schema) {
        PgEventStore store = PostgresStoreFixture.open(EmbeddedServer.jdbcUrl(), schema, StoreOptions.defaults());
        opened.add(store);
        return store;
    }

    /** A store with one writer thread, so that a blocked writer makes every other append wait. */
    private PgEventStore openWithOneWriter(String schema) {
        PgEventStore store = PostgresEventStore.builder()
                .jdbcUrl(EmbeddedServer.jdbcUrl())
                .schema(schema)
                .writers(1)
                .openStore();
        opened.add(store);
        return store;
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(EmbeddedServer.jdbcUrl());
    }

    private static List<EventData> events(int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> EventData.of(UUID.randomUUID(), "Counted", "{\"n\":" + i + "}"))
                .toList();
    }

    private static long count(String sql) throws SQLException {
        try (Connection connection = connect();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Holds the row lock of a stream in an open transaction, so the store's writer blocks on it. */
    private static Connection lockStream(String schema, String streamId) throws SQLException {
        Connection connection = connect();
        connection.setAutoCommit(false);
        try (PreparedStatement lock =
                connection.prepareStatement("SELECT 1 FROM " + schema + ".factum_streams WHERE id = ? FOR UPDATE")) {
            lock.setString(1, streamId);
            lock.executeQuery().close();
        }
        return connection;
    }

    @Nested
    class Migrations {

        @Test
        void run_once_and_are_recorded() throws Exception {
            String schema = EmbeddedServer.newSchema();
            open(schema).close();
            open(schema).append("order-1", ExpectedVersion.noStream(), events(1));

            assertThat(count("SELECT count(*) FROM " + schema + ".factum_schema_migrations"))
                    .isEqualTo(io.factum.store.postgres.Migrations.all().size());
        }

        @Test
        void of_stores_started_at_the_same_time_do_not_break_each_other() throws Exception {
            String schema = EmbeddedServer.newSchema();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<AppendResult>> results = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String stream = "order-" + i;
                results.add(threads.submit(() -> {
                    start.await();
                    return open(schema).append(stream, ExpectedVersion.noStream(), events(2));
                }));
            }
            start.countDown();

            for (Future<AppendResult> result : results) {
                assertThat(result.get(60, TimeUnit.SECONDS).streamVersion()).isEqualTo(1);
            }
            assertThat(count("SELECT count(*) FROM " + schema + ".factum_schema_migrations"))
                    .isEqualTo(io.factum.store.postgres.Migrations.all().size());
            assertThat(count("SELECT count(*) FROM " + schema + ".factum_events"))
                    .isEqualTo(12);
        }

        @Test
        void keep_stores_with_other_prefixes_apart() {
            String schema = EmbeddedServer.newSchema();
            PgEventStore first = open(schema);
            PostgresEventStore second = PostgresEventStore.builder()
                    .jdbcUrl(EmbeddedServer.jdbcUrl())
                    .schema(schema)
                    .tablePrefix("other_")
                    .openStore();
            opened.add(second);

            first.append("order-1", ExpectedVersion.noStream(), events(1));

            assertThat(second.headPosition()).isEqualTo(Position.START);
            assertThat(second.streamInfo("order-1")).isEmpty();
        }
    }

    @Nested
    class Group_commit {

        @Test
        void puts_appends_waiting_behind_a_busy_writer_into_one_transaction_each_deciding_alone() throws Exception {
            String schema = EmbeddedServer.newSchema();
            PgEventStore store = openWithOneWriter(schema);
            store.append("blocker-1", ExpectedVersion.noStream(), events(1));
            store.append("order-conflict", ExpectedVersion.noStream(), events(2));
            long transactionsBefore = store.appendTransactions();

            Connection lock = lockStream(schema, "blocker-1");
            Future<AppendResult> blocked =
                    threads.submit(() -> store.append("blocker-1", ExpectedVersion.exactly(0), events(1)));
            TimeUnit.MILLISECONDS.sleep(200);
            List<Future<AppendResult>> fresh = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String stream = "order-" + i;
                fresh.add(threads.submit(() -> store.append(stream, ExpectedVersion.noStream(), events(3))));
            }
            Future<AppendResult> first =
                    threads.submit(() -> store.append("order-same", ExpectedVersion.noStream(), events(1)));
            TimeUnit.MILLISECONDS.sleep(100);
            Future<AppendResult> second =
                    threads.submit(() -> store.append("order-same", ExpectedVersion.exactly(0), events(1)));
            Future<AppendResult> conflicting =
                    threads.submit(() -> store.append("order-conflict", ExpectedVersion.exactly(7), events(1)));
            TimeUnit.MILLISECONDS.sleep(300);
            lock.commit();
            lock.close();

            assertThat(blocked.get(10, TimeUnit.SECONDS).streamVersion()).isEqualTo(1);
            for (Future<AppendResult> each : fresh) {
                assertThat(each.get(10, TimeUnit.SECONDS).streamVersion()).isEqualTo(2);
            }
            assertThat(first.get(10, TimeUnit.SECONDS).streamVersion()).isZero();
            assertThat(second.get(10, TimeUnit.SECONDS).streamVersion()).isEqualTo(1);
            assertThatThrownBy(() -> conflicting.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(WrongExpectedVersionException.class)
                    .cause()
                    .hasMessage("stream order-conflict: expected version 7 but it is at version 1");
            assertThat(store.appendTransactions() - transactionsBefore)
                    .as("the blocked append's transaction and one for all 23 waiting behind it")
                    .isEqualTo(2);
            assertThat(store.readStream("order-conflict", ReadDirection.FORWARD, 0, 10)
                            .events())
                    .hasSize(2);
        }

        @Test
        void runs_a_batch_alone_when_an_append_in_it_is_a_retry_and_still_returns_the_original() throws Exception {
            String schema = EmbeddedServer.newSchema();
            PgEventStore store = openWithOneWriter(schema);
            store.append("blocker-1", ExpectedVersion.noStream(), events(1));
            List<EventData> original = events(2);
            AppendResult first = store.append("order-1", ExpectedVersion.noStream(), original);

            Connection lock = lockStream(schema, "blocker-1");
            Future<AppendResult> blocked =
                    threads.submit(() -> store.append("blocker-1", ExpectedVersion.any(), events(1)));
            TimeUnit.MILLISECONDS.sleep(200);
            Future<AppendResult> retry = threads.submit(() -> store.append("order-1", ExpectedVersion.any(), original));
            Future<AppendResult> other =
                    threads.submit(() -> store.append("order-2", ExpectedVersion.noStream(), events(1)));
            TimeUnit.MILLISECONDS.sleep(200);
            lock.commit();
            lock.close();

            blocked.get(10, TimeUnit.SECONDS);
            assertThat(retry.get(10, TimeUnit.SECONDS)).isEqualTo(first);
            assertThat(other.get(10, TimeUnit.SECONDS).streamVersion()).isZero();
            assertThat(count("SELECT count(*) FROM " + schema + ".factum_events"))
                    .isEqualTo(5);
        }

        @Test
        void shares_transactions_between_many_concurrent_writers() throws Exception {
            PgEventStore store = open(EmbeddedServer.newSchema());
            int writers = 32;
            int appendsEach = 15;
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                String stream = "load-" + w;
                done.add(threads.submit(() -> {
                    for (int i = 0; i < appendsEach; i++) {
                        store.append(stream, ExpectedVersion.any(), events(1));
                    }
                    return null;
                }));
            }
            for (Future<?> each : done) {
                each.get(60, TimeUnit.SECONDS);
            }

            assertThat(store.appendsCompleted()).isEqualTo(writers * appendsEach);
            assertThat(store.appendTransactions()).isLessThan(store.appendsCompleted() / 2);
        }
    }

    @Nested
    class Closing {

        @Test
        void fails_queued_appends_and_every_later_call() throws Exception {
            String schema = EmbeddedServer.newSchema();
            PgEventStore store = openWithOneWriter(schema);
            store.append("blocker-1", ExpectedVersion.noStream(), events(1));
            Connection lock = lockStream(schema, "blocker-1");
            Future<AppendResult> blocked =
                    threads.submit(() -> store.append("blocker-1", ExpectedVersion.any(), events(1)));
            TimeUnit.MILLISECONDS.sleep(200);
            Future<AppendResult> queued =
                    threads.submit(() -> store.append("order-1", ExpectedVersion.any(), events(1)));
            TimeUnit.MILLISECONDS.sleep(200);

            Future<?> closing = threads.submit(store::close);
            assertThatThrownBy(() -> queued.get(5, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(StoreException.class)
                    .cause()
                    .hasMessageContaining("closed");
            lock.commit();
            lock.close();
            closing.get(10, TimeUnit.SECONDS);

            assertThat(blocked.get(10, TimeUnit.SECONDS).streamVersion()).isEqualTo(1);
            assertThatThrownBy(() -> store.append("order-2", ExpectedVersion.any(), events(1)))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("closed");
            assertThatThrownBy(store::headPosition).isInstanceOf(StoreException.class);
        }
    }

    @Nested
    class Snapshots {

        private static Snapshot snapshot(String streamId, long version, String data) {
            return new Snapshot(streamId, version, "Account", 1, data, Instant.parse("2024-05-06T07:08:09Z"));
        }

        @Test
        void are_kept_as_jsonb_in_the_snapshots_table_of_the_store() throws Exception {
            String schema = EmbeddedServer.newSchema();
            PgEventStore store = open(schema);

            store.snapshots().save(snapshot("account-1", 7, "{\"balance\": 7}"));

            assertThat(count("SELECT count(*) FROM " + schema + ".factum_snapshots"
                            + " WHERE stream_id = 'account-1' AND version = 7 AND data @> '{\"balance\": 7}'::jsonb"))
                    .isEqualTo(1);
        }

        @Test
        void refuse_data_with_the_character_u0000_before_the_database_sees_it() {
            PgEventStore store = open(EmbeddedServer.newSchema());
            SnapshotStore snapshots = store.snapshots();

            assertThatThrownBy(() -> snapshots.save(snapshot("account-1", 1, "{\"name\": \"a\\u0000b\"}")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("snapshot of account-1: data contains the character U+0000");
            assertThat(snapshots.load("account-1")).isEmpty();
        }

        @Test
        void turn_a_value_the_database_refuses_into_an_illegal_argument() {
            PgEventStore store = open(EmbeddedServer.newSchema());
            SnapshotStore snapshots = store.snapshots();
            snapshots.save(snapshot("account-1", 1, "{}"));

            // a number beyond PostgreSQL's numeric range passes SnapshotValidation but not jsonb
            assertThatThrownBy(() -> snapshots.save(snapshot("account-1", 2, "{\"n\": 1e1000000}")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("snapshot of account-1: refused by PostgreSQL: ");
            assertThat(snapshots.load("account-1").orElseThrow().version()).isEqualTo(1);
        }

        @Test
        void are_refused_once_the_store_is_closed() {
            PgEventStore store = open(EmbeddedServer.newSchema());
            SnapshotStore snapshots = store.snapshots();
            snapshots.save(snapshot("account-1", 1, "{}"));
            store.close();

            assertThatThrownBy(() -> snapshots.save(snapshot("account-1", 2, "{}")))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("closed");
            assertThatThrownBy(() -> snapshots.load("account-1"))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("closed");
        }
    }

    @Nested
    class Gaps {

        /** T1 takes the lower position and stays open; T2 takes a higher one and commits. */
        private record Scenario(PgEventStore store, PgEventStore.PendingAppend late, AppendResult early) {}

        private Scenario holdLowerCommitHigher(String schema) {
            PgEventStore store = open(schema);
            store.append("order-0", ExpectedVersion.noStream(), events(1));
            PgEventStore.PendingAppend late = store.holdAppend("order-late", ExpectedVersion.noStream(), events(1));
            AppendResult early = store.append("order-early", ExpectedVersion.noStream(), events(1));
            return new Scenario(store, late, early);
        }

        @Test
        void a_catch_up_reader_waits_for_the_late_transaction_instead_of_skipping_it() {
            Scenario scenario = holdLowerCommitHigher(EmbeddedServer.newSchema());
            PgEventStore store = scenario.store();
            AllSlice before = store.readAll(Position.START, ReadDirection.FORWARD, 100, EventFilter.all());

            AppendResult late = scenario.late().commit();
            AllSlice after = store.readAll(before.next(), ReadDirection.FORWARD, 100, EventFilter.all());

            assertThat(before.events()).extracting(RecordedEvent::streamId).containsExactly("order-0");
            assertThat(late.position().position())
                    .isLessThan(scenario.early().position().position());
            assertThat(after.events()).extracting(RecordedEvent::streamId).containsExactly("order-late", "order-early");
            assertThat(store.headPosition()).isEqualTo(scenario.early().position());
        }

        @Test
        void bite_a_naive_reader_of_global_position_greater_than_checkpoint() throws Exception {
            String schema = EmbeddedServer.newSchema();
            Scenario scenario = holdLowerCommitHigher(schema);
            String naive = "SELECT stream_id, global_position FROM " + schema
                    + ".factum_events WHERE global_position > ? ORDER BY global_position";
            List<String> seen = new ArrayList<>();
            long checkpoint = 0;
            try (Connection connection = connect();
                    PreparedStatement read = connection.prepareStatement(naive)) {
                checkpoint = naiveRead(read, checkpoint, seen);
                scenario.late().commit();
                naiveRead(read, checkpoint, seen);
            }

            assertThat(seen).containsExactly("order-0", "order-early").doesNotContain("order-late");
        }

        private static long naiveRead(PreparedStatement read, long checkpoint, List<String> into) throws SQLException {
            read.setLong(1, checkpoint);
            long last = checkpoint;
            try (ResultSet rs = read.executeQuery()) {
                while (rs.next()) {
                    into.add(rs.getString(1));
                    last = rs.getLong(2);
                }
            }
            return last;
        }

        @Test
        void an_open_transaction_shows_in_the_xmin_horizon_age() {
            Scenario scenario = holdLowerCommitHigher(EmbeddedServer.newSchema());
            long held = scenario.store().xminHorizonAge();
            scenario.late().commit();

            assertThat(held).isGreaterThanOrEqualTo(2);
            assertThat(scenario.store().xminHorizonAge()).isLessThan(held);
        }
    }

    @Nested
    class Waiting_for_appends {

        @Test
        void wakes_on_an_append_of_another_store_on_the_same_tables() throws Exception {
            String schema = EmbeddedServer.newSchema();
            PgEventStore waiting = open(schema);
            PgEventStore writing = open(schema);
            Position head = waiting.headPosition();
            Future<Boolean> woke = threads.submit(() -> waiting.awaitAppend(head, Duration.ofSeconds(20)));
            TimeUnit.MILLISECONDS.sleep(300);

            long start = System.nanoTime();
            writing.append("order-1", ExpectedVersion.noStream(), events(1));

            assertThat(woke.get(20, TimeUnit.SECONDS)).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        }

        @Test
        void wakes_when_an_older_transaction_ends_and_the_head_moves() throws Exception {
            PgEventStore store = open(EmbeddedServer.newSchema());
            PgEventStore.PendingAppend late = store.holdAppend("order-late", ExpectedVersion.noStream(), events(1));
            store.append("order-early", ExpectedVersion.noStream(), events(1));
            assertThat(store.headPosition()).isEqualTo(Position.START);
            Future<Boolean> woke = threads.submit(() -> store.awaitAppend(Position.START, Duration.ofSeconds(20)));
            TimeUnit.MILLISECONDS.sleep(300);
            assertThat(woke).isNotDone();

            late.commit();

            assertThat(woke.get(5, TimeUnit.SECONDS)).isTrue();
            assertThat(Optional.of(store.headPosition())).isNotEqualTo(Optional.of(Position.START));
        }
    }
}
