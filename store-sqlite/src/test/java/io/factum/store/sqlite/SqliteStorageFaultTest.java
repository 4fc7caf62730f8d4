package io.factum.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.AppendResult;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StoreException;
import io.factum.core.StoreOptions;
import io.factum.core.aggregate.Snapshot;
import io.factum.core.aggregate.SnapshotStore;
import io.factum.core.subscription.SqlProjection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * What the SQLite store does when its storage fails under it (a full disk, an I/O error, a file that turns
 * read-only): the failed write keeps nothing and says why, acknowledged events stay intact, and the store
 * takes writes again by itself once the cause is gone, without being reopened.
 */
class SqliteStorageFaultTest {

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        // stores first, then the disks under them
        for (AutoCloseable closeable : cleanup.reversed()) {
            closeable.close();
        }
    }

    private SmallDisk smallDisk() {
        SmallDisk disk = SmallDisk.create();
        cleanup.add(disk);
        return disk;
    }

    private SqliteStore open(Path file) {
        return open(file, List.of());
    }

    private SqliteStore open(Path file, List<SqlProjection> projections) {
        SqliteStore store = SqliteStore.open(file, StoreOptions.defaults(), projections);
        cleanup.add(store);
        return store;
    }

    /** An event whose data is about {@code bytes} long. */
    private static EventData event(String name, int bytes) {
        return EventData.of(
                UUID.randomUUID(), "Filled", "{\"name\":\"" + name + "\",\"fill\":\"" + "x".repeat(bytes) + "\"}");
    }

    /** What must read back of an acknowledged event. */
    private record Stored(UUID eventId, String streamId, long version, long position, String data) {

        static Stored of(EventData event, AppendResult result) {
            return new Stored(
                    event.eventId(),
                    result.streamId(),
                    result.streamVersion(),
                    result.position().position(),
                    event.data());
        }

        static Stored of(RecordedEvent event) {
            return new Stored(
                    event.eventId(),
                    event.streamId(),
                    event.streamVersion(),
                    event.position().position(),
                    event.data());
        }
    }

    /** Appends {@code count} events of about 1 KiB, each to a stream of its own, and returns them as stored. */
    private static List<Stored> appendSome(SqliteStore store, String prefix, int count) {
        List<Stored> stored = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            EventData event = event(prefix + i, 1024);
            stored.add(Stored.of(event, store.append(prefix + "-" + i, ExpectedVersion.noStream(), event)));
        }
        return stored;
    }

    /** Every event of the log, in order. */
    private static List<Stored> log(SqliteStore store) {
        return store.readAll(Position.START, ReadDirection.FORWARD, 10_000, EventFilter.all()).events().stream()
                .map(Stored::of)
                .toList();
    }

    /** What {@code PRAGMA integrity_check} says of the file, read on a connection of its own. */
    private static String integrityCheck(Path file) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("PRAGMA integrity_check")) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static void execute(Path file, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /** The statement that creates the snapshot table, to put it back after a test dropped it. */
    private static String createSnapshotTable() {
        return Schema.MIGRATIONS.get(0).statements().stream()
                .filter(sql -> sql.contains("CREATE TABLE factum_snapshots"))
                .findFirst()
                .orElseThrow();
    }

    /** Positions 1 to {@code last}. */
    private static List<Long> positions(long last) {
        return LongStream.rangeClosed(1, last).boxed().toList();
    }

    /** The largest of the store's files: the database, its -wal and its -shm. */
    private static long largestFile(Path file) throws IOException {
        long largest = 0;
        for (String suffix : List.of("", "-wal", "-shm")) {
            Path path = file.resolveSibling(file.getFileName() + suffix);
            if (Files.exists(path)) {
                largest = Math.max(largest, Files.size(path));
            }
        }
        return largest;
    }

    private static <T> CompletableFuture<T> async(Supplier<T> call) {
        return CompletableFuture.supplyAsync(call);
    }

    private static void assertFailsWith(CompletableFuture<?> call, String message) {
        assertThat(call)
                .failsWithin(10, TimeUnit.SECONDS)
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .isInstanceOf(StoreException.class)
                .withMessage(message);
    }

    private static String diskFull(Path file) {
        return "could not write to the SQLite store " + file.toAbsolutePath()
                + ": the disk holding it is full (SQLITE_FULL); nothing of this write was kept. Free space on that"
                + " disk; a write after that succeeds, the store needs no reopen";
    }

    @Nested
    class A_full_disk {

        @Test
        void fails_an_append_saying_so_and_takes_it_once_space_is_freed_without_a_reopen() throws Exception {
            // given a store with acknowledged events on a disk that then fills up
            SmallDisk disk = smallDisk();
            Path file = disk.directory().resolve("store.db");
            SqliteStore store = open(file);
            List<Stored> acknowledged = new ArrayList<>(appendSome(store, "order", 20));
            EventData large = event("large", 256 * 1024);
            disk.fill(store);

            // when an append needs room
            assertThatThrownBy(() -> store.append("order-large", ExpectedVersion.noStream(), large))
                    .as("an append on the full disk")
                    .isInstanceOf(StoreException.class)
                    .hasMessage(diskFull(file));
            disk.fill(store);
            assertThatThrownBy(() -> store.append("order-large", ExpectedVersion.noStream(), large))
                    .as("the same append again while the disk is still full")
                    .isInstanceOf(StoreException.class)
                    .hasMessage(diskFull(file));
            assertThat(store.writeProblem()).as("what a health check sees").hasValue(diskFull(file));

            // then, once space is freed, the same store object takes it
            disk.free(store);
            AppendResult result = store.append("order-large", ExpectedVersion.noStream(), large);
            assertThat(store.writeProblem()).isEmpty();
            acknowledged.add(Stored.of(large, result));
            acknowledged.addAll(appendSome(store, "after", 3));

            assertThat(result.position()).as("the large event's position").isEqualTo(Position.of(21));
            assertThat(log(store))
                    .as("every acknowledged event, intact, at gap-free positions")
                    .isEqualTo(acknowledged)
                    .extracting(Stored::position)
                    .containsExactlyElementsOf(positions(24));
            assertThat(integrityCheck(file)).as("PRAGMA integrity_check").isEqualTo("ok");
        }

        @Test
        void fails_every_write_of_a_group_commit_and_the_writer_replaces_its_connection_once() throws Exception {
            failsAGroupCommitAndRecovers(smallDisk());
        }

        @Test
        void met_by_a_statement_inside_the_transaction_fails_the_group_commit_the_same_way() throws Exception {
            // a page limit makes the large append's INSERT fail, where a full tmpfs makes the COMMIT fail
            SmallDisk disk = SmallDisk.pageLimited();
            cleanup.add(disk);
            failsAGroupCommitAndRecovers(disk);
        }

        /**
         * Three appends share a transaction on a full disk, with an inline projection: all three fail and
         * none is acknowledged, nothing of them is visible (events, head, read model), the writer opens one
         * new connection; once space is freed the same appends are taken, and the read model matches the log.
         */
        private void failsAGroupCommitAndRecovers(SmallDisk disk) throws Exception {
            // given
            Path file = disk.directory().resolve("store.db");
            SqliteStore store = open(file, List.of(new SqliteInlineProjectionTest.Counting(1)));
            Writer writer = store.writer();
            List<Stored> acknowledged = new ArrayList<>(appendSome(store, "order", 10));
            List<EventData> batch = List.of(event("a", 1024), event("b", 256 * 1024), event("c", 1024));
            disk.fill(store);
            long failedBefore = store.writerStatistics().failedTransactions();
            long reconnectsBefore = writer.reconnects();

            // when
            List<CompletableFuture<AppendResult>> appends = new ArrayList<>();
            try (WriterGate gate = WriterGate.block(store)) {
                for (int i = 0; i < batch.size(); i++) {
                    String stream = "batch-" + i;
                    EventData event = batch.get(i);
                    appends.add(async(() -> store.append(stream, ExpectedVersion.noStream(), event)));
                    gate.awaitQueued(i + 1);
                }
            }

            // then
            for (CompletableFuture<AppendResult> append : appends) {
                assertFailsWith(append, diskFull(file));
            }
            assertThat(writer.largestBatch())
                    .as("the appends shared a transaction")
                    .isEqualTo(3);
            assertThat(store.writerStatistics().failedTransactions() - failedBefore)
                    .as("failed transactions")
                    .isEqualTo(1);
            assertThat(store.headPosition()).as("head").isEqualTo(Position.of(10));
            assertThat(store.awaitAppend(Position.of(10), Duration.ZERO))
                    .as("an append after position 10 seen by a waiter")
                    .isFalse();
            assertThat(store.streamInfo("batch-0")).as("a stream of the batch").isEmpty();
            assertThat(readModel(store)).as("the read model").isEqualTo(seenInTheLog(store));

            disk.free(store);
            for (int i = 0; i < batch.size(); i++) {
                EventData event = batch.get(i);
                acknowledged.add(Stored.of(event, store.append("batch-" + i, ExpectedVersion.noStream(), event)));
            }
            assertThat(writer.reconnects() - reconnectsBefore)
                    .as("connections the writer opened after the failure")
                    .isEqualTo(1);
            assertThat(log(store))
                    .as("every acknowledged event, intact, at gap-free positions")
                    .isEqualTo(acknowledged)
                    .extracting(Stored::position)
                    .containsExactlyElementsOf(positions(13));
            assertThat(readModel(store)).as("the read model after the retries").isEqualTo(seenInTheLog(store));
            assertThat(store.checkpoints().load("order_counts"))
                    .as("the projection's checkpoint")
                    .isEqualTo(Position.of(13));
            assertThat(integrityCheck(file)).as("PRAGMA integrity_check").isEqualTo("ok");
        }
    }

    /** What the inline projection saw, as "position event-id stream-version", by position. */
    private static List<String> readModel(SqliteStore store) {
        return store.checkpoints().query(connection -> {
            List<String> seen = new ArrayList<>();
            try (Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery(
                            "SELECT position, event_id, stream_version FROM order_seen_v1 ORDER BY position")) {
                while (rows.next()) {
                    seen.add(rows.getLong(1) + " " + rows.getString(2) + " " + rows.getLong(3));
                }
            }
            return seen;
        });
    }

    /** The log as the inline projection should have seen it. */
    private static List<String> seenInTheLog(SqliteStore store) {
        return log(store).stream()
                .map(event -> event.position() + " " + event.eventId() + " " + event.version())
                .toList();
    }

    @Nested
    class An_io_error {

        @Test
        void fails_an_append_saying_so_and_the_store_takes_writes_again_once_the_disk_works() throws Exception {
            // given
            Path file = SqliteStoreFixture.newFile();
            SqliteStore store = open(file);
            List<Stored> acknowledged = new ArrayList<>(appendSome(store, "order", 10));
            EventData large = event("large", 256 * 1024);

            // when the kernel refuses to write the WAL past a file size limit (EFBIG), which SQLite reports as
            // it reports EIO from a failing disk
            FileSizeLimit limit = FileSizeLimit.of(largestFile(file) + 64 * 1024);
            try {
                assertThatThrownBy(() -> store.append("order-large", ExpectedVersion.noStream(), large))
                        .as("an append the disk fails")
                        .isInstanceOf(StoreException.class)
                        .hasMessage("could not write to the SQLite store " + file.toAbsolutePath()
                                + ": the disk failed under it (SQLITE_IOERR_WRITE); nothing of this write was kept."
                                + " Look at the disk and the kernel log; once the disk works a write succeeds, the"
                                + " store needs no reopen");
            } finally {
                limit.close();
            }

            // then
            acknowledged.add(Stored.of(large, store.append("order-large", ExpectedVersion.noStream(), large)));
            assertThat(log(store))
                    .as("every acknowledged event, intact, at gap-free positions")
                    .isEqualTo(acknowledged)
                    .extracting(Stored::position)
                    .containsExactlyElementsOf(positions(11));
            assertThat(integrityCheck(file)).as("PRAGMA integrity_check").isEqualTo("ok");
        }
    }

    @Nested
    class A_read_only_file {

        @Test
        void fails_appends_saying_so_and_the_store_takes_them_once_the_file_is_writable() throws Exception {
            // given a store file with events that is read-only when the store opens: SQLite opens the write
            // connection read-only, and the store opens (reads work)
            SmallDisk disk = smallDisk();
            Path file = disk.directory().resolve("store.db");
            List<Stored> acknowledged;
            try (SqliteStore first = SqliteStore.open(file)) {
                acknowledged = new ArrayList<>(appendSome(first, "order", 5));
            }
            ReadOnlyFile readOnly = ReadOnlyFile.of(file);
            cleanup.add(readOnly);
            SqliteStore store = open(file);
            EventData event = event("late", 1024);

            // when
            assertThatThrownBy(() -> store.append("order-late", ExpectedVersion.noStream(), event))
                    .as("an append to the read-only file")
                    .isInstanceOf(StoreException.class)
                    .hasMessage("could not write to the SQLite store " + file.toAbsolutePath()
                            + ": it is read-only (SQLITE_READONLY); nothing of this write was kept. Make the file,"
                            + " the -wal and -shm files beside it and their directory writable for this process; a"
                            + " write after that succeeds, the store needs no reopen");
            assertThat(log(store)).as("the events, read meanwhile").isEqualTo(acknowledged);

            // then
            readOnly.close();
            acknowledged.add(Stored.of(event, store.append("order-late", ExpectedVersion.noStream(), event)));
            assertThat(log(store))
                    .as("every acknowledged event, intact, at gap-free positions")
                    .isEqualTo(acknowledged)
                    .extracting(Stored::position)
                    .containsExactlyElementsOf(positions(6));
            assertThat(integrityCheck(file)).as("PRAGMA integrity_check").isEqualTo("ok");
        }
    }

    @Nested
    class A_write_that_fails_with_an_sql_error {

        @Test
        void fails_alone_and_leaves_no_broken_statement_to_the_next_writes_of_its_group_commit() throws Exception {
            // given a snapshot table dropped under the writer's prepared snapshot statement
            Path file = SqliteStoreFixture.newFile();
            SqliteStore store = open(file);
            SnapshotStore snapshots = store.snapshots();
            Instant takenAt = Instant.parse("2026-01-02T03:04:05Z");
            Snapshot first = new Snapshot("order-1", 1, "Order", 1, "{}", takenAt);
            Snapshot second = new Snapshot("order-1", 2, "Order", 1, "{}", takenAt);
            snapshots.save(first);
            store.checkpoints().execute(connection -> {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("DROP TABLE factum_snapshots");
                }
            });

            // when a save fails on it, the table is created again and saved to, in one group commit
            CompletableFuture<Void> failing;
            CompletableFuture<Void> recreate;
            CompletableFuture<Void> saved;
            CompletableFuture<AppendResult> appended;
            try (WriterGate gate = WriterGate.block(store)) {
                failing = CompletableFuture.runAsync(() -> snapshots.save(first));
                gate.awaitQueued(1);
                recreate = CompletableFuture.runAsync(() -> store.checkpoints().execute(connection -> {
                    try (Statement statement = connection.createStatement()) {
                        statement.execute(createSnapshotTable());
                    }
                }));
                gate.awaitQueued(2);
                saved = CompletableFuture.runAsync(() -> snapshots.save(second));
                gate.awaitQueued(3);
                appended = async(() -> store.append("order-1", ExpectedVersion.noStream(), event("a", 10)));
                gate.awaitQueued(4);
            }

            // then only the first save fails
            assertThat(failing)
                    .failsWithin(10, TimeUnit.SECONDS)
                    .withThrowableOfType(ExecutionException.class)
                    .havingCause()
                    .isInstanceOf(StoreException.class)
                    .withMessageStartingWith("could not write to the SQLite store " + file.toAbsolutePath() + ": ")
                    .withMessageContaining("no such table: factum_snapshots")
                    .withMessageEndingWith("; nothing was written");
            assertThat(recreate).as("the table created again").succeedsWithin(10, TimeUnit.SECONDS);
            assertThat(saved).as("the save after it").succeedsWithin(10, TimeUnit.SECONDS);
            assertThat(appended).as("an append beside them").succeedsWithin(10, TimeUnit.SECONDS);
            assertThat(store.writer().largestBatch())
                    .as("the writes shared a transaction")
                    .isEqualTo(4);
            assertThat(snapshots.load("order-1")).as("the snapshot").contains(second);
        }
    }

    @Nested
    class A_failed_read {

        @Test
        void leaves_no_broken_statement_behind_for_the_next_read() throws Exception {
            // given a snapshot store whose read connection has prepared its query
            Path file = SqliteStoreFixture.newFile();
            SqliteStore store = open(file);
            SnapshotStore snapshots = store.snapshots();
            Snapshot snapshot = new Snapshot("order-1", 3, "Order", 1, "{}", Instant.parse("2026-01-02T03:04:05Z"));
            snapshots.save(snapshot);
            assertThat(snapshots.load("order-1")).as("the snapshot").contains(snapshot);

            // when a read fails with an SQL error (sqlite-jdbc finalizes the statement that failed)
            execute(file, "DROP TABLE factum_snapshots");
            assertThatThrownBy(() -> snapshots.load("order-1"))
                    .as("a read of the dropped table")
                    .isInstanceOf(StoreException.class)
                    .hasMessageStartingWith("could not read the snapshot of order-1 from the SQLite store "
                            + file.toAbsolutePath() + ": ")
                    .hasMessageContaining("no such table: factum_snapshots");
            execute(file, createSnapshotTable());
            snapshots.save(snapshot);

            // then the next read works
            assertThat(snapshots.load("order-1"))
                    .as("the snapshot after the table is back")
                    .contains(snapshot);
        }
    }
}
