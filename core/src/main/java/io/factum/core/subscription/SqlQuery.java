package io.factum.core.subscription;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A read of a read model on a JDBC connection of the store's database.
 *
 * @param <T> what it returns
 */
@FunctionalInterface
public interface SqlQuery<T> {

    /** Reads; the connection must not be closed by it. */
    T run(Connection connection) throws SQLException;
}
