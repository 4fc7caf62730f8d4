package io.factum.benchmarks;

import io.factum.core.SqlEventStore;
import io.factum.store.sqlite.SqliteEventStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;

/** SQLite in WAL mode with synchronous=FULL, on both sides. */
final class SqliteBackend implements Backend {

    private final Path directory;
    private Path current;

    SqliteBackend() throws IOException {
        directory = Files.createTempDirectory("factum-bench-sqlite");
    }

    @Override
    public String name() {
        return "SQLite";
    }

    @Override
    public SqlEventStore openStore() {
        current = directory.resolve("store-" + System.nanoTime() + ".db");
        return SqliteEventStore.open(current);
    }

    @Override
    public Connection connection() throws SQLException {
        Connection connection = DriverManager.getConnection("jdbc:sqlite:" + current);
        try (Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA journal_mode=WAL");
            statement.execute("PRAGMA synchronous=FULL");
            statement.execute("PRAGMA busy_timeout=10000");
        }
        return connection;
    }

    @Override
    public void createBaselineTable(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS bench_events");
            statement.execute("""
                    CREATE TABLE bench_events (
                        global_position INTEGER PRIMARY KEY AUTOINCREMENT,
                        event_id BLOB NOT NULL UNIQUE,
                        stream_id TEXT NOT NULL,
                        stream_version INTEGER NOT NULL,
                        type TEXT NOT NULL,
                        data TEXT NOT NULL,
                        metadata TEXT NOT NULL,
                        UNIQUE (stream_id, stream_version))""");
        }
    }

    @Override
    public String insertSql() {
        return "INSERT INTO bench_events (event_id, stream_id, stream_version, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)";
    }

    @Override
    public Object eventIdParameter(java.util.UUID id) {
        return java.nio.ByteBuffer.allocate(16)
                .putLong(id.getMostSignificantBits())
                .putLong(id.getLeastSignificantBits())
                .array();
    }

    @Override
    public boolean singleWriter() {
        return true;
    }

    @Override
    public String scanSql() {
        return "SELECT global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata,"
                + " recorded_at FROM factum_events ORDER BY global_position";
    }

    @Override
    public String streamSql() {
        return "SELECT global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata,"
                + " recorded_at FROM factum_events WHERE stream_id = ? ORDER BY stream_version";
    }

    @Override
    public void prepareForScan(Connection connection) {}

    @Override
    public StoreCounters.Source counters(SqlEventStore store) {
        return StoreCounters.sqlite(store);
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
