package io.factum.benchmarks;

import io.factum.core.Position;
import io.factum.core.SqlEventStore;
import io.factum.store.postgres.PostgresEventStore;
import io.factum.store.sqlite.SqliteEventStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a crash test runs: a store that a child JVM can open from a few arguments, and plain JDBC on the
 * same database to look at the checkpoints and read models without Factum's runtime.
 */
sealed interface CrashTarget {

    /** Opens the store (in this JVM or the child's). */
    SqlEventStore open();

    /** The arguments from which {@link #of} opens the same store in a child JVM. */
    List<String> arguments();

    /** A plain JDBC connection to the store's database. */
    Connection connect() throws SQLException;

    /** The table {@code table} of the store's schema, as SQL names it. */
    String qualified(String table);

    /** What turns the checkpoint table's transaction id into a number ({@code xid8} on PostgreSQL). */
    default String positionCast() {
        return "";
    }

    /** The target named by a child's arguments. */
    static CrashTarget of(String[] arguments) {
        return switch (arguments[0]) {
            case "sqlite" -> new Sqlite(Path.of(arguments[1]));
            case "postgres" -> new Postgres(arguments[1], arguments[2]);
            default -> throw new IllegalArgumentException("unknown crash target " + arguments[0]);
        };
    }

    /** A SQLite file. */
    record Sqlite(Path file) implements CrashTarget {
        @Override
        public SqlEventStore open() {
            return SqliteEventStore.open(file);
        }

        @Override
        public List<String> arguments() {
            return List.of("sqlite", file.toString());
        }

        @Override
        public Connection connect() throws SQLException {
            return DriverManager.getConnection("jdbc:sqlite:" + file);
        }

        @Override
        public String qualified(String table) {
            return table;
        }

        @Override
        public String toString() {
            return "SQLite";
        }
    }

    /** A schema of a PostgreSQL database. */
    record Postgres(String jdbcUrl, String schema) implements CrashTarget {
        @Override
        public SqlEventStore open() {
            return PostgresEventStore.builder()
                    .jdbcUrl(jdbcUrl)
                    .schema(schema)
                    .maxPoolSize(8)
                    .open();
        }

        @Override
        public List<String> arguments() {
            return List.of("postgres", jdbcUrl, schema);
        }

        @Override
        public Connection connect() throws SQLException {
            return DriverManager.getConnection(jdbcUrl);
        }

        @Override
        public String qualified(String table) {
            return schema + "." + table;
        }

        @Override
        public String positionCast() {
            return "::text::bigint";
        }

        @Override
        public String toString() {
            return "PostgreSQL";
        }
    }

    /** The crash read model's row of a stream: events seen, sum of amounts, sum of stream versions. */
    record Summary(long count, long total, long versions) {}

    /** The checkpoint {@code name}, START if it or its table does not exist yet. */
    default Position checkpoint(Connection connection, String name) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT tx_id"
                + positionCast() + ", position FROM "
                + qualified("factum_checkpoints") + " WHERE name = ?")) {
            select.setString(1, name);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? new Position(row.getLong(1), row.getLong(2)) : Position.START;
            }
        } catch (SQLException e) {
            if (missingTable(e)) {
                return Position.START;
            }
            throw e;
        }
    }

    /** The crash read model of projection {@code name}, empty if its table does not exist yet. */
    default Map<String, Summary> readModel(Connection connection, String name) throws SQLException {
        Map<String, Summary> summaries = new TreeMap<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT id, count, total, versions FROM " + qualified(ProjectorCrashProjection.table(name)))) {
            while (rows.next()) {
                summaries.put(rows.getString(1), new Summary(rows.getLong(2), rows.getLong(3), rows.getLong(4)));
            }
        } catch (SQLException e) {
            if (!missingTable(e)) {
                throw e;
            }
        }
        return summaries;
    }

    private static boolean missingTable(SQLException e) {
        return "42P01".equals(e.getSQLState()) || String.valueOf(e.getMessage()).contains("no such table");
    }
}
