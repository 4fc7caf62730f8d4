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
     * the position of an earlier answer. A store that reads a streaming replica also waits, within the same
     * timeout, for the replica to replay the read model that far ({@link SqlCheckpointStore#query(String,
     * Position, Duration, SqlQuery)}).
     *
     * @throws StaleReadModelException if the read model did not get there in time
     * @throws io.factum.core.StoreException if the query fails
     */
    <T> T query(Position atLeast, Duration timeout, ReadModelQuery<T> query);
}
