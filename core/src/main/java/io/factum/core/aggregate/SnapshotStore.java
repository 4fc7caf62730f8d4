package io.factum.core.aggregate;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where snapshots are kept: one per stream, the newest. Snapshots are a cache: losing one costs a slower
 * load, never a wrong state. Implementations are thread-safe.
 */
public interface SnapshotStore {

    /** The stream's snapshot, if any. */
    Optional<Snapshot> load(String streamId);

    /** Keeps the snapshot unless the stream already has one at a higher version. */
    void save(Snapshot snapshot);

    /** Snapshots kept in memory, for tests and single-process use. */
    static SnapshotStore inMemory() {
        ConcurrentHashMap<String, Snapshot> snapshots = new ConcurrentHashMap<>();
        return new SnapshotStore() {
            @Override
            public Optional<Snapshot> load(String streamId) {
                return Optional.ofNullable(snapshots.get(streamId));
            }

            @Override
            public void save(Snapshot snapshot) {
                snapshots.merge(
                        snapshot.streamId(), snapshot, (old, fresh) -> fresh.version() >= old.version() ? fresh : old);
            }
        };
    }
}
