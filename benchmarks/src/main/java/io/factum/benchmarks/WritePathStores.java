package io.factum.benchmarks;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the two systems keep their data: two SQLite directories, or two fresh databases on an embedded
 * PostgreSQL started here with full durability.
 */
abstract sealed class WritePathStores implements AutoCloseable
        permits WritePathStores.Sqlite, WritePathStores.Postgres {

    static WritePathStores start(String store, Path dir, boolean profile) throws IOException, SQLException {
        return switch (store) {
            case "sqlite" -> new Sqlite(dir);
            case "postgres" -> new Postgres(dir, profile);
            default ->
                throw new IllegalArgumentException(
                        "--stores takes sqlite and postgres, comma separated, got '" + store + "'");
        };
    }

    abstract String label();

    abstract List<String> serverArgs();

    abstract Map<String, String> serverEnv(String apiKey);

    abstract List<String> ordersArgs();

    abstract Map<String, String> ordersEnv();

    /** The server-side counters of {@code system}'s database now (PostgreSQL with --profile only). */
    Counters counters(WritePathLoad system) throws SQLException {
        return Counters.NONE;
    }

    /** The CPU milliseconds the database server used so far (0 for SQLite, which runs inside the systems). */
    long databaseCpuMillis() {
        return 0;
    }

    /** Each system's events by category, read from its store after the run. */
    abstract Map<String, Map<String, Long>> eventsByCategory() throws SQLException;

    /**
     * Rows each system's database read by sequential scans, per table that had any (PostgreSQL's
     * {@code pg_stat_user_tables}): a plan that scans a growing table shows here. Empty for SQLite.
     */
    Map<String, Map<String, Long>> sequentialScans() throws SQLException {
        return Map.of();
    }

    /** Rows read by sequential scans per table of one PostgreSQL database, tables with none left out. */
    static Map<String, Long> sequentialScans(String jdbcUrl) throws SQLException {
        Map<String, Long> rows = new TreeMap<>();
        try (Connection connection = DriverManager.getConnection(jdbcUrl);
                Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_stat_force_next_flush()");
            try (ResultSet row = statement.executeQuery(
                    "SELECT relname, seq_tup_read FROM pg_stat_user_tables WHERE seq_tup_read > 0")) {
                while (row.next()) {
                    rows.put(row.getString(1), row.getLong(2));
                }
            }
        }
        return rows;
    }

    @Override
    public void close() throws IOException {}

    /**
     * Events by category in a store's {@code factum_events} table, and the number of streams of each under
     * {@code <category>#streams}. Reads the store's own table: for the profile only.
     */
    static Map<String, Long> categories(String jdbcUrl) throws SQLException {
        Map<String, Long> counts = new TreeMap<>();
        try (Connection connection = DriverManager.getConnection(jdbcUrl);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT category, count(*), count(DISTINCT stream_id) FROM factum_events GROUP BY category")) {
            while (rows.next()) {
                counts.put(rows.getString(1), rows.getLong(2));
                counts.put(rows.getString(1) + "#streams", rows.getLong(3));
            }
        }
        return counts;
    }

    /** Reads counts from the database at a JDBC URL. */
    @FunctionalInterface
    interface DatabaseReader {
        Map<String, Long> read(String jdbcUrl) throws SQLException;
    }

    /** PostgreSQL's counters of one database at a moment, or their difference over a window. */
    record Counters(long commits, long walBytes, long walFlushes, Map<String, Long> statementCalls, long operations) {

        static final Counters NONE = new Counters(0, 0, 0, Map.of(), 0);

        /** Reads the counters of {@code database} through the server at {@code adminUrl}. */
        static Counters read(String adminUrl, String database) throws SQLException {
            try (Connection connection = DriverManager.getConnection(adminUrl, "postgres", "postgres")) {
                long commits;
                try (PreparedStatement query =
                        connection.prepareStatement("SELECT xact_commit FROM pg_stat_database WHERE datname = ?")) {
                    query.setString(1, database);
                    try (ResultSet row = query.executeQuery()) {
                        row.next();
                        commits = row.getLong(1);
                    }
                }
                long wal;
                long flushes;
                try (Statement statement = connection.createStatement();
                        ResultSet row = statement.executeQuery(
                                "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint, wal_sync FROM pg_stat_wal")) {
                    row.next();
                    wal = row.getLong(1);
                    flushes = row.getLong(2);
                }
                Map<String, Long> calls = new HashMap<>();
                try (PreparedStatement query = connection.prepareStatement(
                        "SELECT s.query, sum(s.calls) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid"
                                + " WHERE d.datname = ? GROUP BY s.query")) {
                    query.setString(1, database);
                    try (ResultSet row = query.executeQuery()) {
                        while (row.next()) {
                            calls.put(row.getString(1), row.getLong(2));
                        }
                    }
                }
                return new Counters(commits, wal, flushes, calls, 0);
            }
        }

        Counters minus(Counters before) {
            if (this == NONE) {
                return NONE;
            }
            Map<String, Long> calls = new HashMap<>();
            statementCalls.forEach((query, n) -> {
                long delta = n - before.statementCalls.getOrDefault(query, 0L);
                if (delta > 0) {
                    calls.put(query, delta);
                }
            });
            return new Counters(
                    commits - before.commits, walBytes - before.walBytes, walFlushes - before.walFlushes, calls, 0);
        }

        Counters withOperations(long n) {
            return new Counters(commits, walBytes, walFlushes, statementCalls, n);
        }

        Counters plus(Counters other) {
            Map<String, Long> calls = new HashMap<>(statementCalls);
            other.statementCalls.forEach((query, n) -> calls.merge(query, n, Long::sum));
            return new Counters(
                    commits + other.commits,
                    walBytes + other.walBytes,
                    walFlushes + other.walFlushes,
                    calls,
                    operations + other.operations);
        }
    }

    static final class Sqlite extends WritePathStores {
        private final Path dir;

        Sqlite(Path dir) {
            this.dir = dir;
        }

        @Override
        String label() {
            return "SQLite";
        }

        @Override
        List<String> serverArgs() {
            return List.of(
                    "--port",
                    "{port}",
                    "--data-dir",
                    dir.resolve("factum-server").toString());
        }

        @Override
        Map<String, String> serverEnv(String apiKey) {
            return Map.of("FACTUM_API_KEY", apiKey, "FACTUM_LOG_LEVEL", "WARN");
        }

        @Override
        List<String> ordersArgs() {
            return List.of(
                    "--port", "{port}", "--data-dir", dir.resolve("orders").toString());
        }

        @Override
        Map<String, String> ordersEnv() {
            return Map.of();
        }

        @Override
        Map<String, Map<String, Long>> eventsByCategory() throws SQLException {
            return Map.of(
                    "factum-server",
                    categories("jdbc:sqlite:" + dir.resolve("factum-server/factum.db")),
                    "orders",
                    categories("jdbc:sqlite:" + dir.resolve("orders/orders.db")));
        }
    }

    static final class Postgres extends WritePathStores {
        private static final String SERVER_DB = "factum_server";
        private static final String ORDERS_DB = "orders";

        private final EmbeddedPostgres postgres;
        private final boolean profile;
        private final long postmaster;

        Postgres(Path dir, boolean profile) throws IOException, SQLException {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dir.resolve("pgdata"))
                    .setCleanDataDirectory(true)
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("shared_buffers", "256MB");
            if (profile) {
                builder.setServerConfig("shared_preload_libraries", "pg_stat_statements")
                        .setServerConfig("track_io_timing", "on");
            }
            this.postgres = builder.start();
            this.profile = profile;
            try (Connection connection = postgres.getPostgresDatabase().getConnection();
                    Statement statement = connection.createStatement()) {
                try (ResultSet backend = statement.executeQuery("SELECT pg_backend_pid()")) {
                    backend.next();
                    this.postmaster = ProcessCpu.parentOf(backend.getLong(1));
                }
                statement.execute("CREATE DATABASE " + SERVER_DB);
                statement.execute("CREATE DATABASE " + ORDERS_DB);
                if (profile) {
                    statement.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
                }
            }
        }

        @Override
        String label() {
            return "PostgreSQL";
        }

        private String url(String database) {
            return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database;
        }

        @Override
        List<String> serverArgs() {
            return List.of("--port", "{port}", "--jdbc-url", url(SERVER_DB));
        }

        @Override
        Map<String, String> serverEnv(String apiKey) {
            return Map.of(
                    "FACTUM_API_KEY", apiKey,
                    "FACTUM_LOG_LEVEL", "WARN",
                    "FACTUM_JDBC_USER", "postgres",
                    "FACTUM_JDBC_PASSWORD", "postgres");
        }

        @Override
        List<String> ordersArgs() {
            return List.of("--port", "{port}", "--jdbc-url", url(ORDERS_DB));
        }

        @Override
        Map<String, String> ordersEnv() {
            return Map.of("ORDERS_JDBC_USER", "postgres", "ORDERS_JDBC_PASSWORD", "postgres");
        }

        @Override
        long databaseCpuMillis() {
            return ProcessCpu.treeMillis(postmaster);
        }

        @Override
        Counters counters(WritePathLoad system) throws SQLException {
            if (!profile) {
                return Counters.NONE;
            }
            String database = system instanceof WritePathLoad.ServerAppends ? SERVER_DB : ORDERS_DB;
            return Counters.read(url("postgres"), database);
        }

        @Override
        Map<String, Map<String, Long>> eventsByCategory() throws SQLException {
            return perSystem(WritePathStores::categories);
        }

        @Override
        Map<String, Map<String, Long>> sequentialScans() throws SQLException {
            return perSystem(WritePathStores::sequentialScans);
        }

        /** What {@code read} returns for each system's database. */
        private Map<String, Map<String, Long>> perSystem(DatabaseReader read) throws SQLException {
            return Map.of(
                    "factum-server",
                    read.read(url(SERVER_DB) + "?user=postgres"),
                    "orders",
                    read.read(url(ORDERS_DB) + "?user=postgres"));
        }

        @Override
        public void close() throws IOException {
            postgres.close();
        }
    }
}
