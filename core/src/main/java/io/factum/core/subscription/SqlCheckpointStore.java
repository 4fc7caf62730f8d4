package io.factum.core.subscription;

import io.factum.core.Position;

/**
 * A checkpoint store in the same SQL database as the events, so that a projection's read-model writes and
 * its checkpoint commit in one transaction: each event affects the read model exactly once, also across
 * crashes and competing instances. The SQLite and PostgreSQL stores offer one ({@code
 * SqliteEventStore.checkpoints(store)}, {@code PostgresEventStore.checkpoints(store)}).
 *
 * <p>The SQL a projection writes runs on the store's database: on SQLite through the store's single
 * writer (sharing its group-commit transactions), on PostgreSQL on a pooled connection. Write SQL both
 * understand ({@code INSERT ... ON CONFLICT ... DO UPDATE}, plain types) to run on both.
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

    /** Runs {@code work} in a transaction of its own (creating or dropping a read model's tables). */
    void execute(SqlWork work);

    /**
     * Runs a read on a connection of the store's database, outside any write (queries of read models).
     *
     * @throws io.factum.core.StoreException if the query fails (its SQLException is the cause)
     */
    <T> T query(SqlQuery<T> query);
}
