package io.factum.store.postgres;

import java.sql.SQLException;

/** What a SQLException means to the store. */
final class Sql {

    private Sql() {}

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
