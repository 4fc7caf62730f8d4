package io.factum.core.subscription;

import io.factum.core.Position;
import java.time.Duration;

/**
 * A running SQL projection and the way to query its read model.
 *
 * <p><b>Versions and rebuilds.</b> The first version to run is activated at once. When the code's {@link
 * SqlProjection#version()} is higher than the active one, the new version builds into its own tables from
 * the start of the log ({@link ProjectionContext#rebuilding()} is true meanwhile) while queries keep reading
 * the active version; when it has caught up with the head, queries switch to it, the old version's tables
 * are dropped and its checkpoint removed. While this process rebuilds, the old version is updated only by
 * processes still running the old code. An instance whose version is older than the active one stops with
 * {@link SubscriptionState#FAILED}.
 */
public interface ProjectionSubscription extends Subscription {

    /** The context (version, table names) queries read now. */
    ProjectionContext active();

    /**
     * Runs a query on the active version's tables.
     *
     * @throws io.factum.core.StoreException if the query fails
     */
    <T> T query(ReadModelQuery<T> query);

    /**
     * Waits (at most {@code timeout}) until the read model queries read has passed {@code atLeast}, then
     * runs the query: read-your-writes with the position of a command's result, and monotonic reads with
     * the position of an earlier {@link Answer}. The same as {@link #answer(Position, Duration,
     * ReadModelQuery)} without the position. A store that reads a streaming replica also waits, within the
     * same timeout, for the replica to replay the read model that far.
     *
     * @throws StaleReadModelException if the read model did not get there in time
     * @throws io.factum.core.StoreException if the query fails
     */
    <T> T query(Position atLeast, Duration timeout, ReadModelQuery<T> query);

    /**
     * Runs a query on the active version's tables and answers with the position the answer reflects: the
     * active version's checkpoint, read in the same database snapshot as the query (see {@link
     * SqlCheckpointStore#queryWithCheckpoint}), or what this process knows its subscription has passed, if
     * that is further (events past the checkpoint that the projection does not read).
     *
     * @throws io.factum.core.StoreException if the query fails
     */
    <T> Answer<T> answer(ReadModelQuery<T> query);

    /**
     * Like {@link #answer(ReadModelQuery)}, once the read model reflects {@code atLeast}: waits (at most
     * {@code timeout}) until this process's subscription has passed it or the checkpoint in the database
     * has (another process sharing the read model may have moved it), so the answer's position is at or
     * after {@code atLeast}. Give it the position of a command's result (read-your-writes) or of an
     * earlier answer (monotonic reads).
     *
     * @throws StaleReadModelException if the read model did not get there in time
     * @throws io.factum.core.StoreException if the query fails
     */
    <T> Answer<T> answer(Position atLeast, Duration timeout, ReadModelQuery<T> query);
}
