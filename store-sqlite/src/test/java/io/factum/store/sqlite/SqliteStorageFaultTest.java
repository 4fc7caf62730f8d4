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
import io.factum.core.aggregate.Snapshot;
import io.factum.core.aggregate.SnapshotStore;
import io.factum.core.subscription.SqlProjection;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
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

    private EventStore open(Path file) {
        return open(file, List.of());
    }

    private EventStore open(Path file, List<SqlProjection> projections) {
        EventStore store = SqliteEventStore.open(file, StoreOptions.defaults(), projections);
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
    private static List<Stored> appendSome(EventStore store, String prefix, int count) {
        List<Stored> stored = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            EventData event = event(prefix + i, 1024);
            stored.add(Stored.of(event, store.append(prefix + "-" + i, ExpectedVersion.noStream(), event)));
        }
        return stored;
    }

    /** Every event of the log, in order. */
    private static List<Stored> log(EventStore store) {
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

    private static String diskFull(Path file) {
        return "the disk holding the SQLite store " + file.toAbsolutePath()
                + " is full (SQLITE_FULL); nothing of this write was kept. Free space on that disk; a write"
                + " after that succeeds, the store needs no reopen";
    }

    @Nested
    class A_full_disk {

        @Test
        void fails_an_append_saying_so_and_takes_it_once_space_is_freed_without_a_reopen() throws Exception {
            // given a store with acknowledged events on a disk that then fills up
            SmallDisk disk = smallDisk();
            Path file = disk.directory().resolve("store.db");
            EventStore store = open(file);
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

            // then, once space is freed, the same store object takes it
            disk.free(store);
            AppendResult result = store.append("order-large", ExpectedVersion.noStream(), large);
            acknowledged.add(Stored.of(large, result));
            acknowledged.addAll(appendSome(store, "after", 3));

            assertThat(result.position()).as("the large event's position").isEqualTo(Position.of(21));
            assertThat(log(store))
                    .as("every acknowledged event, intact, at gap-free positions")
                    .isEqualTo(acknowledged)
                    .extracting(Stored::position)
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 24)
                            .boxed()
                            .toList());
            assertThat(integrityCheck(file)).as("PRAGMA integrity_check").isEqualTo("ok");
        }
    }

    @Nested
    class A_failed_read {

        @Test
        void leaves_no_broken_statement_behind_for_the_next_read() throws Exception {
            // given a snapshot store whose read connection has prepared its query
            Path file = SqliteStoreFixture.newFile();
            EventStore store = open(file);
            SnapshotStore snapshots = SqliteEventStore.snapshots(store);
            Snapshot snapshot = new Snapshot("order-1", 3, "Order", 1, "{}", Instant.parse("2026-01-02T03:04:05Z"));
            snapshots.save(snapshot);
            assertThat(snapshots.load("order-1")).as("the snapshot").contains(snapshot);

            // when a read fails with an SQL error (sqlite-jdbc finalizes the statement that failed)
            String create = Schema.MIGRATIONS.get(0).statements().stream()
                    .filter(sql -> sql.contains("CREATE TABLE factum_snapshots"))
                    .findFirst()
                    .orElseThrow();
            execute(file, "DROP TABLE factum_snapshots");
            assertThatThrownBy(() -> snapshots.load("order-1"))
                    .as("a read of the dropped table")
                    .isInstanceOf(StoreException.class)
                    .hasMessageStartingWith("could not read the snapshot of order-1 from the SQLite store "
                            + file.toAbsolutePath() + ": ")
                    .hasMessageContaining("no such table: factum_snapshots");
            execute(file, create);
            snapshots.save(snapshot);

            // then the next read works
            assertThat(snapshots.load("order-1"))
                    .as("the snapshot after the table is back")
                    .contains(snapshot);
        }
    }
}
