package io.factum.benchmarks;

import io.factum.core.SqlEventStore;
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
    private final Interleaved.Gauge gauge;
    private final int writers;
    private int schemas;
    private String schema = "public";

    PostgresBackend() throws IOException {
        this(PostgresEventStore.DEFAULT_WRITERS);
    }

    /** A server, and stores with the given number of group-commit writers. */
    PostgresBackend(int writers) throws IOException {
        this.writers = writers;
        server = EmbeddedPostgres.builder()
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("max_connections", "200")
                .setServerConfig("shared_buffers", "256MB")
                .start();
        gauge = new ServerGauge(server.getPort(), this::connection);
    }

    /** The embedded server, for harnesses that run other clients against it. */
    EmbeddedPostgres server() {
        return server;
    }

    @Override
    public Interleaved.Gauge gauge() {
        return gauge;
    }

    private String url() {
        return server.getJdbcUrl("postgres", "postgres");
    }

    @Override
    public String name() {
        return "PostgreSQL";
    }

    @Override
    public SqlEventStore openStore() {
        schema = "bench" + ++schemas;
        return PostgresEventStore.builder()
                .jdbcUrl(url())
                .username("postgres")
                .schema(schema)
                .writers(writers)
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
    public boolean fills() {
        return true;
    }

    /**
     * Loads events by SQL into the last store opened and as many rows into the baseline table, then
     * analyzes both, as an old database would be: streams of ten events, a million events a minute or so.
     */
    @Override
    public void fill(Connection connection, long events) throws SQLException {
        long streams = events / 10;
        long chunk = 50_000;
        try (Statement statement = connection.createStatement()) {
            for (long from = 1; from <= streams; from += chunk) {
                long to = Math.min(streams, from + chunk - 1);
                statement.execute("INSERT INTO " + schema + ".factum_streams (id, category, last_version)"
                        + " SELECT 'old-' || s, 'old', 9 FROM generate_series(" + from + ", " + to + ") s");
                statement.execute("INSERT INTO " + schema + ".factum_events (stream_id, stream_version, category,"
                        + " bucket, event_id, type, schema_version, data, metadata, recorded_at)"
                        + " SELECT 'old-' || s, v, 'old', 0, gen_random_uuid(), 'ItemAdded', 1, " + quote(DATA)
                        + "::jsonb, " + quote(METADATA) + "::jsonb, now()"
                        + " FROM generate_series(" + from + ", " + to + ") s, generate_series(0, 9) v");
                statement.execute("INSERT INTO public.bench_events (event_id, stream_id, stream_version, type, data,"
                        + " metadata) SELECT gen_random_uuid(), 'old-' || s, v, 'ItemAdded', " + quote(DATA)
                        + "::jsonb, " + quote(METADATA) + "::jsonb"
                        + " FROM generate_series(" + from + ", " + to + ") s, generate_series(0, 9) v");
            }
            statement.execute("VACUUM ANALYZE " + schema + ".factum_streams");
            statement.execute("VACUUM ANALYZE " + schema + ".factum_events");
            statement.execute("VACUUM ANALYZE public.bench_events");
        }
    }

    private static String quote(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    @Override
    public String scanSql() {
        return "SELECT global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata,"
                + " recorded_at FROM " + schema + ".factum_events ORDER BY tx_id, global_position";
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
    public StoreCounters.Source counters(SqlEventStore store) {
        return StoreCounters.postgres(this::connection);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
