package io.factum.store.sqlite;

import io.factum.core.EventStore;
import io.factum.core.SqlEventStore;
import io.factum.core.StoreException;
import io.factum.core.StoreOptions;
import io.factum.core.aggregate.SnapshotStore;
import io.factum.core.gdpr.SubjectKeyStore;
import io.factum.core.process.DeadlineStore;
import io.factum.core.subscription.LeaseStore;
import io.factum.core.subscription.ProjectionException;
import io.factum.core.subscription.SqlCheckpointStore;
import io.factum.core.subscription.SqlProjection;
import java.nio.file.Path;
import java.util.List;

/**
 * Factum's embedded event store, and how to open it: a single SQLite file in WAL mode with {@code synchronous=FULL}, so an
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
 * <p>When the storage fails under a write (the disk is full, the file is read-only, the disk reports an I/O
 * error), the write fails with {@link StoreException}, and so does every write that shares its transaction:
 * none is acknowledged and nothing of them is kept, and the message says what happened and what to do. The
 * writer then opens a new connection, so writes succeed again as soon as the cause is gone; the store needs
 * no reopen. Acknowledged events stay intact.
 *
 * <p>The global position is SQLite's {@code AUTOINCREMENT} row id; the transaction id of every position is 0.
 */
public interface SqliteEventStore extends SqlEventStore {

    /**
     * Opens (creating if needed) the store in {@code file} with the system clock and default limits.
     *
     * @throws StoreException if the file cannot be opened or its schema cannot be created or migrated
     */
    static SqliteEventStore open(Path file) {
        return open(file, StoreOptions.defaults());
    }

    /**
     * Opens (creating if needed) the store in {@code file} with the given clock and limits. Missing parent
     * directories are created.
     *
     * @throws StoreException if the file cannot be opened or its schema cannot be created or migrated
     */
    static SqliteEventStore open(Path file, StoreOptions options) {
        return SqliteStore.open(file, options);
    }

    /**
     * Opens (creating if needed) the store in {@code file} with SQL projections that run inline: inside the
     * transaction of every append, so a read model is current when the append returns (read-your-writes
     * without waiting).
     *
     * <p>For each event of an append that matches its {@link SqlProjection#filter()}, a projection's {@link
     * SqlProjection#apply} runs on the write connection after the events were inserted, and its checkpoint
     * (named after the projection) moves to the append's last position, all in the append's transaction.
     * If a projection throws, the append fails with {@link ProjectionException} (naming the projection, the
     * stream and the event's position) and nothing of it is kept; other appends that share its group-commit
     * transaction are not affected.
     *
     * <p>Before this method returns, so before any append of this process, each projection is made ready in
     * a write transaction of its own:
     *
     * <ul>
     *   <li>its tables are created ({@link SqlProjection#create}, which must use {@code IF NOT EXISTS});
     *   <li>if no version of it is active yet, or another version than {@link SqlProjection#version()} is, the
     *       log is replayed from its start into this version's tables (the context's {@code rebuilding} is
     *       true), this version is activated and the old version's tables are dropped ({@link
     *       SqlProjection#drop} with the old version's context);
     *   <li>if this version is active, the events appended since its checkpoint (by this file's users while
     *       it was not registered) are applied;
     *   <li>its checkpoint is moved to the head of the log.
     * </ul>
     *
     * A replay runs in one transaction, so it blocks other writers to the file while it runs. Appends made
     * by another process that opened the file without the projection are applied only the next time the
     * store is opened with it. Checkpoints and active versions live in the tables of {@link #checkpoints()}.
     *
     * @param inlineProjections the projections, with distinct names
     * @throws IllegalArgumentException if two projections have the same name, or a name or version is
     *     invalid
     * @throws ProjectionException if a projection fails while it is rebuilt or caught up; the store is closed
     * @throws StoreException if the file cannot be opened, its schema cannot be migrated, or a projection's
     *     tables cannot be created or dropped
     */
    static SqliteEventStore open(Path file, StoreOptions options, List<SqlProjection> inlineProjections) {
        return SqliteStore.open(file, options, inlineProjections);
    }

