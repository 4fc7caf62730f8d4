package io.factum.core.subscription;

import java.sql.Connection;
import java.sql.SQLException;

/** Work on a JDBC connection inside a transaction the runtime opens and commits. */
@FunctionalInterface
public interface SqlWork {

    /** Does the work; the connection must not be committed, rolled back or closed by it. */
    void run(Connection connection) throws SQLException;
}
