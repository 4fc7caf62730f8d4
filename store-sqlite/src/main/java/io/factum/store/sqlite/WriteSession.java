package io.factum.store.sqlite;

import io.factum.core.EventData;
import io.factum.core.Position;
import io.factum.core.StreamIds;
import io.factum.core.StreamState;
import io.factum.core.spi.StoredEventId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The write connection and its prepared statements. Used only by the writer thread, inside the {@code BEGIN
 * IMMEDIATE} transaction of a batch; each write of the batch runs inside its own savepoint.
 */
final class WriteSession implements AutoCloseable {

    private final Connection connection;
    private final PreparedStatement begin;
    private final PreparedStatement commit;
    private final PreparedStatement rollback;
    private final PreparedStatement savepoint;
    private final PreparedStatement release;
    private final PreparedStatement rollbackToSavepoint;
    private final PreparedStatement selectStream;
    private final PreparedStatement insertStream;
    private final PreparedStatement updateStream;
    private final PreparedStatement insertEvent;
    private final PreparedStatement lastInsertRowId;
    private final PreparedStatement selectEventById;

    WriteSession(Connection connection) throws SQLException {
        this.connection = connection;
        this.begin = connection.prepareStatement("BEGIN IMMEDIATE");
        this.commit = connection.prepareStatement("COMMIT");
        this.rollback = connection.prepareStatement("ROLLBACK");
        this.savepoint = connection.prepareStatement("SAVEPOINT factum_write");
        this.release = connection.prepareStatement("RELEASE factum_write");
        this.rollbackToSavepoint = connection.prepareStatement("ROLLBACK TO factum_write");
        this.selectStream = connection.prepareStatement(StreamRow.SELECT);
        this.insertStream = connection.prepareStatement(
                "INSERT INTO factum_streams (stream_id, category, last_version, state, metadata) VALUES (?, ?, ?, ?, ?)");
        this.updateStream = connection.prepareStatement(
                "UPDATE factum_streams SET last_version = ?, state = ?, metadata = ? WHERE stream_id = ?");
        this.insertEvent = connection.prepareStatement("""
                INSERT INTO factum_events
                    (event_id, stream_id, stream_version, category, type, schema_version, data, metadata, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""");
        this.lastInsertRowId = connection.prepareStatement("SELECT last_insert_rowid()");
        this.selectEventById = connection.prepareStatement(
                "SELECT stream_id, stream_version, global_position FROM factum_events WHERE event_id = ?");
    }

    void begin() throws SQLException {
        begin.execute();
    }

    void commit() throws SQLException {
        commit.execute();
    }

    /**
     * Rolls back the batch's transaction, adding a failure to do so to {@code cause}. SQLite may have rolled
     * back already (after an I/O error, say); the failing ROLLBACK is then harmless.
     */
    void rollbackQuietly(Throwable cause) {
        try {
            rollback.execute();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    void savepoint() throws SQLException {
        savepoint.execute();
    }

    void release() throws SQLException {
        release.execute();
    }

    /** Undoes what the current write did so far; the savepoint stays open. */
    void rollbackToSavepoint() throws SQLException {
        rollbackToSavepoint.execute();
    }

    @Nullable
    StreamRow stream(String streamId) throws SQLException {
        return StreamRow.find(selectStream, streamId);
    }

    void insertStream(String streamId, long lastVersion, StreamState state, String metadata) throws SQLException {
        insertStream.setString(1, streamId);
        insertStream.setString(2, StreamIds.category(streamId));
        insertStream.setLong(3, lastVersion);
        insertStream.setString(4, state.name());
        insertStream.setString(5, metadata);
        insertStream.executeUpdate();
    }

    void updateStream(String streamId, long lastVersion, StreamState state, String metadata) throws SQLException {
        updateStream.setLong(1, lastVersion);
        updateStream.setString(2, state.name());
        updateStream.setString(3, metadata);
        updateStream.setString(4, streamId);
        updateStream.executeUpdate();
    }

    /**
     * Inserts the events at consecutive versions from {@code firstVersion}.
     *
     * @return the global position of the last one
     */
    long insertEvents(String streamId, long firstVersion, List<EventData> events, Instant recordedAt)
            throws SQLException {
        String category = StreamIds.category(streamId);
        long micros = Rows.micros(recordedAt);
        int count = events.size();
        for (int i = 0; i < count; i++) {
            EventData event = events.get(i);
            insertEvent.setBytes(1, Rows.bytes(event.eventId()));
            insertEvent.setString(2, streamId);
            insertEvent.setLong(3, firstVersion + i);
            insertEvent.setString(4, category);
            insertEvent.setString(5, event.type());
            insertEvent.setInt(6, event.schemaVersion());
            insertEvent.setString(7, event.data());
            insertEvent.setString(8, event.metadata());
            insertEvent.setLong(9, micros);
            if (count == 1) {
                insertEvent.executeUpdate();
            } else {
                insertEvent.addBatch();
            }
        }
        if (count > 1) {
            try {
                insertEvent.executeBatch();
            } finally {
                insertEvent.clearBatch();
            }
        }
        try (ResultSet rows = lastInsertRowId.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** Where the events' ids are already stored, for the idempotency rule. */
    Map<UUID, StoredEventId> storedIds(List<EventData> events) throws SQLException {
        Map<UUID, StoredEventId> stored = new HashMap<>();
        for (EventData event : events) {
            selectEventById.setBytes(1, Rows.bytes(event.eventId()));
            try (ResultSet rows = selectEventById.executeQuery()) {
                if (rows.next()) {
                    stored.put(
                            event.eventId(),
                            new StoredEventId(
                                    event.eventId(), rows.getString(1), rows.getLong(2), Position.of(rows.getLong(3))));
                }
            }
        }
        return stored;
    }

    /** True if the failure is the unique constraint on event ids. */
    static boolean isDuplicateEventId(SQLException failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (String.valueOf(t.getMessage()).contains("UNIQUE constraint failed: factum_events.event_id")) {
                return true;
            }
        }
        SQLException next = failure.getNextException();
        return next != null && isDuplicateEventId(next);
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
