package io.factum.store.sqlite;

import io.factum.core.EventStore;
import io.factum.core.StoreException;
import io.factum.core.StoreOptions;
import io.factum.core.aggregate.SnapshotStore;
import java.nio.file.Path;

/**
 * Opens Factum's embedded event store: a single SQLite file in WAL mode with {@code synchronous=FULL}, so an
 * acknowledged append survives a crash or power loss.
 *
 * <p>The store creates its schema on first open and migrates it on later opens ({@code factum_*} tables,
 * versions in {@code factum_schema_version}). Appends from all threads go to one writer thread that
 * coalesces what is waiting into one {@code BEGIN IMMEDIATE} transaction (group commit); each append still
 * succeeds or fails on its own expected version and idempotency, and is acknowledged only after the
 * transaction committed. Reads use a small pool of read connections and return one bounded page each.
 *
 * <p>Several processes may open the same file: writes are serialized by SQLite's write lock (waiting up to
 * the busy timeout), and stream versions are read inside the write transaction. {@link
 * EventStore#awaitAppend} wakes up at once for appends made through the same store object; appends made by
 * another process (or another store object on the same file) are noticed by a cheap check of the log's head
 * about every 200 ms while a caller waits.
 *
 * <p>The global position is SQLite's {@code AUTOINCREMENT} row id; the transaction id of every position is 0.
 */
public final class SqliteEventStore {

    private SqliteEventStore() {}

    /**
     * Opens (creating if needed) the store in {@code file} with the system clock and default limits.
     *
     * @throws StoreException if the file cannot be opened or its schema cannot be created or migrated
     */
    public static EventStore open(Path file) {
        return open(file, StoreOptions.defaults());
    }

    /**
     * Opens (creating if needed) the store in {@code file} with the given clock and limits. Missing parent
     * directories are created.
     *
     * @throws StoreException if the file cannot be opened or its schema cannot be created or migrated
     */
    public static EventStore open(Path file, StoreOptions options) {
        return SqliteStore.open(file, options);
    }

    /**
     * The snapshot store kept in the same file as {@code store}'s events, for {@code
     * DeciderRepository.Builder.snapshots}. One snapshot per stream, replaced only by one at the same or a
     * higher version, so concurrent saves (from several threads or processes) end with the highest.
     *
     * <p>Saves go through the store's single writer and share its group-commit transactions with appends,
     * so neither waits on the other longer than on another append. Loads use the store's read connections.
     * The taken-at time is kept to the microsecond. The snapshot store is thread-safe, lives as long as the
     * event store, and refuses every call with {@link StoreException} once it is closed. Snapshots are not
     * removed when their stream is deleted.
     *
     * <pre>{@code
     * EventStore store = SqliteEventStore.open(Path.of("factum.db"));
     * var accounts = DeciderRepository.builder(store, serializer, "account", decider, AccountEvent.class)
     *         .snapshots(SqliteEventStore.snapshots(store), SnapshotPolicy.everyEvents(100), Account.class, 1)
     *         .build();
     * }</pre>
     *
     * @param store a store returned by {@link #open}
     * @throws IllegalArgumentException if {@code store} is not a SQLite store opened by this class
     */
    public static SnapshotStore snapshots(EventStore store) {
        if (store instanceof SqliteStore sqlite) {
            return sqlite.snapshots();
        }
        throw new IllegalArgumentException("SqliteEventStore.snapshots needs a store from SqliteEventStore.open, got "
                + store.getClass().getName() + " (" + store + ")");
    }
}
