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

    /** A unique key was violated. */
    static boolean isUniqueViolation(SQLException e) {
        return "23505".equals(e.getSQLState());
    }
}
