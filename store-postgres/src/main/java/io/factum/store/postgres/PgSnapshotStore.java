package io.factum.store.postgres;

import io.factum.core.StoreException;
import io.factum.core.aggregate.Snapshot;
import io.factum.core.aggregate.SnapshotStore;
import io.factum.core.spi.SnapshotValidation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Snapshots in the {@code snapshots} table of a store; see {@link PostgresEventStore#snapshots}. Each save
 * and each load is one statement on a connection borrowed from the store's pool, in autocommit: snapshots
 * are a cache, so saves do not go through the group-commit writers and never wait behind appends.
 */
final class PgSnapshotStore implements SnapshotStore {

    private static final int RETRIES = 3;

    private final DataSource dataSource;
    private final String table;
    private final Runnable checkOpen;
    private final String upsertSql;
    private final String selectSql;

    /**
     * A snapshot store on the store's pool.
     *
     * @param checkOpen throws {@link StoreException} once the event store is closed
     */
    PgSnapshotStore(DataSource dataSource, Tables tables, Runnable checkOpen) {
        this.dataSource = dataSource;
        this.table = tables.snapshots();
        this.checkOpen = checkOpen;
        // The upsert decides under the row's lock, so of racing saves (even from other processes) the one
        // at the highest version stays; one at the same version replaces the row.
        this.upsertSql = "INSERT INTO " + table + " AS s (stream_id, version, schema_version, type, data, recorded_at)"
                + " VALUES (?, ?, ?, ?, ?::jsonb, ?)"
                + " ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version,"
                + " schema_version = excluded.schema_version, type = excluded.type, data = excluded.data,"
                + " recorded_at = excluded.recorded_at"
                + " WHERE excluded.version >= s.version";
        this.selectSql =
                "SELECT version, schema_version, type, data::text, recorded_at FROM " + table + " WHERE stream_id = ?";
    }

    /**
     * {@inheritDoc}
     *
     * @throws StoreException if the store is closed or the database cannot be read
     */
    @Override
    public Optional<Snapshot> load(String streamId) {
        SnapshotValidation.requireStreamId(streamId);
        checkOpen.run();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(selectSql)) {
            statement.setString(1, streamId);
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Snapshot(
                        streamId,
                        rs.getLong(1),
                        rs.getString(3),
                        rs.getInt(2),
                        rs.getString(4),
                        rs.getObject(5, OffsetDateTime.class).toInstant()));
            }
        } catch (SQLException e) {
            throw new StoreException(
                    "could not read the snapshot of " + streamId + " from " + table + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Returns once the snapshot (or the decision to keep a newer one) is committed. The taken-at time is
     * kept to the microsecond (truncated). The data is kept as {@code jsonb}: the same meaning, not the
     * same text (key order and spacing may change).
     *
     * @throws IllegalArgumentException also if the database refuses a value (SQLSTATE class 22, such as a
     *     number beyond {@code jsonb}'s range or a taken-at time beyond {@code timestamptz}'s); nothing is
     *     kept
     * @throws StoreException if the store is closed or the write fails; nothing was kept
     */
    @Override
    public void save(Snapshot snapshot) {
        SnapshotValidation.requireValid(snapshot);
        OffsetDateTime takenAt;
        try {
            takenAt = OffsetDateTime.ofInstant(snapshot.takenAt().truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(
                    "snapshot of " + snapshot.streamId() + ": taken-at " + snapshot.takenAt() + " cannot be stored", e);
        }
        checkOpen.run();
        for (int attempt = 1; ; attempt++) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(true);
                try (PreparedStatement statement = connection.prepareStatement(upsertSql)) {
                    statement.setString(1, snapshot.streamId());
                    statement.setLong(2, snapshot.version());
                    statement.setInt(3, snapshot.schemaVersion());
                    statement.setString(4, snapshot.type());
                    statement.setString(5, snapshot.data());
                    statement.setObject(6, takenAt);
                    statement.executeUpdate();
                    return;
                }
            } catch (SQLException e) {
                if (Sql.isDataError(e)) {
                    throw new IllegalArgumentException(
                            "snapshot of " + snapshot.streamId() + ": refused by PostgreSQL: " + e.getMessage(), e);
                }
                if (!Sql.isRetryable(e) || attempt == RETRIES) {
                    throw new StoreException(
                            "could not save the snapshot of " + snapshot.streamId() + " in " + table + ": "
                                    + e.getMessage(),
                            e);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "PgSnapshotStore[" + table + "]";
    }
}
