package io.factum.benchmarks;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.common.transaction.Transaction;
import org.axonframework.common.transaction.TransactionManager;

/**
 * An honest transaction manager for Axon's JDBC storage engine: every transaction is a real JDBC
 * transaction on a pooled connection (autocommit off, COMMIT at the end, which waits for the disk with
 * {@code synchronous_commit=on}), bound to the thread that started it, and the engine's connections inside
 * it are that transaction's connection (closing one does not end the transaction). A transaction started
 * inside another joins it. Outside a transaction the engine gets a plain pooled connection in autocommit.
 * This is what Spring's {@code DataSourceTransactionManager} with a transaction-aware data source does.
 */
final class JdbcTransactions implements TransactionManager, ConnectionProvider {

    private static final Transaction JOINED = new Transaction() {
        @Override
        public void commit() {
            // the outer transaction commits
        }

        @Override
        public void rollback() {
            // the outer transaction rolls back
        }
    };

    private final DataSource dataSource;
    private final ThreadLocal<Connection> bound = new ThreadLocal<>();

    JdbcTransactions(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Transaction startTransaction() {
        if (bound.get() != null) {
            return JOINED;
        }
        Connection connection;
        try {
            connection = dataSource.getConnection();
            connection.setAutoCommit(false);
        } catch (SQLException e) {
            throw new IllegalStateException("could not start a transaction: " + e.getMessage(), e);
        }
        bound.set(connection);
        return new Transaction() {
            @Override
            public void commit() {
                try {
                    connection.commit();
                } catch (SQLException e) {
                    throw new IllegalStateException("COMMIT failed: " + e.getMessage(), e);
                } finally {
                    release(connection);
                }
            }

            @Override
            public void rollback() {
                try {
                    connection.rollback();
                } catch (SQLException e) {
                    throw new IllegalStateException("ROLLBACK failed: " + e.getMessage(), e);
                } finally {
                    release(connection);
                }
            }
        };
    }

    private void release(Connection connection) {
        bound.remove();
        try {
            connection.setAutoCommit(true);
            connection.close();
        } catch (SQLException e) {
            throw new IllegalStateException("could not return the connection: " + e.getMessage(), e);
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection connection = bound.get();
        if (connection == null) {
            return dataSource.getConnection();
        }
        return (Connection) Proxy.newProxyInstance(
                Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("close")) {
                        return null;
                    }
                    try {
                        return method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
