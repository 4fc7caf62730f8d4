package io.factum.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Puts the store's schema first on the search path of the current transaction ({@code set_config(...,
 * true)}, like {@code SET LOCAL}), so that the SQL of read models resolves unqualified table names in the
 * store's schema. Scoped to the transaction: a pooled connection returns to the pool as it was.
 */
final class SearchPath {

    /** The call that puts a schema (its one parameter) first on the transaction's search path. */
    static final String SET_CONFIG = "set_config('search_path', ? || ', ' || current_setting('search_path'), true)";

    private SearchPath() {}

    /** Does nothing for a store without a schema of its own. */
    static void set(Connection connection, Tables tables) throws SQLException {
        if (tables.schema().isEmpty()) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement("SELECT " + SET_CONFIG)) {
            statement.setString(1, tables.schema().get());
            statement.execute();
        }
    }

    /**
     * Like {@link #set}, and lets the transaction commit without waiting for its WAL to be flushed ({@code
     * SET LOCAL synchronous_commit = off}), in the same statement: one round trip, sent with the BEGIN.
     */
    static void setWithAsynchronousCommit(Connection connection, Tables tables) throws SQLException {
        String asynchronous = "set_config('synchronous_commit', 'off', true)";
        try (PreparedStatement statement = connection.prepareStatement(
                tables.schema().isEmpty() ? "SELECT " + asynchronous : "SELECT " + asynchronous + ", " + SET_CONFIG)) {
            if (tables.schema().isPresent()) {
                statement.setString(1, tables.schema().get());
            }
            statement.execute();
        }
    }
}
