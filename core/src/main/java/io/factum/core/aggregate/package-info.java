/**
 * The write side's model: aggregates in two styles (a functional {@link io.factum.core.aggregate.Decider}
 * and the classic {@link io.factum.core.aggregate.AggregateRoot}), repositories that load them from their
 * events (after a snapshot, or as of a version or a time) and save what they decided with optimistic
 * concurrency, and snapshots.
 */
@NullMarked
package io.factum.core.aggregate;

import org.jspecify.annotations.NullMarked;
