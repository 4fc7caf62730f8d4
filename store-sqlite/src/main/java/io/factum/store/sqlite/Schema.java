package io.factum.store.sqlite;

import io.factum.core.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * The store's versioned schema migrations. Each migration runs once, in its own {@code BEGIN IMMEDIATE}
 * transaction, and is recorded in {@code factum_schema_version}; a process that opens the file while
 * another migrates waits for the write lock and then finds nothing left to do.
 */
final class Schema {

    /** A migration: its version, what it does, and its statements. */
    record Migration(int version, String description, List<String> statements) {}

    static final List<Migration> MIGRATIONS = List.of(
            new Migration(
                    1,
                    "streams, events, checkpoints and snapshots",
                    List.of(
                            """
                    CREATE TABLE factum_streams (
                        stream_id TEXT PRIMARY KEY,
                        category TEXT NOT NULL,
                        last_version INTEGER NOT NULL,
                        state TEXT NOT NULL,
                        metadata TEXT NOT NULL DEFAULT '{}'
                    ) WITHOUT ROWID""",
                            """
                    CREATE TABLE factum_events (
                        global_position INTEGER PRIMARY KEY AUTOINCREMENT,
                        event_id BLOB NOT NULL UNIQUE,
                        stream_id TEXT NOT NULL,
                        stream_version INTEGER NOT NULL,
                        category TEXT NOT NULL,
                        type TEXT NOT NULL,
                        schema_version INTEGER NOT NULL,
                        data TEXT NOT NULL,
                        metadata TEXT NOT NULL,
                        recorded_at INTEGER NOT NULL,
                        UNIQUE (stream_id, stream_version)
                    )""",
                            // an index on a rowid table ends with the rowid, so these are (x, global_position)
                            "CREATE INDEX factum_events_by_category ON factum_events (category)",
                            "CREATE INDEX factum_events_by_type ON factum_events (type)",
                            """
                    CREATE TABLE factum_checkpoints (
                        name TEXT PRIMARY KEY,
                        tx_id INTEGER NOT NULL,
                        position INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL
                    )""",
                            """
                    CREATE TABLE factum_snapshots (
                        stream_id TEXT PRIMARY KEY,
                        version INTEGER NOT NULL,
                        schema_version INTEGER NOT NULL,
                        type TEXT NOT NULL,
                        data TEXT NOT NULL,
                        recorded_at INTEGER NOT NULL
                    )""")),
            new Migration(
                    2,
                    "the read side: parked events, projection versions, consumer groups, leases and deadlines",
                    List.of(
                            """
                            CREATE TABLE factum_parked_events (
                                subscription TEXT NOT NULL,
                                tx_id INTEGER NOT NULL,
                                position INTEGER NOT NULL,
                                event_id BLOB NOT NULL,
                                stream_id TEXT NOT NULL,
                                stream_version INTEGER NOT NULL,
                                type TEXT NOT NULL,
                                attempts INTEGER NOT NULL,
                                error TEXT NOT NULL,
                                parked_at INTEGER NOT NULL,
                                PRIMARY KEY (subscription, tx_id, position)
                            ) WITHOUT ROWID""",
                            """
                            CREATE TABLE factum_projection_versions (
                                name TEXT PRIMARY KEY,
                                active_version INTEGER NOT NULL
                            ) WITHOUT ROWID""",
                            """
                            CREATE TABLE factum_group_members (
                                consumer_group TEXT NOT NULL,
                                member TEXT NOT NULL,
                                alive_until INTEGER NOT NULL,
                                PRIMARY KEY (consumer_group, member)
                            ) WITHOUT ROWID""",
                            // a released lease keeps its row (member '', expired) so that its epoch keeps growing
                            """
                            CREATE TABLE factum_leases (
                                consumer_group TEXT NOT NULL,
                                bucket INTEGER NOT NULL,
                                member TEXT NOT NULL,
                                epoch INTEGER NOT NULL,
                                expires_at INTEGER NOT NULL,
                                PRIMARY KEY (consumer_group, bucket)
                            ) WITHOUT ROWID""",
                            """
                            CREATE TABLE factum_deadlines (
                                id TEXT PRIMARY KEY,
                                owner TEXT NOT NULL,
                                correlation_id TEXT NOT NULL,
                                name TEXT NOT NULL,
                                due_at INTEGER NOT NULL,
                                payload TEXT NOT NULL
                            )""",
                            "CREATE INDEX factum_deadlines_by_due_at ON factum_deadlines (due_at)",
                            "CREATE INDEX factum_deadlines_by_owner ON factum_deadlines (owner, due_at)")),
            new Migration(
                    3,
                    "subject keys for crypto-shredding (GDPR erasure)",
                    List.of(
                            // key is NULL once the subject is forgotten; the row stays so no new key is made
                            """
                            CREATE TABLE factum_subject_keys (
                                subject_id TEXT PRIMARY KEY,
                                key BLOB,
                                created_at INTEGER NOT NULL,
                                forgotten_at INTEGER,
                                CHECK (key IS NOT NULL OR forgotten_at IS NOT NULL)
                            ) WITHOUT ROWID""")),
            new Migration(
                    4,
                    "tags of events, for queries and append conditions across streams",
                    List.of(
                            // the tags as read back with the event ('\n' between them: a tag has no control
                            // characters), and one row per tag and event to find them: (tag, position) orders
                            // a tag's events, so a condition's check reads only the ones after its position
                            "ALTER TABLE factum_events ADD COLUMN tags TEXT NOT NULL DEFAULT ''", """
                            CREATE TABLE factum_event_tags (
                                tag TEXT NOT NULL,
                                global_position INTEGER NOT NULL,
                                PRIMARY KEY (tag, global_position)
                            ) WITHOUT ROWID""")));

    /** The schema version this code creates and understands. */
    static final int CURRENT = MIGRATIONS.get(MIGRATIONS.size() - 1).version();

    private Schema() {}

    /**
     * Brings the database up to {@link #CURRENT}.
     *
     * @throws StoreException if the database was written by a newer Factum
     * @throws SQLException if a statement fails; the migration is rolled back
     */
    static void migrate(Connection connection, String file, Clock clock) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("BEGIN IMMEDIATE");
            try {
                statement.execute("""
                        CREATE TABLE IF NOT EXISTS factum_schema_version (
                            version INTEGER PRIMARY KEY,
                            description TEXT NOT NULL,
                            applied_at INTEGER NOT NULL
                        )""");
                int current = version(connection);
                if (current > CURRENT) {
                    throw new StoreException("the SQLite store " + file + " has schema version " + current
                            + " but this Factum knows versions up to " + CURRENT + "; open it with a newer Factum");
                }
                for (Migration migration : MIGRATIONS) {
                    if (migration.version() > current) {
                        apply(connection, statement, migration, clock.instant());
                    }
                }
                statement.execute("COMMIT");
            } catch (SQLException | RuntimeException e) {
                try {
                    statement.execute("ROLLBACK");
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            }
        }
    }

    /** The highest applied migration, 0 for a new database. */
    static int version(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows =
                        statement.executeQuery("SELECT coalesce(max(version), 0) FROM factum_schema_version")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static void apply(Connection connection, Statement statement, Migration migration, Instant now)
            throws SQLException {
        for (String sql : migration.statements()) {
            statement.execute(sql);
        }
        try (PreparedStatement record = connection.prepareStatement(
                "INSERT INTO factum_schema_version (version, description, applied_at) VALUES (?, ?, ?)")) {
            record.setInt(1, migration.version());
            record.setString(2, migration.description());
            record.setLong(3, Rows.micros(now));
            record.executeUpdate();
        }
    }
}
