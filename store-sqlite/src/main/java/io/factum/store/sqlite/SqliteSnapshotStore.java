package io.factum.store.sqlite;

import io.factum.core.StoreException;
import io.factum.core.aggregate.Snapshot;
import io.factum.core.aggregate.SnapshotStore;
import io.factum.core.spi.SnapshotValidation;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/**
 * Snapshots in the {@code factum_snapshots} table of a store's file; see {@link
 * SqliteEventStore#snapshots}. Saves run on the store's writer, loads on its read pool.
 */
final class SqliteSnapshotStore implements SnapshotStore {

    /**
     * Inserts a stream's snapshot or replaces the one it has, unless that one is at a higher version. The
     * upsert decides inside the write transaction, so racing saves (even from other processes) cannot let an
     * older snapshot win.
     */
    static final String UPSERT = """
            INSERT INTO factum_snapshots (stream_id, version, schema_version, type, data, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (stream_id) DO UPDATE SET
                version = excluded.version,
                schema_version = excluded.schema_version,
                type = excluded.type,
                data = excluded.data,
                recorded_at = excluded.recorded_at
            WHERE excluded.version >= factum_snapshots.version""";

    private static final String SELECT =
            "SELECT version, schema_version, type, data, recorded_at FROM factum_snapshots WHERE stream_id = ?";

    private final String file;
    private final Writer writer;
    private final ReadPool reads;

    SqliteSnapshotStore(String file, Writer writer, ReadPool reads) {
        this.file = file;
        this.writer = writer;
        this.reads = reads;
    }

    /**
     * {@inheritDoc}
     *
     * @throws StoreException if the store is closed or the file cannot be read
     */
    @Override
    public Optional<Snapshot> load(String streamId) {
        SnapshotValidation.requireStreamId(streamId);
        return reads.read("the snapshot of " + streamId, lease -> {
            PreparedStatement query = lease.prepare(SELECT);
            query.setString(1, streamId);
            try (ResultSet rows = query.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Snapshot(
                        streamId,
                        rows.getLong(1),
                        rows.getString(3),
                        rows.getInt(2),
                        rows.getString(4),
                        Rows.instant(rows.getLong(5))));
            }
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>Returns once the snapshot (or the decision to keep a newer one) is committed.
     *
     * @throws StoreException if the store is closed or the write fails; nothing was kept
     */
    @Override
    public void save(Snapshot snapshot) {
        SnapshotValidation.requireValid(snapshot);
        writer.submit(session -> {
            session.saveSnapshot(snapshot);
            return Boolean.TRUE;
        });
    }

    @Override
    public String toString() {
        return "SqliteSnapshotStore[" + file + "]";
    }
}
