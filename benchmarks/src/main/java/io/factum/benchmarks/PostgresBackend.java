package io.factum.benchmarks;

import io.factum.core.EventStore;
import io.factum.core.subscription.SqlCheckpointStore;
import io.factum.store.postgres.PostgresEventStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * An embedded PostgreSQL server (the same binaries the tests use) with full durability: {@code fsync=on}
 * and {@code synchronous_commit=on}, on both sides.
 */
final class PostgresBackend implements Backend {

    private final EmbeddedPostgres server;
    private int schemas;
    private String schema = "public";

    PostgresBackend() throws IOException {
        server = EmbeddedPostgres.builder()
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("max_connections", "200")
                .setServerConfig("shared_buffers", "256MB")
                .start();
    }

    private String url() {
        return server.getJdbcUrl("postgres", "postgres");
    }

    @Override
    public String name() {
        return "PostgreSQL";
    }

    @Override
    public EventStore openStore() {
        schema = "bench" + ++schemas;
        return PostgresEventStore.builder()
                .jdbcUrl(url())
                .username("postgres")
                .schema(schema)
                .maxPoolSize(40)
                .open();
    }

    @Override
    public Connection connection() throws SQLException {
        return DriverManager.getConnection(url(), "postgres", "");
    }

    @Override
    public void createBaselineTable(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS public.bench_events");
            statement.execute("""
                    CREATE TABLE public.bench_events (
                        global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                        event_id uuid NOT NULL UNIQUE,
                        stream_id text NOT NULL,
                        stream_version bigint NOT NULL,
                        type text NOT NULL,
                        data jsonb NOT NULL,
                        metadata jsonb NOT NULL,
                        recorded_at timestamptz NOT NULL DEFAULT now(),
                        UNIQUE (stream_id, stream_version))""");
        }
    }

    @Override
    public String insertSql() {
        return "INSERT INTO public.bench_events (event_id, stream_id, stream_version, type, data, metadata)"
                + " VALUES (?, ?, ?, ?, ?::jsonb, ?::jsonb)";
    }

    @Override
    public Object eventIdParameter(UUID id) {
        return id;
    }

    @Override
    public boolean singleWriter() {
        return false;
    }

    @Override
    public String scanSql() {
        return "SELECT global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata,"
                + " recorded_at FROM " + schema + ".factum_events ORDER BY global_position";
    }

    @Override
    public String streamSql() {
        return "SELECT global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata,"
                + " recorded_at FROM " + schema + ".factum_events WHERE stream_id = ? ORDER BY stream_version";
    }

    @Override
    public void prepareForScan(Connection connection) throws SQLException {
        connection.setAutoCommit(false);
    }

    @Override
    public SqlCheckpointStore checkpoints(EventStore store) {
        return PostgresEventStore.checkpoints(store);
    }

    @Override
    public StoreCounters.Source counters(EventStore store) {
        return StoreCounters.postgres(this::connection);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
