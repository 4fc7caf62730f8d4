package io.factum.store.sqlite;

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
import io.factum.core.StoreException;
import io.factum.core.StoreOptions;
import io.factum.core.StreamSlice;
import io.factum.core.WrongExpectedVersionException;
import io.factum.core.aggregate.Snapshot;
import io.factum.core.aggregate.SnapshotStore;
import io.factum.core.subscription.CheckpointMove;
import io.factum.core.subscription.ParkedEvent;
import io.factum.core.subscription.SqlCheckpointStore;
import io.factum.core.subscription.SqlWork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What the SQLite store does beyond the TCK: its schema, group commit, closing, and sharing a file. */
class SqliteEventStoreTest {

    private final List<EventStore> opened = new ArrayList<>();
    private final Path file = SqliteStoreFixture.newFile();

    private final List<WriterGate> gates = new ArrayList<>();

    @AfterEach
    void closeStores() {
        gates.forEach(WriterGate::open);
        opened.forEach(EventStore::close);
    }

    /** Blocks the writer until the gate opens, so that writes queue up behind it. */
    private WriterGate block(SqliteStore store) throws InterruptedException {
        WriterGate gate = WriterGate.block(store);
        gates.add(gate);
        return gate;
    }

    private SqliteStore open(Path path) {
        return open(path, StoreOptions.defaults());
    }

    private SqliteStore open(Path path, StoreOptions options) {
        SqliteStore store = SqliteStore.open(path, options);
        opened.add(store);
        return store;
    }

    private static EventData event(int n) {
        return EventData.of(UUID.randomUUID(), "Counted", "{\"n\":" + n + "}");
    }

    private static List<Long> range(long count) {
        return IntStream.range(0, (int) count).mapToObj(i -> (long) i).toList();
    }

    private static List<Long> versions(List<RecordedEvent> events) {
        return events.stream().map(RecordedEvent::streamVersion).toList();
    }

