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
    private static final int ROW_PARAMETERS = 7;

    /** Opens a new session on a new connection. */
    interface Opener {
        WriteSession open() throws SQLException;
    }

    private static final String BEGIN = "BEGIN IMMEDIATE";
    private static final String COMMIT = "COMMIT";
    private static final String ROLLBACK = "ROLLBACK";
    private static final String SAVEPOINT = "SAVEPOINT factum_write";
    private static final String RELEASE = "RELEASE factum_write";
    private static final String ROLLBACK_TO_SAVEPOINT = "ROLLBACK TO factum_write";
    private static final String INSERT_STREAM =
            "INSERT INTO factum_streams (stream_id, category, last_version, state, metadata) VALUES (?, ?, ?, ?, ?)";
    private static final String UPDATE_STREAM =
            "UPDATE factum_streams SET last_version = ?, state = ?, metadata = ? WHERE stream_id = ?";
    private static final String EVENTS_SAVEPOINT = "SAVEPOINT factum_events";
    private static final String RELEASE_EVENTS_SAVEPOINT = "RELEASE factum_events";
    private static final String ROLLBACK_TO_EVENTS_SAVEPOINT = "ROLLBACK TO factum_events";
    private static final String LAST_INSERT_ROWID = "SELECT last_insert_rowid()";
    private static final String INSERT_TAG = "INSERT INTO factum_event_tags (tag, global_position) VALUES (?, ?)";

    private final Connection connection;

    /** Every statement, prepared when first needed and kept until {@link #renewStatements}. */
    private final Map<String, PreparedStatement> prepared = new HashMap<>();

    /** The multi-row INSERT for each number of rows, prepared when first needed. */
    private final PreparedStatement[] insertEvents = new PreparedStatement[MAX_ROWS_PER_INSERT + 1];

    /** Runs the PRAGMAs that set the synchronous level (not prepared: SQLite applies a PRAGMA when compiling it). */
    private @Nullable Statement pragmas;

    /** The connection's {@code synchronous} level now: FULL (as opened) or NORMAL. */
    private boolean full = true;

    /**
     * @param connection open with the store's settings (WAL, {@code synchronous=FULL}); the session owns it
     *     and prepares its statements when they are first needed
     */
    WriteSession(Connection connection) {
        this.connection = connection;
    }

    /**
     * Closes every statement, inside the open transaction if there is one; each is prepared again when next
     * needed. A write whose statement failed with an SQL error may have left it finalized by sqlite-jdbc (see
     * {@link SqliteFault}); the writer renews the statements before the next write can use one.
     */
    void renewStatements() {
        List<Statement> statements = new ArrayList<>(prepared.values());
        statements.addAll(Arrays.asList(insertEvents));
        statements.add(pragmas);
        for (Statement statement : statements) {
            if (statement != null) {
                try {
                    statement.close();
                } catch (SQLException ignored) {
                    // a statement that fails to close holds nothing that preparing it again needs
                }
            }
        }
        prepared.clear();
        Arrays.fill(insertEvents, null);
        pragmas = null;
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
            statement = connection.prepareStatement(sql);
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
            Statement statement = pragmas;
            if (statement == null) {
                statement = connection.createStatement();
                pragmas = statement;
            }
            statement.execute(waitForDisk ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
            full = waitForDisk;
        }
    }

    void begin() throws SQLException {
        prepare(BEGIN).execute();
    }

    void commit() throws SQLException {
        prepare(COMMIT).execute();
    }

    void rollback() throws SQLException {
        prepare(ROLLBACK).execute();
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
        prepare(SAVEPOINT).execute();
    }

    void release() throws SQLException {
        prepare(RELEASE).execute();
    }

    /** Undoes what the current write did so far; the savepoint stays open. */
    void rollbackToSavepoint() throws SQLException {
        prepare(ROLLBACK_TO_SAVEPOINT).execute();
    }

    @Nullable
    StreamRow stream(String streamId) throws SQLException {
        return StreamRow.find(prepare(StreamRow.SELECT), streamId);
    }

    void insertStream(String streamId, long lastVersion, StreamState state, String metadata) throws SQLException {
        PreparedStatement insertStream = prepare(INSERT_STREAM);
        insertStream.setString(1, streamId);
        insertStream.setString(2, StreamIds.category(streamId));
        insertStream.setLong(3, lastVersion);
        insertStream.setString(4, state.name());
        insertStream.setString(5, metadata);
        insertStream.executeUpdate();
    }

    void updateStream(String streamId, long lastVersion, StreamState state, String metadata) throws SQLException {
        PreparedStatement updateStream = prepare(UPDATE_STREAM);
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
        boolean tagged = events.stream().anyMatch(event -> !event.tags().isEmpty());
        if (count <= MAX_ROWS_PER_INSERT && !tagged) {
            // one statement, which SQLite undoes by itself if it fails
            insertRows(streamId, category, micros, firstVersion, events, 0, count);
            return lastInsertRowId();
        }
        prepare(EVENTS_SAVEPOINT).execute();
        try {
            for (int from = 0; from < count; from += MAX_ROWS_PER_INSERT) {
                int rows = Math.min(MAX_ROWS_PER_INSERT, count - from);
                insertRows(streamId, category, micros, firstVersion + from, events, from, rows);
            }
            if (tagged) {
                // one writer: the rows of the INSERTs above took consecutive positions, ending at the last
                insertTags(lastInsertRowId() - count + 1, events);
            }
        } catch (SQLException | RuntimeException e) {
            try {
                prepare(ROLLBACK_TO_EVENTS_SAVEPOINT).execute();
                prepare(RELEASE_EVENTS_SAVEPOINT).execute();
            } catch (SQLException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
        prepare(RELEASE_EVENTS_SAVEPOINT).execute();
        return lastInsertRowId();
    }

    /** One row per tag and event, for queries and conditions by tag. */
    private void insertTags(long firstPosition, List<EventData> events) throws SQLException {
        PreparedStatement insert = prepare(INSERT_TAG);
        for (int i = 0; i < events.size(); i++) {
            for (String tag : events.get(i).tags()) {
                insert.setString(1, tag);
                insert.setLong(2, firstPosition + i);
                insert.executeUpdate();
            }
        }
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
            insert = connection.prepareStatement(insertSql(rows));
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
            insert.setString(++index, Rows.tags(event.tags()));
        }
        insert.executeUpdate();
    }

    /**
     * The INSERT of {@code rows} events: the stream id, category and recorded-at time are parameters 1-3,
     * shared by all rows; each row then has seven of its own.
     */
    static String insertSql(int rows) {
        StringBuilder sql = new StringBuilder(120 + rows * 48)
                .append("INSERT INTO factum_events (event_id, stream_id, stream_version, category, type,")
                .append(" schema_version, data, metadata, recorded_at, tags) VALUES ");
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
                    .append(", ?3, ?")
                    .append(p + 7)
                    .append(')');
        }
        return sql.toString();
    }

    private long lastInsertRowId() throws SQLException {
        try (ResultSet rows = prepare(LAST_INSERT_ROWID).executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** Where the events' ids are already stored, for the idempotency rule. */
    Map<UUID, StoredEventId> storedIds(List<EventData> events) throws SQLException {
        Map<UUID, StoredEventId> stored = new HashMap<>();
        PreparedStatement selectEventById = prepare(SqliteStore.SELECT_EVENT_BY_ID);
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
        PreparedStatement saveSnapshot = prepare(SqliteSnapshotStore.UPSERT);
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
