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

    private SearchPath() {}

    /** Does nothing for a store without a schema of its own. */
    static void set(Connection connection, Tables tables) throws SQLException {
        if (tables.schema().isEmpty()) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT set_config('search_path', ? || ', ' || current_setting('search_path'), true)")) {
            statement.setString(1, tables.schema().get());
            statement.execute();
        }
    }
}
