package io.factum.core.subscription;

import io.factum.core.Position;
import java.util.List;

/**
 * A checkpoint store in the same SQL database as the events, so that a projection's read-model writes and
 * its checkpoint commit in one transaction: each event affects the read model exactly once, also across
 * crashes and competing instances. The SQLite and PostgreSQL stores offer one ({@code
 * store.checkpoints()}, {@code store.checkpoints()}).
 *
 * <p>The SQL a projection writes runs on the store's database: on SQLite through the store's single
 * writer (sharing its group-commit transactions), on PostgreSQL on a pooled connection. Write SQL both
 * understand ({@code INSERT ... ON CONFLICT ... DO UPDATE}, plain types) to run on both.
 *
 * <p><b>Durability.</b> A read model and its checkpoint commit together and can be rebuilt from the log,
 * so the transactions that only move checkpoints and write read models ({@link #commit} and {@link #save}
 * in all their forms) commit <em>without waiting for the disk</em>: PostgreSQL {@code SET LOCAL
 * synchronous_commit = off}, SQLite {@code synchronous=NORMAL} for a group-commit transaction that carries
 * nothing else. A crash of the database (or, on SQLite, of the machine) may lose the last of these commits,
 * never a part of one: the read model and its checkpoint go back together to an earlier state, and the
 * subscription applies the lost tail again, still exactly once. The events themselves are never lost with
 * it: an append waits for the disk before any reader can see its events. Everything else (parking an
 * event, activating a version, {@link #execute}, deleting a checkpoint) waits for the disk, like appends.
 * {@link #withSynchronousCommits()} gives a view whose commits and saves wait too.
 */
public interface SqlCheckpointStore extends CheckpointStore {

    /**
     * Runs {@code work} and moves the checkpoint {@code name} from {@code expected} to {@code next} in one
     * transaction. If the work fails or the checkpoint is elsewhere, the transaction is rolled back and
     * nothing of it is kept.
     *
     * @throws CheckpointConflictException if the checkpoint is not at {@code expected}
     * @throws io.factum.core.StoreException if the work fails (its SQLException is the cause) or the
     *     database cannot be reached
     */
    void commit(String name, Position expected, Position next, SqlWork work);

    /**
     * Like {@link #commit(String, Position, Position, SqlWork)}, and only while {@code fence} is still the
     * bucket's current lease: the fence check, the work and the move commit together.
     *
     * @throws LeaseLostException if the lease was taken over, released or expired; nothing was written
     */
    void commit(String name, Position expected, Position next, Lease fence, SqlWork work);

    /**
     * Runs {@code work} and moves every checkpoint of {@code moves}, each by compare-and-set, in one
     * transaction: the batch of a {@link ProjectionGroup}, whose members share one read of the log and one
     * commit. If the work fails or any checkpoint is elsewhere, nothing of it is kept.
     *
     * @param moves one or more moves of distinct checkpoints
     * @throws CheckpointConflictException naming the first checkpoint (by name) that is not at its expected
     *     position
     * @throws IllegalArgumentException if {@code moves} is empty or names a checkpoint twice
     * @throws io.factum.core.StoreException if the work fails (its SQLException is the cause) or the
     *     database cannot be reached
     */
    void commit(List<CheckpointMove> moves, SqlWork work);

    /**
     * Parks {@code event} and moves the checkpoint of {@code move} over it in one transaction that waits for
     * the disk, so that a crash can never leave an event both parked and to be applied again, nor skipped
     * without a record.
     *
     * @throws CheckpointConflictException if the checkpoint is not at {@code move.expected()}; nothing was
     *     written
     */
    void park(ParkedEvent event, CheckpointMove move);

    /**
     * Like {@link #park(ParkedEvent, CheckpointMove)}, and only while {@code fence} is still the bucket's
     * current lease.
     *
     * @throws LeaseLostException if the lease was taken over, released or expired; nothing was written
     */
    void park(ParkedEvent event, CheckpointMove move, Lease fence);

    /**
     * This store with commits and saves that wait for the disk like appends do: for read models that are
     * expensive to apply again after a crash of the database, and to measure what asynchronous commits
     * save. It shares everything else with this store.
     */
    SqlCheckpointStore withSynchronousCommits();

    /** Runs {@code work} in a transaction of its own (creating or dropping a read model's tables). */
    void execute(SqlWork work);

    /**
     * Runs a read on a connection of the store's database, outside any write (queries of read models).
     *
     * @throws io.factum.core.StoreException if the query fails (its SQLException is the cause)
     */
    <T> T query(SqlQuery<T> query);

    /**
     * Runs a read and reads the checkpoint {@code name} in one read-only transaction that sees one snapshot
     * of the database (PostgreSQL {@code REPEATABLE READ}, a SQLite read transaction): the position
     * answered is the one the checkpoint had in the very state the query read. A read model and its
     * checkpoint commit together, so the answer reflects every event up to that position.
     *
     * @return the query's result and the checkpoint's position ({@link Position#START} if it has none)
     * @throws io.factum.core.StoreException if the query fails (its SQLException is the cause)
     */
    <T> Answer<T> queryWithCheckpoint(String name, SqlQuery<T> query);

    /**
     * True if queries read a streaming replica, whose snapshot may be older than the checkpoints saved on
     * the primary: an answer's position is then only the checkpoint the replica has replayed, and a query
     * at a position waits for the replica too ({@link ProjectionSubscription#answer(io.factum.core.Position,
     * java.time.Duration, ReadModelQuery)}).
     */
    default boolean queriesReplica() {
        return false;
    }
}
