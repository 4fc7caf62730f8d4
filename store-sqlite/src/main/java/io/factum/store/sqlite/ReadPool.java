package io.factum.store.sqlite;

import io.factum.core.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * A small pool of read-only connections. WAL mode lets them read concurrently with each other and with
 * the writer; each sees the last committed state when its statement starts. Connections are opened on
 * demand up to the pool size and keep their prepared statements.
 */
final class ReadPool implements AutoCloseable {

    /** Opens a new read connection. */
    interface Opener {
        Connection open() throws SQLException;
    }

    /** A borrowed connection with its statement cache; give it back with {@link #close()}. */
    final class Lease implements AutoCloseable {
        private final Connection connection;
        private final Map<String, PreparedStatement> statements;

        private Lease(Connection connection) {
            this.connection = connection;
            this.statements = new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
                    if (size() <= MAX_CACHED_STATEMENTS) {
                        return false;
                    }
                    closeQuietly(eldest.getValue());
                    return true;
                }
            };
        }

        /** The connection itself, for queries of read models; it must not be closed. */
        Connection connection() {
            return connection;
        }

        /** The prepared statement for {@code sql}, prepared once per connection. */
        PreparedStatement prepare(String sql) throws SQLException {
            PreparedStatement statement = statements.get(sql);
            if (statement == null) {
                statement = connection.prepareStatement(sql);
                statements.put(sql, statement);
            }
            return statement;
        }

        @Override
        public void close() {
            release(this);
        }

        private void closeConnection() {
            statements.values().forEach(ReadPool::closeQuietly);
            statements.clear();
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing: nothing left to do with a connection that fails to close
            }
        }
    }

    private static final int MAX_CACHED_STATEMENTS = 64;

    private final String file;
    private final Opener opener;
    private final Semaphore permits;
    private final Deque<Lease> idle = new ArrayDeque<>();
    private boolean closed;

    ReadPool(String file, int size, Opener opener) {
        this.file = file;
        this.opener = opener;
        this.permits = new Semaphore(size);
    }

    /**
     * Borrows a connection, waiting while all are in use.
     *
     * @throws StoreException if the pool is closed or a connection cannot be opened
     */
    Lease borrow() {
        permits.acquireUninterruptibly();
        Lease lease;
        synchronized (this) {
            if (closed) {
                permits.release();
                throw new StoreException("the SQLite store " + file + " is closed");
            }
            lease = idle.pollFirst();
        }
        if (lease != null) {
            return lease;
        }
        try {
            return new Lease(opener.open());
        } catch (SQLException | RuntimeException e) {
            permits.release();
            throw new StoreException(
                    "could not open a read connection to the SQLite store " + file + ": " + e.getMessage(), e);
        }
    }

    private void release(Lease lease) {
        boolean keep;
        synchronized (this) {
            keep = !closed;
            if (keep) {
                idle.addFirst(lease);
            }
        }
        if (!keep) {
            lease.closeConnection();
        }
        permits.release();
    }

    /** Closes idle connections now and borrowed ones when they come back. */
    @Override
    public void close() {
        Deque<Lease> toClose;
        synchronized (this) {
            closed = true;
            toClose = new ArrayDeque<>(idle);
            idle.clear();
        }
        toClose.forEach(Lease::closeConnection);
    }

    private static void closeQuietly(PreparedStatement statement) {
        try {
            statement.close();
        } catch (SQLException ignored) {
            // a statement that fails to close holds nothing we can free
        }
    }
}