    /**
     * The checkpoint store kept in the same file as {@code store}'s events ({@code factum_checkpoints},
     * {@code factum_parked_events}, {@code factum_projection_versions}), for subscriptions and SQL
     * projections. Every write, and every {@link SqlCheckpointStore#commit} with its work, is one operation
     * of the store's single writer, sharing its group-commit transactions with appends: the compare-and-set,
     * the fence check against {@link #leases()}, the work and the move commit together or not at all (a failing
     * work is rolled back to its savepoint, and surfaces as {@link StoreException} with its SQLException as
     * the cause). {@link SqlCheckpointStore#query} runs on one of the store's read connections, which are
     * read-only. Fences are judged by the store's clock ({@link StoreOptions#clock()}). Thread-safe; refuses
     * every call with {@link StoreException} once the store is closed.
     *
     */
    @Override
    SqlCheckpointStore checkpoints();

    /**
     * The lease store of consumer groups kept in the same file as {@code store}'s events ({@code
     * factum_group_members}, {@code factum_leases}), so members in several processes on the same file share
     * it. Expiry is judged by the store's clock ({@link StoreOptions#clock()}). Changes go through the
     * store's writer, so an acquire's check and change are one atomic step; {@link LeaseStore#holds} and
     * {@link LeaseStore#leases} read on a read connection. Thread-safe.
     *
     */
    @Override
    LeaseStore leases();

    /**
     * The deadline store kept in the same file as {@code store}'s events ({@code factum_deadlines}), so a
     * deadline whose time passed while the application was down is due when it opens the file again. Times
     * are kept to the microsecond. Changes go through the store's writer, reads use its read connections.
     * Thread-safe.
     *
     */
    @Override
    DeadlineStore deadlines();

    /**
     * The subject key store kept in the same file as {@code store}'s events ({@code factum_subject_keys}),
     * for crypto-shredding with {@code EventSerializer.withPersonalData}. Creating a key and forgetting a
     * subject go through the store's writer, so racing creators (threads or processes on the same file)
     * end with one key, and a forget deletes the key bytes in one statement; lookups use the read
     * connections. Keys are kept in the clear in the file (see docs/gdpr.md). Thread-safe.
     *
     */
    @Override
    SubjectKeyStore subjectKeys();

    /**
     * What the store's single writer has done since the store opened: for metrics, and to count what a
     * workload costs in commits and in waits for the disk.
     *
     * @param transactions the transactions the writer committed (or tried to): one per group-commit batch
     * @param durableTransactions those of them that waited for the disk ({@code synchronous=FULL}): every
     *     transaction that carried an append or another durable write; the others carried only read-model
     *     commits and checkpoint saves
     * @param writes the writes those transactions carried (appends, commits, saves, ...)
     * @param failedTransactions those of the transactions that failed as a whole, every write in them with a
     *     {@link StoreException}: the disk was full, the file read-only, the disk failed, or the transaction
     *     could not begin (another process held the file's write lock) or commit. After each, the writer
     *     opens a new connection for the next transaction; a count that keeps rising means writes keep
     *     failing (the exception's message says why)
     */
    record WriterStatistics(long transactions, long durableTransactions, long writes, long failedTransactions) {}

    /** The statistics of the store's writer, now. */
    WriterStatistics writerStatistics();

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
     * SqliteEventStore store = SqliteEventStore.open(Path.of("factum.db"));
     * var accounts = DeciderRepository.builder(store, serializer, "account", decider, AccountEvent.class)
     *         .snapshots(store.snapshots(), SnapshotPolicy.everyEvents(100), Account.class, 1)
     *         .build();
     * }</pre>
     *
     */
    @Override
    SnapshotStore snapshots();
}
