package io.factum.benchmarks;

import io.factum.core.SqlEventStore;
import io.factum.store.sqlite.SqliteEventStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * What a store has committed so far, to count what a workload costs: on SQLite the writer's transactions
 * and those that waited for the disk ({@link SqliteEventStore#writerStatistics}); on PostgreSQL the
 * transactions that wrote (the transaction ids handed out: reads get none) and the WAL flushes ({@code
 * pg_stat_wal.wal_sync}, PostgreSQL 14-17).
 *
 * @param commits transactions that wrote
 * @param durable waits for the disk: SQLite transactions with {@code synchronous=FULL}, PostgreSQL WAL flushes
 */
record StoreCounters(long commits, long durable) {

    /** Where the counters are read. */
    interface Source {

        /** The counters now. PostgreSQL's are its statistics, which backends report with some delay. */
        StoreCounters now() throws SQLException;

        /**
         * The counters once they have settled: PostgreSQL's backends report their statistics when idle, up
         * to a second or more after their last transaction. Call it when the workload is over.
         */
        default StoreCounters settled() throws SQLException, InterruptedException {
            return now();
        }
    }

    /** A connection to a PostgreSQL database. */
    interface Database {
        Connection connect() throws SQLException;
    }

    /** The counters of a SQLite store's writer, from its figures. */
    static Source sqlite(SqlEventStore store) {
        return () -> {
            Map<String, Long> figures = store.figures();
            return new StoreCounters(figures.get("writer transactions"), figures.get("writer durable transactions"));
        };
    }

    /** The counters of a PostgreSQL server, for the whole database. */
    static Source postgres(Database database) {
        return new Source() {
            @Override
            public StoreCounters now() throws SQLException {
                try (Connection connection = database.connect();
                        Statement statement = connection.createStatement()) {
                    statement.execute("SELECT pg_stat_force_next_flush()");
                    try (ResultSet rows =
                            statement.executeQuery("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint,"
                                    + " (SELECT wal_sync FROM pg_stat_wal)")) {
                        rows.next();
                        return new StoreCounters(rows.getLong(1), rows.getLong(2));
                    }
                }
            }

            @Override
            public StoreCounters settled() throws SQLException, InterruptedException {
                StoreCounters last = now();
                for (int i = 0; i < 30; i++) {
                    Thread.sleep(500);
                    StoreCounters now = now();
                    if (now.equals(last) && i >= 4) {
                        return now;
                    }
                    last = now;
                }
                return last;
            }
        };
    }

    /** What happened between {@code before} and this. */
    StoreCounters minus(StoreCounters before) {
        return new StoreCounters(commits - before.commits, durable - before.durable);
    }
}
