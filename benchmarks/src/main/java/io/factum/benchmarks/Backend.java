package io.factum.benchmarks;

import io.factum.core.SqlEventStore;
import java.sql.Connection;
import java.sql.SQLException;

/** A database to measure on: Factum's store on it, and raw JDBC on the same database as the baseline. */
interface Backend extends AutoCloseable {

    String name();

    /** A new, empty Factum store. */
    SqlEventStore openStore() throws Exception;

    /** A new raw connection with the same durability as the store (autocommit on). */
    Connection connection() throws SQLException;

    /** Creates (or empties) the baseline's table {@code bench_events}, shaped like Factum's events. */
    void createBaselineTable(Connection connection) throws SQLException;

    /** Inserts one row into {@code bench_events}: event_id, stream_id, stream_version, type, data, metadata. */
    String insertSql();

    /** The event id as the baseline table's column takes it. */
    Object eventIdParameter(java.util.UUID id);

    /** Whether one connection must be shared by all baseline writers (SQLite has one writer at a time). */
    boolean singleWriter();

    /** Selects every event of Factum's log in global order, the columns a reader needs. */
    String scanSql();

    /** Selects one stream of Factum's log in version order. */
    String streamSql();

    /** Prepares a connection for a streaming scan (PostgreSQL needs a transaction for a cursor). */
    void prepareForScan(Connection connection) throws SQLException;

    /** What the store has committed so far. */
    StoreCounters.Source counters(SqlEventStore store);

    /** What the database server does while a side runs (server CPU, write transactions), if it can tell. */
    default Interleaved.Gauge gauge() {
        return Interleaved.Gauge.NONE;
    }

    /** Whether {@link #fill} can make an old store. */
    default boolean fills() {
        return false;
    }

    /**
     * Loads {@code events} events into the last store opened and as many rows into the baseline table,
     * quickly, by SQL.
     */
    default void fill(Connection connection, long events) throws SQLException {
        throw new UnsupportedOperationException(name() + " cannot fill an old store");
    }

    /** The event data of every benchmark event: 60 bytes of JSON. */
    String DATA = "{\"orderId\":\"order-1\",\"sku\":\"BOOK-42\",\"quantity\":3,\"price\":1}";

    /** The metadata of every benchmark event. */
    String METADATA = "{\"correlationId\":\"c0ffee00-0000-4000-8000-000000000000\"}";

    @Override
    void close() throws java.io.IOException;

    /**
     * The backend named {@code store} on the command line.
     *
     * @throws IllegalArgumentException if it is neither {@code sqlite} nor {@code postgres}
     */
    static Backend of(String store) throws java.io.IOException {
        return switch (store) {
            case "sqlite" -> new SqliteBackend();
            case "postgres" -> new PostgresBackend();
            default -> throw new IllegalArgumentException("unknown store " + store + "; expected sqlite or postgres");
        };
    }
}
