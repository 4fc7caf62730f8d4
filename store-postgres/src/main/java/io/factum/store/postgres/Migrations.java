package io.factum.store.postgres;

import io.factum.core.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The store's schema as an ordered list of versioned migrations. {@link #migrate} applies the ones a
 * database lacks, in one transaction under a transaction-scoped advisory lock, so stores that start at
 * the same time wait for each other instead of racing. A migration is never edited once released: a
 * change is a new migration at the end of the list.
 */
final class Migrations {

    /** One step of the schema; {@code sql} holds statements with {@code {name}} placeholders for tables. */
    record Migration(int version, String description, List<String> sql) {}

    /**
     * The advisory lock key of all Factum migrations in a database ("Factum" in ASCII): one key for every
     * schema and prefix, so that even {@code CREATE SCHEMA} never races.
     */
    static final long MIGRATION_LOCK = 0x466163747566L;

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(@?[a-z_]+)}");

    private Migrations() {}

    static List<Migration> all() {
        return List.of(
                new Migration(
                        1,
                        "streams, events, checkpoints, snapshots, deadlines",
                        List.of(
                                """
                        CREATE TABLE {streams} (
                            id text PRIMARY KEY,
                            category text NOT NULL,
                            last_version bigint NOT NULL DEFAULT -1,
                            state text NOT NULL DEFAULT 'ACTIVE'
                                CHECK (state IN ('ACTIVE', 'SOFT_DELETED', 'TOMBSTONED')),
                            metadata jsonb NOT NULL DEFAULT '{}'::jsonb)""",
                                """
                        CREATE TABLE {events} (
                            global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                            tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
                            stream_id text NOT NULL,
                            stream_version bigint NOT NULL,
                            category text NOT NULL,
                            bucket int NOT NULL,
                            event_id uuid NOT NULL,
                            type text NOT NULL,
                            schema_version int NOT NULL,
                            data jsonb NOT NULL,
                            metadata jsonb NOT NULL,
                            recorded_at timestamptz NOT NULL,
                            CONSTRAINT {@events_event_id_key} UNIQUE (event_id),
                            CONSTRAINT {@events_stream_version_key} UNIQUE (stream_id, stream_version))""",
                                "CREATE INDEX {@events_tx_position_idx} ON {events} (tx_id, global_position)",
                                "CREATE INDEX {@events_category_idx} ON {events} (category, tx_id, global_position)",
                                "CREATE INDEX {@events_type_idx} ON {events} (type, tx_id, global_position)",
                                """
                        CREATE TABLE {checkpoints} (
                            name text PRIMARY KEY,
                            tx_id xid8 NOT NULL,
                            position bigint NOT NULL,
                            updated_at timestamptz NOT NULL DEFAULT now())""",
                                """
                        CREATE TABLE {snapshots} (
                            stream_id text PRIMARY KEY,
                            version bigint NOT NULL,
                            schema_version int NOT NULL,
                            type text NOT NULL,
                            data jsonb NOT NULL,
                            recorded_at timestamptz NOT NULL)""",
                                """
                        CREATE TABLE {deadlines} (
                            id uuid PRIMARY KEY,
                            due_at timestamptz NOT NULL,
                            payload jsonb NOT NULL,
                            created_at timestamptz NOT NULL DEFAULT now())""",
                                "CREATE INDEX {@deadlines_due_at_idx} ON {deadlines} (due_at)")),
                new Migration(
                        2,
                        "streams.last_tx: the transaction that last appended to a stream",
                        List.of(
                                // a constant default: no rewrite of the table; 0 is older than any transaction
                                "ALTER TABLE {streams} ADD COLUMN last_tx xid8 NOT NULL DEFAULT '0'",
                                // rows created without an append (metadata, tombstone) take their creator's id
                                "ALTER TABLE {streams} ALTER COLUMN last_tx SET DEFAULT pg_current_xact_id()")),
                new Migration(
                        3,
                        "the read side: parked events, projection versions, consumer group members and bucket"
                                + " leases; deadlines gain owner, correlation_id and name (added with a default ''"
                                + " that is then dropped, so the statement also holds on a table that has rows) and"
                                + " keep their payload as text (the JSON the process manager attached, unchanged)",
                        List.of(
                                """
                        CREATE TABLE {parked_events} (
                            subscription text NOT NULL,
                            tx_id xid8 NOT NULL,
                            position bigint NOT NULL,
                            event_id uuid NOT NULL,
                            stream_id text NOT NULL,
                            stream_version bigint NOT NULL,
                            type text NOT NULL,
                            attempts int NOT NULL,
                            error text NOT NULL,
                            parked_at timestamptz NOT NULL,
                            PRIMARY KEY (subscription, position))""",
                                """
                        CREATE TABLE {projection_versions} (
                            name text PRIMARY KEY,
                            active_version int NOT NULL,
                            activated_at timestamptz NOT NULL DEFAULT now())""",
                                """
                        CREATE TABLE {group_members} (
                            group_name text NOT NULL,
                            member text NOT NULL,
                            alive_until timestamptz NOT NULL,
                            PRIMARY KEY (group_name, member))""",
                                """
                        CREATE TABLE {leases} (
                            group_name text NOT NULL,
                            bucket int NOT NULL,
                            member text NOT NULL,
                            epoch bigint NOT NULL,
                            expires_at timestamptz NOT NULL,
                            PRIMARY KEY (group_name, bucket))""",
                                "ALTER TABLE {deadlines} ADD COLUMN owner text NOT NULL DEFAULT ''",
                                "ALTER TABLE {deadlines} ADD COLUMN correlation_id text NOT NULL DEFAULT ''",
                                "ALTER TABLE {deadlines} ADD COLUMN name text NOT NULL DEFAULT ''",
                                "ALTER TABLE {deadlines} ALTER COLUMN owner DROP DEFAULT",
                                "ALTER TABLE {deadlines} ALTER COLUMN correlation_id DROP DEFAULT",
                                "ALTER TABLE {deadlines} ALTER COLUMN name DROP DEFAULT",
                                "ALTER TABLE {deadlines} ALTER COLUMN payload TYPE text USING payload::text",
                                "CREATE INDEX {@deadlines_owner_idx} ON {deadlines} (owner, due_at)")),
                new Migration(
                        4,
                        "subject keys for crypto-shredding (GDPR erasure)",
                        List.of(
                                // key is NULL once the subject is forgotten; the row stays so no new key is made
                                """
                        CREATE TABLE {subject_keys} (
                            subject_id text PRIMARY KEY,
                            key bytea,
                            created_at timestamptz NOT NULL DEFAULT now(),
                            forgotten_at timestamptz,
                            CHECK (key IS NOT NULL OR forgotten_at IS NOT NULL))""")),
                new Migration(
                        5,
                        "events: no primary key on global_position, an index that no query used (reads go by"
                                + " (tx_id, global_position)); the unique event id identifies a row, also for"
                                + " logical replication",
                        List.of(
                                "ALTER TABLE {events} DROP CONSTRAINT {@events_pkey}",
                                "ALTER TABLE {events} REPLICA IDENTITY USING INDEX {@events_event_id_key}")),
                new Migration(
                        6,
                        "events: tags, for queries and append conditions across streams (a text[] with a GIN"
                                + " index: one column read back with the event, and tags @> '{...}' finds an item's"
                                + " events by the index; the default needs no rewrite of the table)",
                        List.of(
                                "ALTER TABLE {events} ADD COLUMN tags text[] NOT NULL DEFAULT '{}'",
                                "CREATE INDEX {@events_tags_idx} ON {events} USING gin (tags)")));
    }

    /** The version of the last migration this code knows. */
    static int latest() {
        List<Migration> all = all();
        return all.get(all.size() - 1).version();
    }

    /**
     * Brings the database up to the latest migration.
     *
     * @return the versions applied now (empty if it was up to date)
     */
    static List<Integer> migrate(DataSource dataSource, Tables tables) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                List<Integer> applied = migrate(connection, tables);
                connection.commit();
                return applied;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException(
                    "could not create or migrate the event store tables " + tables.events() + ": " + e.getMessage(), e);
        }
    }

    private static List<Integer> migrate(Connection connection, Tables tables) throws SQLException {
        // a migration may wait for another store's and may build indexes on a long log: no time-outs
        try (Statement unbounded = connection.createStatement()) {
            unbounded.execute("SET LOCAL statement_timeout = 0");
            unbounded.execute("SET LOCAL lock_timeout = 0");
        }
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            lock.setLong(1, MIGRATION_LOCK);
            lock.execute();
        }
        try (Statement statement = connection.createStatement()) {
            if (tables.schema().isPresent()) {
                statement.execute(
                        "CREATE SCHEMA IF NOT EXISTS " + tables.schema().get());
            }
            statement.execute("CREATE TABLE IF NOT EXISTS " + tables.migrations()
                    + " (version int PRIMARY KEY, description text NOT NULL,"
                    + " applied_at timestamptz NOT NULL DEFAULT now())");
        }
        Set<Integer> done = new HashSet<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT version FROM " + tables.migrations())) {
            while (rows.next()) {
                done.add(rows.getInt(1));
            }
        }
        int latest = latest();
        int recorded = done.stream().mapToInt(Integer::intValue).max().orElse(0);
        if (recorded > latest) {
            throw new StoreException("the database schema of the event store " + tables.events() + " is at version "
                    + recorded + ", this Factum knows up to " + latest + "; upgrade Factum");
        }
        List<Integer> applied = new java.util.ArrayList<>();
        for (Migration migration : all()) {
            if (done.contains(migration.version())) {
                continue;
            }
            try (Statement statement = connection.createStatement()) {
                for (String sql : migration.sql()) {
                    statement.execute(expand(sql, tables));
                }
            }
            try (PreparedStatement record = connection.prepareStatement(
                    "INSERT INTO " + tables.migrations() + " (version, description) VALUES (?, ?)")) {
                record.setInt(1, migration.version());
                record.setString(2, migration.description());
                record.executeUpdate();
            }
            applied.add(migration.version());
        }
        return applied;
    }

    /** Replaces {@code {table}} by the qualified table name and {@code {@name}} by a prefixed local name. */
    static String expand(String sql, Tables tables) {
        return PLACEHOLDER.matcher(sql).replaceAll(match -> {
            String name = match.group(1);
            return name.startsWith("@") ? tables.local(name.substring(1)) : tables.table(name);
        });
    }
}
