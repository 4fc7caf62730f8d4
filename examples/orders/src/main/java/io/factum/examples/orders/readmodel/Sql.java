package io.factum.examples.orders.readmodel;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.jspecify.annotations.Nullable;

/**
 * Small JDBC helpers shared by the projections. Amounts are kept as integer cents ({@code bigint}): exact
 * on SQLite (whose {@code numeric} is a floating-point affinity) and on PostgreSQL alike.
 */
final class Sql {

    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSX").withZone(ZoneOffset.UTC);

    private Sql() {}

    static void exec(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    static int update(Connection connection, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            return statement.executeUpdate();
        }
    }

    /**
     * One statement sent for many rows as a JDBC batch (one round trip for all of them on PostgreSQL):
     * prepared at its first row, sent by {@link #flush}, rows in the order they were added.
     */
    static final class Batch implements AutoCloseable {
        private final Connection connection;
        private final String sql;
        private @Nullable PreparedStatement statement;
        private int pending;

        Batch(Connection connection, String sql) {
            this.connection = connection;
            this.sql = sql;
        }

        void add(Object... parameters) throws SQLException {
            PreparedStatement prepared = statement;
            if (prepared == null) {
                prepared = connection.prepareStatement(sql);
                statement = prepared;
            }
            for (int i = 0; i < parameters.length; i++) {
                prepared.setObject(i + 1, parameters[i]);
            }
            prepared.addBatch();
            pending++;
        }

        /** Sends the rows added since the last flush. */
        void flush() throws SQLException {
            if (pending > 0 && statement != null) {
                statement.executeBatch();
                pending = 0;
            }
        }

        @Override
        public void close() throws SQLException {
            if (statement != null) {
                statement.close();
            }
        }
    }

    /**
     * An instant as fixed-width text (microseconds, UTC), so that it sorts in time order as text on both
     * databases and {@link Instant#parse} reads it back.
     */
    static String text(Instant instant) {
        return TIMESTAMP.format(instant);
    }

    static long cents(BigDecimal amount) {
        return amount.movePointRight(2)
                .setScale(0, java.math.RoundingMode.UNNECESSARY)
                .longValueExact();
    }

    static BigDecimal amount(long cents) {
        return BigDecimal.valueOf(cents, 2);
    }
}
