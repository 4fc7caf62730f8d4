package io.factum.core.subscription;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A query of a SQL projection's read model: it gets a connection and the context of the version queries
 * read now, which names the tables ({@link ProjectionContext#table}).
 *
 * @param <T> what it returns
 */
@FunctionalInterface
public interface ReadModelQuery<T> {

    /** Reads; must not close the connection. */
    T run(Connection connection, ProjectionContext active) throws SQLException;
}
