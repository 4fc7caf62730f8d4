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
 * demand up to the pool size and keep their prepared statements. A connection whose read failed with an
 * SQL error is closed instead of given back (see {@link #read}).
 */
final class ReadPool implements AutoCloseable {

    /** Opens a new read connection. */
    interface Opener {
        Connection open() throws SQLException;
    }

    /** A read on a borrowed connection. */
    interface Read<T> {
        T run(Lease lease) throws SQLException;
    }

    /** A borrowed connection with its statement cache, for the length of one {@link Read}. */
    final class Lease {
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
     * Runs a read on a pooled connection, waiting while all are in use. If the read fails with an SQL error,
     * the connection is closed with its statements instead of given back, and the next read opens a new
     * one: sqlite-jdbc finalizes a statement that fails with most errors, and a statement the connection
     * keeps would otherwise fail every later read with "statement is not executing" (see {@link
     * SqliteFault}); a connection whose disk failed is replaced too.
     *
     * @param what what is read, for the message of a failure: "stream order-1", "the global log"
     * @throws StoreException if the read fails with an SQL error, the pool is closed or a connection cannot
     *     be opened
     */
    <T> T read(String what, Read<T> read) {
        Lease lease = borrow();
        boolean keep = true;
        try {
            return read.run(lease);
        } catch (SQLException e) {
            keep = false;
            throw new StoreException(
                    "could not read " + what + " from the SQLite store " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            keep = SqliteFault.of(e) == SqliteFault.NONE;
            throw e;
        } finally {
            if (keep) {
                release(lease);
            } else {
                discard(lease);
            }
        }
    }

    /**
     * Borrows a connection, waiting while all are in use.
     *
     * @throws StoreException if the pool is closed or a connection cannot be opened
     */
    private Lease borrow() {
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

    private void discard(Lease lease) {
        lease.closeConnection();
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
