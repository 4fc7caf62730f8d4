package io.factum.core.aggregate;

import java.time.Duration;

/**
 * When a repository takes a new snapshot after loading an aggregate: after enough events since the last
 * one, or when the load took too long.
 */
@FunctionalInterface
public interface SnapshotPolicy {

    /**
     * @param eventsReplayed events read and applied after the snapshot used (or from the start)
     * @param loadTime how long the load took
     */
    boolean shouldSnapshot(int eventsReplayed, Duration loadTime);

    /** Never snapshot. */
    static SnapshotPolicy never() {
        return (events, time) -> false;
    }

    /** Snapshot once {@code count} or more events had to be replayed. */
    static SnapshotPolicy everyEvents(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("a snapshot interval must be 1 or more events, got " + count);
        }
        return (events, time) -> events >= count;
    }

    /** Snapshot when a load (with at least one event replayed) took longer than {@code bound}. */
    static SnapshotPolicy whenLoadSlowerThan(Duration bound) {
        return (events, time) -> events > 0 && time.compareTo(bound) > 0;
    }

    /** Snapshot when either policy says so. */
    default SnapshotPolicy or(SnapshotPolicy other) {
        return (events, time) -> shouldSnapshot(events, time) || other.shouldSnapshot(events, time);
    }
}