    private static <T> T query(Path path, String sql, ResultReader<T> reader) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + path);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            return reader.read(rows);
        }
    }

    private interface ResultReader<T> {
        T read(ResultSet rows) throws SQLException;
    }

    private static void execute(Path path, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + path);
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    @Nested
    class The_schema {

        @Test
        void is_created_by_the_first_open_and_migrated_once() throws Exception {
            // given
            SqliteStore first = open(file);
            first.append("order-1", ExpectedVersion.noStream(), event(1));
            first.close();

            // when
            SqliteStore second = open(file);
            open(file).close();

            // then
            List<Integer> migrations = query(
                    file,
                    "SELECT count(*), max(version) FROM factum_schema_version",
                    rows -> List.of(rows.getInt(1), rows.getInt(2)));
            String tables = query(
                    file,
                    "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master"
                            + " WHERE type = 'table' AND name LIKE 'factum%' ORDER BY name)",
                    rows -> rows.getString(1));
            assertThat(migrations)
                    .as("rows and highest version of factum_schema_version")
                    .containsExactly(Schema.MIGRATIONS.size(), Schema.CURRENT);
            assertThat(tables)
                    .as("tables")
                    .isEqualTo(
                            "factum_checkpoints,factum_deadlines,factum_event_tags,factum_events,factum_group_members,"
                                    + "factum_leases,"
                                    + "factum_parked_events,factum_projection_versions,factum_schema_version,"
                                    + "factum_snapshots,factum_streams,factum_subject_keys");
            assertThat(second.readStream("order-1", ReadDirection.FORWARD, 0, 10)
                            .events())
                    .as("events written before the reopen")
                    .hasSize(1);
        }

        @Test
        void migrates_a_file_of_schema_version_1_to_the_read_side_tables_keeping_its_events() throws Exception {
            // given: a file as Factum wrote it before migration 2
            SqliteStore first = open(file);
            first.append("order-1", ExpectedVersion.noStream(), event(1));
            first.close();
            for (String table : List.of(
                    "factum_parked_events",
                    "factum_projection_versions",
                    "factum_group_members",
                    "factum_leases",
                    "factum_deadlines",
                    "factum_subject_keys",
                    "factum_event_tags")) {
                execute(file, "DROP TABLE " + table);
            }
            execute(file, "ALTER TABLE factum_events DROP COLUMN tags");
            execute(file, "DELETE FROM factum_schema_version WHERE version >= 2");

            // when
            SqliteStore second = open(file);

            // then
            int version = query(file, "SELECT max(version) FROM factum_schema_version", rows -> rows.getInt(1));
            assertThat(version).as("schema version after the reopen").isEqualTo(Schema.CURRENT);
            second.leases().acquire("billing", 0, "member-a", java.time.Duration.ofSeconds(5));
            assertThat(second.leases().leases("billing")).hasSize(1);
            assertThat(second.readStream("order-1", ReadDirection.FORWARD, 0, 10)
                            .events())
                    .hasSize(1);
        }

        @Test
        void puts_the_file_in_wal_mode() throws Exception {
            open(file);
            String mode = query(file, "PRAGMA journal_mode", rows -> rows.getString(1));
            assertThat(mode).as("journal mode").isEqualTo("wal");
        }

        @Test
        void refuses_a_file_written_by_a_newer_factum() throws Exception {
            open(file).close();
            execute(file, "INSERT INTO factum_schema_version VALUES (99, 'from the future', 0)");

            assertThatThrownBy(() -> open(file))
                    .isInstanceOf(StoreException.class)
                    .hasMessage("the SQLite store " + file.toAbsolutePath() + " has schema version 99 but this"
                            + " Factum knows versions up to " + Schema.CURRENT + "; open it with a newer Factum");
        }

        @Test
        void reports_a_file_it_cannot_open_as_a_store_exception() throws Exception {
            Path directory = Files.createDirectories(file);

            assertThatThrownBy(() -> open(directory))
                    .isInstanceOf(StoreException.class)
                    .hasMessageStartingWith("could not open the SQLite store " + directory.toAbsolutePath() + ": ");
        }
    }

    @Nested
    class Group_commit {

        @Test
        void acknowledges_appends_from_16_threads_with_gapless_versions() throws Exception {
            SqliteStore store = open(file);
            int threads = 16;
            int appendsPerThread = 25;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<UUID> acknowledged = Collections.synchronizedList(new ArrayList<>());
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    done.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < appendsPerThread; i++) {
                            EventData shared = event(i);
                            store.append("shared-1", ExpectedVersion.any(), shared);
                            acknowledged.add(shared.eventId());
                            store.append(
                                    "own-" + thread,
                                    i == 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(i - 1L),
                                    event(i));
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> future : done) {
                    future.get(120, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }

            List<RecordedEvent> shared = new ArrayList<>();
            store.streamEvents("shared-1").forEach(shared::add);
            assertThat(versions(shared))
                    .as("versions of the shared stream")
                    .isEqualTo(range(threads * appendsPerThread));
            assertThat(shared)
                    .extracting(RecordedEvent::eventId)
                    .as("acknowledged events")
                    .containsExactlyInAnyOrderElementsOf(acknowledged);
            for (int t = 0; t < threads; t++) {
                assertThat(store.streamInfo("own-" + t).orElseThrow().lastVersion())
                        .as("last version of own-%d", t)
                        .isEqualTo(appendsPerThread - 1);
            }
            Writer writer = store.writer();
            assertThat(writer.writes()).as("writes").isEqualTo(2L * threads * appendsPerThread);
            assertThat(writer.transactions())
                    .as("transactions, fewer than writes because waiting appends share one")
                    .isLessThan(writer.writes());
        }

        @Test
        void commits_waiting_appends_in_one_transaction_each_deciding_on_its_own() throws Exception {
            SqliteStore store = open(file);
            store.append("order-1", ExpectedVersion.noStream(), event(0));
            WriterGate gate = block(store);
            long transactionsBefore = store.writer().transactions();

            // when: three appends wait behind the blocked write, the middle one with a stale version
            CompletableFuture<AppendResult> first =
                    CompletableFuture.supplyAsync(() -> store.append("order-1", ExpectedVersion.exactly(0), event(1)));
            gate.awaitQueued(1);
            CompletableFuture<AppendResult> stale =
                    CompletableFuture.supplyAsync(() -> store.append("order-1", ExpectedVersion.exactly(0), event(9)));
            gate.awaitQueued(2);
            CompletableFuture<AppendResult> third =
                    CompletableFuture.supplyAsync(() -> store.append("order-1", ExpectedVersion.exactly(1), event(2)));
            gate.awaitQueued(3);
            gate.open();

            // then
            assertThat(first.get(10, TimeUnit.SECONDS).streamVersion()).isEqualTo(1);
            assertThat(third.get(10, TimeUnit.SECONDS).streamVersion()).isEqualTo(2);
            assertThat(stale)
                    .as("the stale append")
                    .failsWithin(10, TimeUnit.SECONDS)
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .havingCause()
                    .isInstanceOf(WrongExpectedVersionException.class)
                    .withMessage("stream order-1: expected version 0 but it is at version 1");
            assertThat(store.writer().transactions() - transactionsBefore)
                    .as("transactions for the three appends after the blocking write")
                    .isEqualTo(1);
            assertThat(store.writer().largestBatch()).as("largest batch").isEqualTo(3);
            assertThat(store.readStream("order-1", ReadDirection.FORWARD, 0, 10).events())
                    .extracting(RecordedEvent::data)
                    .as("data of the stored events")
                    .containsExactly("{\"n\":0}", "{\"n\":1}", "{\"n\":2}");
        }

        @Test
        void treats_a_retry_in_the_same_batch_as_a_retry() throws Exception {
            SqliteStore store = open(file);
            WriterGate gate = block(store);
            List<EventData> batch = List.of(event(0), event(1));

            CompletableFuture<AppendResult> original =
                    CompletableFuture.supplyAsync(() -> store.append("order-1", ExpectedVersion.noStream(), batch));
            gate.awaitQueued(1);
            CompletableFuture<AppendResult> retry =
                    CompletableFuture.supplyAsync(() -> store.append("order-1", ExpectedVersion.any(), batch));
            gate.awaitQueued(2);
            gate.open();

            assertThat(retry.get(10, TimeUnit.SECONDS))
                    .as("the retry's result")
                    .isEqualTo(original.get(10, TimeUnit.SECONDS));
            assertThat(store.readStream("order-1", ReadDirection.FORWARD, 0, 10).events())
                    .as("events stored once")
                    .hasSize(2);
        }
    }

    @Nested
    class Large_appends {

        private final int size = 2 * WriteSession.MAX_ROWS_PER_INSERT + 22;

        private List<EventData> events(int count) {
            return IntStream.range(0, count)
                    .mapToObj(SqliteEventStoreTest::event)
                    .toList();
        }

        @Test
        void take_several_statements_and_keep_versions_positions_and_order() {
            SqliteStore store = open(file);
            store.append("other-1", ExpectedVersion.noStream(), event(0));
            List<EventData> events = events(size);

            AppendResult result = store.append("order-1", ExpectedVersion.noStream(), events);

            assertThat(result.streamVersion()).as("last version").isEqualTo(size - 1);
            assertThat(result.position().position())
                    .as("position of the last event")
                    .isEqualTo(size + 1);
            List<RecordedEvent> stored = new ArrayList<>();
            store.streamEvents("order-1").forEach(stored::add);
            assertThat(versions(stored)).as("versions").isEqualTo(range(size));
            assertThat(stored)
                    .extracting(RecordedEvent::eventId)
                    .as("event ids in order")
                    .containsExactlyElementsOf(
                            events.stream().map(EventData::eventId).toList());
            assertThat(stored)
                    .extracting(e -> e.position().position())
                    .as("positions")
                    .isEqualTo(IntStream.rangeClosed(2, size + 1)
                            .mapToObj(i -> (long) i)
                            .toList());
        }

        @Test
        void write_nothing_when_an_id_in_the_last_statement_is_stored_already() {
            SqliteStore store = open(file);
            EventData taken = event(-1);
            store.append("other-1", ExpectedVersion.noStream(), taken);
            List<EventData> events = new ArrayList<>(events(size));
            events.set(size - 1, taken);

            assertThatThrownBy(() -> store.append("order-1", ExpectedVersion.noStream(), events))
                    .as("an append reusing a stored id")
                    .isInstanceOf(io.factum.core.DuplicateEventException.class)
                    .hasMessageContaining("is already stored as version 0 of stream other-1");

            assertThat(store.streamInfo("order-1")).as("the stream").isEmpty();
            assertThat(store.headPosition()).as("head").isEqualTo(Position.of(1));
            AppendResult next = store.append("order-1", ExpectedVersion.noStream(), event(0));
            assertThat(next.streamVersion()).as("version of the next append").isEqualTo(0);
        }

        @Test
        void are_retried_idempotently() {
            SqliteStore store = open(file);
            List<EventData> events = events(size);
            AppendResult original = store.append("order-1", ExpectedVersion.noStream(), events);

            AppendResult retry = store.append("order-1", ExpectedVersion.noStream(), events);

            assertThat(retry).as("the retry's result").isEqualTo(original);
            assertThat(store.streamInfo("order-1").orElseThrow().lastVersion())
                    .as("last version")
                    .isEqualTo(size - 1);
        }
    }

    @Nested
    class Closing {

        @Test
        void fails_queued_appends_with_a_store_exception_and_commits_the_running_batch() throws Exception {
            SqliteStore store = open(file);
            WriterGate gate = block(store);
            List<CompletableFuture<AppendResult>> queued = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int n = i;
                queued.add(CompletableFuture.supplyAsync(
                        () -> store.append("order-" + n, ExpectedVersion.noStream(), event(n))));
                gate.awaitQueued(i + 1);
            }

            // when
            CompletableFuture<Void> closing = CompletableFuture.runAsync(store::close);
            while (!store.writer().closed()) {
                Thread.sleep(1);
            }
            gate.open();
            closing.get(10, TimeUnit.SECONDS);

            // then
            for (CompletableFuture<AppendResult> append : queued) {
                assertThat(append)
                        .as("a queued append")
                        .failsWithin(10, TimeUnit.SECONDS)
                        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                        .havingCause()
                        .isInstanceOf(StoreException.class)
                        .withMessage("the SQLite store " + file.toAbsolutePath()
                                + " was closed before this write ran; it was not made");
            }
            SqliteStore reopened = open(file);
            assertThat(reopened.headPosition())
                    .as("head after the queued appends failed")
                    .isEqualTo(Position.START);
        }

        @Test
        void makes_later_calls_fail_with_a_store_exception() {
            SqliteStore store = open(file);
            store.close();
            store.close();

            String closed = "the SQLite store " + file.toAbsolutePath() + " is closed";
            assertThatThrownBy(() -> store.append("order-1", ExpectedVersion.any(), event(1)))
                    .isInstanceOf(StoreException.class)
                    .hasMessage(closed);
            assertThatThrownBy(() -> store.readStream("order-1", ReadDirection.FORWARD, 0, 1))
                    .isInstanceOf(StoreException.class)
                    .hasMessage(closed);
            assertThatThrownBy(() -> store.readAll(Position.START, ReadDirection.FORWARD, 1, EventFilter.all()))
                    .isInstanceOf(StoreException.class)
                    .hasMessage(closed);
            assertThatThrownBy(() -> store.awaitAppend(Position.START, Duration.ofSeconds(1)))
                    .isInstanceOf(StoreException.class)
                    .hasMessage(closed);
        }

        @Test
        void wakes_a_waiter_with_a_store_exception() throws Exception {
            SqliteStore store = open(file);
            CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return store.awaitAppend(Position.START, Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            Thread.sleep(100);

            store.close();

            assertThat(waiting)
                    .as("the waiter")
                    .failsWithin(5, TimeUnit.SECONDS)
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .havingCause()
                    .isInstanceOf(StoreException.class);
        }
    }

    @Nested
    class Two_stores_on_one_file {

        @Test
        void serialize_their_appends_and_read_each_others_events() throws Exception {
            SqliteStore a = open(file);
            SqliteStore b = open(file);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Integer>> wins = new ArrayList<>();
                for (SqliteStore store : List.of(a, b, a, b)) {
                    wins.add(pool.submit(() -> race(store, "race-1", 60)));
                }
                int total = 0;
                for (Future<Integer> won : wins) {
                    total += won.get(120, TimeUnit.SECONDS);
                }
                assertThat(total).as("appends won").isEqualTo(60);
            } finally {
                pool.shutdownNow();
            }
            List<RecordedEvent> fromA = new ArrayList<>();
            a.streamEvents("race-1").forEach(fromA::add);
            List<RecordedEvent> fromB = new ArrayList<>();
            b.streamEvents("race-1").forEach(fromB::add);
            assertThat(versions(fromA)).as("versions read by the first store").isEqualTo(range(60));
            assertThat(fromB).as("events read by the second store").isEqualTo(fromA);
        }

        private static int race(SqliteStore store, String stream, int target) {
            int won = 0;
            while (true) {
                long last = store.readStream(stream, ReadDirection.BACKWARD, StreamSlice.END, 1)
                        .lastVersion();
                if (last + 1 >= target) {
                    return won;
                }
                try {
                    store.append(
                            stream,
                            last < 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(last),
                            event((int) last + 1));
                    won++;
                } catch (WrongExpectedVersionException lost) {
                    // the other store or thread got there first
                }
            }
        }

        @Test
        void wake_a_waiter_of_one_store_when_the_other_appends() throws Exception {
            SqliteStore waiter = open(file);
            SqliteStore writer = open(file);
            CompletableFuture<Boolean> woke = CompletableFuture.supplyAsync(() -> {
                try {
                    return waiter.awaitAppend(Position.START, Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            Thread.sleep(300);
            long appendedAt = System.nanoTime();

            writer.append("order-1", ExpectedVersion.any(), event(1));

            assertThat(woke.get(10, TimeUnit.SECONDS)).as("woke").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - appendedAt))
                    .as("time to notice another store's append")
                    .isLessThan(Duration.ofSeconds(2));
        }
    }

    @Nested
    class Another_process_on_the_same_file {

        @Test
        void appends_beside_this_one_without_losing_or_repeating_a_version() throws Exception {
            SqliteStore store = open(file);
            store.append("shared-1", ExpectedVersion.noStream(), event(0));
            int count = 200;
            Process child = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-cp",
                            System.getProperty("java.class.path"),
                            SqliteWriterChildMain.class.getName(),
                            file.toString(),
                            "shared-1",
                            String.valueOf(count))
                    .redirectErrorStream(true)
                    .start();

            // when: this process appends while the child does
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (store.streamInfo("shared-1").orElseThrow().lastVersion() < 1
                    && child.isAlive()
                    && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            for (int i = 1; i <= count; i++) {
                store.append("shared-1", ExpectedVersion.any(), event(i));
            }
            boolean exited = child.waitFor(60, TimeUnit.SECONDS);
            String output = new String(child.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);

            // then
            assertThat(exited).as("the child exited; its output:%n%s", output).isTrue();
            assertThat(child.exitValue())
                    .as("the child's exit code; its output:%n%s", output)
                    .isZero();
            List<RecordedEvent> events = new ArrayList<>();
            store.streamEvents("shared-1").forEach(events::add);
            assertThat(versions(events)).as("versions of the shared stream").isEqualTo(range(2L * count + 1));
            assertThat(events)
                    .filteredOn(e -> e.type().equals("FromChild"))
                    .as("the child's events")
                    .hasSize(count);
            assertThat(store.headPosition())
                    .as("head seen by this process")
                    .isEqualTo(events.get(events.size() - 1).position());
        }
    }

    @Nested
    class Recorded_times {

        @Test
        void keep_microseconds_before_and_after_the_epoch() {
            Instant before = Instant.parse("1969-12-31T23:59:59.999999999Z");
            SqliteStore store = open(file, StoreOptions.defaults().withClock(Clock.fixed(before, ZoneOffset.UTC)));

            store.append("order-1", ExpectedVersion.any(), event(1));

            assertThat(store.readStream("order-1", ReadDirection.FORWARD, 0, 1)
                            .events()
                            .get(0)
                            .recordedAt())
                    .as("recorded at, truncated to microseconds")
                    .isEqualTo(Instant.parse("1969-12-31T23:59:59.999999Z"));
        }
    }

    @Nested
    class Read_model_commits {

        /** The connection's synchronous level inside the work: 1 is NORMAL, 2 is FULL. */
        private SqlWork recordSynchronous(List<Integer> levels) {
            return connection -> {
                try (Statement statement = connection.createStatement();
                        ResultSet rows = statement.executeQuery("PRAGMA synchronous")) {
                    rows.next();
                    levels.add(rows.getInt(1));
                }
            };
        }

        @Test
        void alone_in_their_transaction_commit_without_waiting_for_the_disk() {
            SqliteStore store = open(file);
            SqlCheckpointStore checkpoints = store.checkpoints();
            List<Integer> levels = new ArrayList<>();
            SqliteEventStore.WriterStatistics before = store.writerStatistics();

            checkpoints.commit("summary", Position.START, Position.of(1), recordSynchronous(levels));
            checkpoints.commit(
                    List.of(new CheckpointMove("summary", Position.of(1), Position.of(2))), recordSynchronous(levels));
            checkpoints.save("summary", Position.of(2), Position.of(3));

            SqliteEventStore.WriterStatistics after = store.writerStatistics();
            assertThat(levels).as("synchronous inside the commits").containsExactly(1, 1);
            assertThat(after.transactions() - before.transactions()).isEqualTo(3);
            assertThat(after.writes() - before.writes()).isEqualTo(3);
            assertThat(after.durableTransactions() - before.durableTransactions())
                    .as("transactions that waited for the disk")
                    .isZero();
        }

        @Test
        void wait_for_the_disk_when_their_transaction_carries_an_append() throws Exception {
            SqliteStore store = open(file);
            SqlCheckpointStore checkpoints = store.checkpoints();
            List<Integer> levels = Collections.synchronizedList(new ArrayList<>());
            WriterGate gate = block(store);
            CompletableFuture<Void> commit = CompletableFuture.runAsync(
                    () -> checkpoints.commit("summary", Position.START, Position.of(1), recordSynchronous(levels)));
            gate.awaitQueued(1);
            CompletableFuture<AppendResult> append =
                    CompletableFuture.supplyAsync(() -> store.append("order-1", ExpectedVersion.any(), event(1)));
            gate.awaitQueued(2);
            long transactions = store.writer().transactions();

            gate.open();

            commit.get(10, TimeUnit.SECONDS);
            append.get(10, TimeUnit.SECONDS);
            assertThat(store.writer().transactions() - transactions)
                    .as("transactions after the blocking one")
                    .isEqualTo(1);
            assertThat(levels).as("synchronous inside the shared transaction").containsExactly(2);
        }

        @Test
        void leave_the_next_durable_write_waiting_for_the_disk_again() {
            SqliteStore store = open(file);
            SqlCheckpointStore checkpoints = store.checkpoints();
            List<Integer> levels = new ArrayList<>();

            checkpoints.execute(recordSynchronous(levels));
            checkpoints.commit("summary", Position.START, Position.of(1), recordSynchronous(levels));
            store.append("order-1", ExpectedVersion.any(), event(1));
            checkpoints.execute(recordSynchronous(levels));
            checkpoints.commit("summary", Position.of(1), Position.of(2), recordSynchronous(levels));

            assertThat(levels).containsExactly(2, 1, 2, 1);
        }

        @Test
        void park_events_and_activate_versions_waiting_for_the_disk() {
            SqliteStore store = open(file);
            SqlCheckpointStore checkpoints = store.checkpoints();
            long durable = store.writer().durableTransactions();
            ParkedEvent parked = new ParkedEvent(
                    "summary", Position.of(1), UUID.randomUUID(), "order-1", 0, "Counted", 3, "x", Instant.EPOCH);

            checkpoints.park(parked, new CheckpointMove("summary", Position.START, Position.of(1)));
            checkpoints.activate("summary", 1);

            assertThat(store.writer().durableTransactions() - durable)
                    .as("transactions that waited for the disk")
                    .isEqualTo(2);
        }

        @Test
        void of_the_synchronous_view_wait_for_the_disk() {
            SqliteStore store = open(file);
            SqlCheckpointStore synchronous = store.checkpoints().withSynchronousCommits();
            List<Integer> levels = new ArrayList<>();

            synchronous.commit("summary", Position.START, Position.of(1), recordSynchronous(levels));

            assertThat(levels).containsExactly(2);
            assertThat(synchronous)
                    .hasToString("SqliteCheckpointStore[" + file.toAbsolutePath() + ", synchronous commits]");
        }
    }

    @Nested
    class Snapshots {

        private final Snapshot snapshot =
                new Snapshot("account-1", 3, "Account", 1, "{\"balance\":3}", Instant.parse("2024-05-06T07:08:09Z"));

        @Test
        void share_the_group_commit_of_appends() throws Exception {
            SqliteStore store = open(file);
            SnapshotStore snapshots = store.snapshots();
            WriterGate gate = block(store);
            CompletableFuture<AppendResult> append =
                    CompletableFuture.supplyAsync(() -> store.append("account-1", ExpectedVersion.any(), event(1)));
            gate.awaitQueued(1);
            CompletableFuture<Void> save = CompletableFuture.runAsync(() -> snapshots.save(snapshot));
            gate.awaitQueued(2);
            long transactions = store.writer().transactions();

            // when
            gate.open();

            // then
            append.get(10, TimeUnit.SECONDS);
            save.get(10, TimeUnit.SECONDS);
            assertThat(store.writer().transactions() - transactions)
                    .as("transactions after the blocking one")
                    .isEqualTo(1);
            assertThat(snapshots.load("account-1")).contains(snapshot);
        }

        @Test
        void are_seen_by_another_store_object_on_the_same_file() {
            open(file).snapshots().save(snapshot);

            assertThat(open(file).snapshots().load("account-1")).contains(snapshot);
        }

        @Test
        void fail_with_a_store_exception_once_the_store_is_closed() {
            SqliteStore store = open(file);
            SnapshotStore snapshots = store.snapshots();
            store.close();

            String closed = "the SQLite store " + file.toAbsolutePath() + " is closed";
            assertThatThrownBy(() -> snapshots.save(snapshot))
                    .isInstanceOf(StoreException.class)
                    .hasMessage(closed);
            assertThatThrownBy(() -> snapshots.load("account-1"))
                    .isInstanceOf(StoreException.class)
                    .hasMessage(closed);
        }
    }
}
