package io.factum.store.postgres;

import io.factum.core.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import javax.sql.DataSource;

/** What a SQLException means to the store. */
final class Sql {

    private Sql() {}

    /** Work on a pooled connection. */
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * Runs {@code work} on a connection borrowed in autocommit: a value PostgreSQL refuses is the caller's
     * {@link IllegalArgumentException}, any other failure a {@link StoreException} naming {@code table}.
     */
    static <T> T autocommit(DataSource dataSource, String table, String what, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            return work.run(connection);
        } catch (SQLException e) {
            if (isDataError(e)) {
                throw new IllegalArgumentException(what + ": refused by PostgreSQL: " + e.getMessage(), e);
            }
            throw new StoreException(what + " failed on the database (" + table + "): " + reason(e), e);
        }
    }

    /**
     * The message of a failure, with the reason a pool gave up waiting for a connection: HikariCP's time-out
     * ("Connection is not available, request timed out after 1000ms") keeps the last failure to connect as
     * its cause ("Connection to localhost:5432 refused", "Could not find a server with specified
     * targetServerType: primary"), which is what tells an operator what is wrong.
     */
    static String reason(SQLException e) {
        String message = String.valueOf(e.getMessage());
        Throwable cause = e.getCause();
        if (e instanceof SQLTransientConnectionException && cause != null && cause.getMessage() != null) {
            return message + ": " + cause.getMessage();
        }
        return message;
    }

    /** A serialization failure or a deadlock: the transaction was rolled back and can run again. */
    static boolean isRetryable(SQLException e) {
        String state = e.getSQLState();
        return "40001".equals(state) || "40P01".equals(state);
    }

    /**
     * A data exception (SQLSTATE class 22): the database refused a value of the statement, such as JSON
     * that {@code jsonb} cannot keep or a number out of range. Running the statement again fails the same way.
     */
    static boolean isDataError(SQLException e) {
        String state = e.getSQLState();
        return state != null && state.startsWith("22");
    }

    /** A unique key was violated. */
    static boolean isUniqueViolation(SQLException e) {
        return "23505".equals(e.getSQLState());
    }
}
