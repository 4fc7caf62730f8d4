package io.factum.store.sqlite;

import io.factum.core.EventData;
import io.factum.core.Position;
import io.factum.core.StreamIds;
import io.factum.core.StreamState;
import io.factum.core.aggregate.Snapshot;
import io.factum.core.spi.StoredEventId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The write connection and its prepared statements. Used by one thread at a time (whoever holds the
 * writer's lock), inside the {@code BEGIN IMMEDIATE} transaction of a batch; when the batch has several
 * writes, each runs inside its own savepoint. After a write failed with an SQL error the writer renews the
 * statements ({@link #renewStatements}); after a failure of the storage it closes the session and opens a
 * new one.
 */
final class WriteSession implements AutoCloseable {

    /** The most events one INSERT statement carries; larger appends take several. */
    static final int MAX_ROWS_PER_INSERT = 64;

    private static final int SHARED_PARAMETERS = 3;
    private static final int ROW_PARAMETERS = 6;

    /** Opens a new session: a new connection and its statements. */
    interface Opener {
        WriteSession open() throws SQLException;
    }

    private final Connection connection;

    /** Every statement prepared on the connection, to close them all when they are renewed. */
    private final List<Statement> statements = new ArrayList<>();

    private PreparedStatement begin;
    private PreparedStatement commit;
    private PreparedStatement rollback;
    private PreparedStatement savepoint;
    private PreparedStatement release;
    private PreparedStatement rollbackToSavepoint;

    /** Runs the PRAGMAs that set the synchronous level (not prepared: SQLite applies a PRAGMA when compiling it). */
    private Statement pragmas;

    /** The connection's {@code synchronous} level now: FULL (as opened) or NORMAL. */
    private boolean full = true;

    private PreparedStatement selectStream;
    private PreparedStatement insertStream;
    private PreparedStatement updateStream;
    private PreparedStatement eventsSavepoint;
    private PreparedStatement releaseEventsSavepoint;
    private PreparedStatement rollbackToEventsSavepoint;

    /** The multi-row INSERT for each number of rows, prepared when first needed. */
    private final PreparedStatement[] insertEvents = new PreparedStatement[MAX_ROWS_PER_INSERT + 1];

    private PreparedStatement lastInsertRowId;
    private PreparedStatement selectEventById;
    private PreparedStatement saveSnapshot;

    /** Statements of the read side's stores, prepared when first needed. */
    private final Map<String, PreparedStatement> prepared = new HashMap<>();

    /**
     * A session on {@code connection}, which must be open with the store's settings (WAL, {@code
     * synchronous=FULL}); it closes the connection if its statements cannot be prepared.
     */
    static WriteSession open(Connection connection) throws SQLException {
        try {
            return new WriteSession(connection);
        } catch (SQLException | RuntimeException e) {
            try {
                connection.close();
            } catch (SQLException close) {
                e.addSuppressed(close);
            }
            throw e;
        }
    }

    private WriteSession(Connection connection) throws SQLException {
        this.connection = connection;
        prepareStatements();
    }

    private void prepareStatements() throws SQLException {
        begin = prepareStatement("BEGIN IMMEDIATE");
        commit = prepareStatement("COMMIT");
        rollback = prepareStatement("ROLLBACK");
        savepoint = prepareStatement("SAVEPOINT factum_write");
        release = prepareStatement("RELEASE factum_write");
        rollbackToSavepoint = prepareStatement("ROLLBACK TO factum_write");
        pragmas = connection.createStatement();
        statements.add(pragmas);
        selectStream = prepareStatement(StreamRow.SELECT);
        insertStream = prepareStatement(
                "INSERT INTO factum_streams (stream_id, category, last_version, state, metadata) VALUES (?, ?, ?, ?, ?)");
        updateStream = prepareStatement(
                "UPDATE factum_streams SET last_version = ?, state = ?, metadata = ? WHERE stream_id = ?");
        eventsSavepoint = prepareStatement("SAVEPOINT factum_events");
        releaseEventsSavepoint = prepareStatement("RELEASE factum_events");
        rollbackToEventsSavepoint = prepareStatement("ROLLBACK TO factum_events");
        lastInsertRowId = prepareStatement("SELECT last_insert_rowid()");
        selectEventById = prepareStatement(SqliteStore.SELECT_EVENT_BY_ID);
        saveSnapshot = prepareStatement(SqliteSnapshotStore.UPSERT);
    }

    private PreparedStatement prepareStatement(String sql) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        statements.add(statement);
        return statement;
    }

    /**
     * Closes every statement and prepares them again, inside the open transaction if there is one. A write
     * whose statement failed with an SQL error may have left it finalized by sqlite-jdbc (see {@link
     * SqliteFault}); the writer renews the statements before the next write uses one.
     */
    void renewStatements() throws SQLException {
        for (Statement statement : statements) {
            try {
                statement.close();
            } catch (SQLException ignored) {
                // a statement that fails to close holds nothing that preparing it again needs
            }
        }
        statements.clear();
        prepared.clear();
        Arrays.fill(insertEvents, null);
        prepareStatements();
    }

    /**
     * The write connection, inside the open transaction (and the write's savepoint, in a batch of several),
     * for SQL of read models; it must not be committed, rolled back or closed.
     */
    Connection connection() {
        return connection;
    }

    /** The prepared statement for {@code sql} on the write connection, prepared once. */
    PreparedStatement prepare(String sql) throws SQLException {
        PreparedStatement statement = prepared.get(sql);
        if (statement == null) {
            statement = prepareStatement(sql);
            prepared.put(sql, statement);
        }
        return statement;
    }

    /**
     * Sets how the next transaction commits: waiting for the WAL file's fsync ({@code FULL}), or not ({@code
     * NORMAL}). Only between transactions (SQLite refuses it inside one); runs a statement only when the
     * level changes. A PRAGMA takes effect when SQLite compiles it, so it is sent as text every time, never
     * as a prepared statement run again.
     */
    void synchronous(boolean waitForDisk) throws SQLException {
        if (waitForDisk != full) {
            pragmas.execute(waitForDisk ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
            full = waitForDisk;
        }
    }

    void begin() throws SQLException {
        begin.execute();
    }

    void commit() throws SQLException {
        commit.execute();
    }

    void rollback() throws SQLException {
        rollback.execute();
    }

    /**
     * Rolls back the batch's transaction, adding a failure to do so to {@code cause}. SQLite may have rolled
     * back already (after a full disk or an I/O error, say); the failing ROLLBACK is then harmless. It runs
     * as a statement of its own: a prepared one that fails is finalized by sqlite-jdbc.
     */
    void rollbackQuietly(Throwable cause) {
        try (Statement statement = connection.createStatement()) {
            statement.execute("ROLLBACK");
        } catch (SQLException e) {
            if (!String.valueOf(e.getMessage()).contains("no transaction is active")) {
                cause.addSuppressed(e);
            }
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
     * Inserts the events at consecutive versions from {@code firstVersion}, all or none: a failure (a
     * duplicate event id, say) leaves nothing of them behind and the transaction open.
     *
     * @return the global position of the last one
     */
    long insertEvents(String streamId, long firstVersion, List<EventData> events, Instant recordedAt)
            throws SQLException {
        String category = StreamIds.category(streamId);
        long micros = Rows.micros(recordedAt);
        int count = events.size();
        if (count <= MAX_ROWS_PER_INSERT) {
            // one statement, which SQLite undoes by itself if it fails
            insertRows(streamId, category, micros, firstVersion, events, 0, count);
            return lastInsertRowId();
        }
        eventsSavepoint.execute();
        try {
            for (int from = 0; from < count; from += MAX_ROWS_PER_INSERT) {
                int rows = Math.min(MAX_ROWS_PER_INSERT, count - from);
                insertRows(streamId, category, micros, firstVersion + from, events, from, rows);
            }
        } catch (SQLException | RuntimeException e) {
            try {
                rollbackToEventsSavepoint.execute();
                releaseEventsSavepoint.execute();
            } catch (SQLException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
        releaseEventsSavepoint.execute();
        return lastInsertRowId();
    }

    /** Inserts {@code rows} events from {@code events[from]} with one multi-row INSERT. */
    private void insertRows(
            String streamId,
            String category,
            long micros,
            long firstVersion,
            List<EventData> events,
            int from,
            int rows)
            throws SQLException {
        PreparedStatement insert = insertEvents[rows];
        if (insert == null) {
            insert = prepareStatement(insertSql(rows));
            insertEvents[rows] = insert;
        }
        insert.setString(1, streamId);
        insert.setString(2, category);
        insert.setLong(3, micros);
        int index = SHARED_PARAMETERS;
        for (int i = 0; i < rows; i++) {
            EventData event = events.get(from + i);
            insert.setBytes(++index, Rows.bytes(event.eventId()));
            insert.setLong(++index, firstVersion + i);
            insert.setString(++index, event.type());
            insert.setInt(++index, event.schemaVersion());
            insert.setString(++index, event.data());
            insert.setString(++index, event.metadata());
        }
        insert.executeUpdate();
    }

    /**
     * The INSERT of {@code rows} events: the stream id, category and recorded-at time are parameters 1-3,
     * shared by all rows; each row then has six of its own.
     */
    static String insertSql(int rows) {
        StringBuilder sql = new StringBuilder(120 + rows * 48)
                .append("INSERT INTO factum_events (event_id, stream_id, stream_version, category, type,")
                .append(" schema_version, data, metadata, recorded_at) VALUES ");
        for (int i = 0; i < rows; i++) {
            int p = SHARED_PARAMETERS + i * ROW_PARAMETERS;
            sql.append(i == 0 ? "" : ", ")
                    .append("(?")
                    .append(p + 1)
                    .append(", ?1, ?")
                    .append(p + 2)
                    .append(", ?2, ?")
                    .append(p + 3)
                    .append(", ?")
                    .append(p + 4)
                    .append(", ?")
                    .append(p + 5)
                    .append(", ?")
                    .append(p + 6)
                    .append(", ?3)");
        }
        return sql.toString();
    }

    private long lastInsertRowId() throws SQLException {
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

    /** Keeps the snapshot unless the stream has one at a higher version (see {@link SqliteSnapshotStore}). */
    void saveSnapshot(Snapshot snapshot) throws SQLException {
        saveSnapshot.setString(1, snapshot.streamId());
        saveSnapshot.setLong(2, snapshot.version());
        saveSnapshot.setInt(3, snapshot.schemaVersion());
        saveSnapshot.setString(4, snapshot.type());
        saveSnapshot.setString(5, snapshot.data());
        saveSnapshot.setLong(6, Rows.micros(snapshot.takenAt()));
        saveSnapshot.executeUpdate();
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
