package io.factum.core.aggregate;

import io.factum.core.spi.SnapshotValidation;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where snapshots are kept: one per stream, the newest. Snapshots are a cache: losing one costs a slower
 * load, never a wrong state. Implementations are thread-safe.
 */
public interface SnapshotStore {

    /**
     * The stream's snapshot, if any.
     *
     * @throws IllegalArgumentException if the stream id breaks the rules of {@link io.factum.core.StreamIds}
     */
    Optional<Snapshot> load(String streamId);

    /**
     * Keeps the snapshot unless the stream already has one at a higher version (one at the same version is
     * replaced). Of concurrent saves for one stream, the highest version stays.
     *
     * @throws IllegalArgumentException if the stream id breaks the rules of {@link io.factum.core.StreamIds},
     *     the version is negative, the type blank, or the data not one well-formed JSON document or one with
     *     the character U+0000 in a string (see {@link SnapshotValidation}); nothing is kept
     */
    void save(Snapshot snapshot);

    /** Snapshots kept in memory, for tests and single-process use. */
    static SnapshotStore inMemory() {
        ConcurrentHashMap<String, Snapshot> snapshots = new ConcurrentHashMap<>();
        return new SnapshotStore() {
            @Override
            public Optional<Snapshot> load(String streamId) {
                return Optional.ofNullable(snapshots.get(SnapshotValidation.requireStreamId(streamId)));
            }

            @Override
            public void save(Snapshot snapshot) {
                SnapshotValidation.requireValid(snapshot);
                snapshots.merge(
                        snapshot.streamId(), snapshot, (old, fresh) -> fresh.version() >= old.version() ? fresh : old);
            }
        };
    }
}
