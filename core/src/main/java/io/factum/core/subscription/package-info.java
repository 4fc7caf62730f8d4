/**
 * The read side: subscriptions that read the global log from a durable checkpoint (catching up, then
 * live), projections that build read models from it (exactly once in the store's own database, at least
 * once anywhere else, inline inside the append), blue/green rebuilds of versioned projections, waiting for
 * a read model to reach a position, and consumer groups that split the log into buckets leased by the
 * members of a group.
 *
 * <p>The stores plug in through {@link io.factum.core.subscription.CheckpointStore}, {@link
 * io.factum.core.subscription.SqlCheckpointStore} and {@link io.factum.core.subscription.LeaseStore}; each
 * store module offers its own (for example {@code store.checkpoints()}).
 */
@NullMarked
package io.factum.core.subscription;

import org.jspecify.annotations.NullMarked;
