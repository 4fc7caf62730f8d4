package io.factum.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The store's NOTIFY channel, on two connections of its own.
 *
 * <p>Listening: calls {@code onWake} for every batch of notifications, from this process or any other.
 * After a (re)connect it wakes too, as notifications sent while it was away are lost. A connection that
 * died without a word (a dropped network path, a failed-over server) would wait for notifications for
 * ever, so every {@value #KEEPALIVE_SECONDS} s the listener runs {@code SELECT 1} on it, with a network
 * timeout of {@value #NETWORK_TIMEOUT_MILLIS} ms, and reconnects if that fails. Until it listens again,
 * {@link #listening()} is false and waiters re-check on their own.
 *
 * <p>Sending: append transactions do not call {@code pg_notify} themselves, since a transaction that
 * notifies holds PostgreSQL's notify lock from its pre-commit to its end, so notifying transactions would
 * commit (and flush the WAL) one at a time. Instead {@link #committed()}, called after COMMIT, asks a
 * sender thread for one {@code SELECT pg_notify(channel, '')} in a transaction of its own: at most one is
 * in flight, and all commits made while it runs, or in the 5 ms after it, are covered by one more after
 * that (so a steady stream of commits costs one notification per 5 ms, not one each). A notification thus
 * always follows the commits it announces. It is sent with {@code synchronous_commit} off for its own transaction: it carries
 * no data, and a notification is never durable anyway.
 */
final class Notifier {

    private static final int POLL_MILLIS = 250;
    static final int KEEPALIVE_SECONDS = 30;
    static final int NETWORK_TIMEOUT_MILLIS = 10_000;

    private final DataSource dataSource;
    private final String channel;
    private final Runnable onWake;
    private final Thread listener;
    private final Thread sender;
    private final Object signal = new Object();
    private final long keepAliveNanos;
    private boolean requested;
    private volatile boolean listening;
    private volatile boolean closed;

    Notifier(DataSource dataSource, String channel, Runnable onWake) {
        this(dataSource, channel, onWake, TimeUnit.SECONDS.toNanos(KEEPALIVE_SECONDS));
    }

    Notifier(DataSource dataSource, String channel, Runnable onWake, long keepAliveNanos) {
        this.keepAliveNanos = keepAliveNanos;
        this.dataSource = dataSource;
        this.channel = channel;
        this.onWake = onWake;
        this.listener = new Thread(this::listen, "factum-pg-listen-" + channel);
        listener.setDaemon(true);
        listener.start();
        this.sender = new Thread(this::send, "factum-pg-notify-" + channel);
        sender.setDaemon(true);
        sender.start();
    }

    /** Called after an append transaction committed: other listeners on the channel will be notified. */
    void committed() {
        synchronized (signal) {
            if (!requested) {
                requested = true;
                signal.notifyAll();
            }
        }
    }

    /** Whether the listener is connected and listening, as far as it knows. */
    boolean listening() {
        return listening;
    }

    private void listen() {
        while (!closed) {
            @Nullable Connection connection = null;
            try {
                connection = dataSource.getConnection();
                listenOn(connection);
                connection.close();
            } catch (SQLException | RuntimeException e) {
                listening = false;
                evict(connection);
                if (closed || !pause()) {
                    return;
                }
            } finally {
                listening = false;
            }
        }
    }

    /** Listens until the store closes; throws when the connection fails. */
    private void listenOn(Connection connection) throws SQLException {
        connection.setAutoCommit(true);
        connection.setNetworkTimeout(Runnable::run, NETWORK_TIMEOUT_MILLIS);
        PGConnection pg = connection.unwrap(PGConnection.class);
        try (Statement listen = connection.createStatement()) {
            listen.execute("LISTEN \"" + channel + "\"");
        }
        listening = true;
        onWake.run();
        long check = System.nanoTime() + keepAliveNanos;
        while (!closed) {
            PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
            if (notifications != null && notifications.length > 0) {
                onWake.run();
            }
            if (System.nanoTime() - check >= 0) {
                try (Statement ping = connection.createStatement()) {
                    ping.execute("SELECT 1");
                }
                check = System.nanoTime() + keepAliveNanos;
            }
        }
    }

    /**
     * Takes a failed listening connection out of the pool: its failure came through the unwrapped driver
     * connection, which the pool does not see, so closing it would hand a dead connection to the next reader.
     */
    private void evict(@Nullable Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            if (dataSource instanceof HikariDataSource hikari) {
                hikari.evictConnection(connection); // closes it too
                return;
            }
            connection.abort(Runnable::run);
        } catch (SQLException | RuntimeException ignored) {
            // closing it below is all that is left
        }
        close(connection);
    }

    private void send() {
        @Nullable Connection connection = null;
        try {
            while (true) {
                synchronized (signal) {
                    while (!requested && !closed) {
                        signal.wait();
                    }
                    if (!requested) {
                        return; // closed, and the last commits are announced
                    }
                    requested = false;
                }
                try {
                    if (connection == null) {
                        connection = dataSource.getConnection();
                        connection.setAutoCommit(true);
                    }
                    // set_config(..., true) is SET LOCAL: it ends with this statement's own transaction
                    try (PreparedStatement notify = connection.prepareStatement(
                            "SELECT set_config('synchronous_commit', 'off', true), pg_notify(?, '')")) {
                        notify.setString(1, channel);
                        notify.execute();
                    }
                    if (!holdBack()) {
                        return;
                    }
                } catch (SQLException e) {
                    connection = close(connection);
                    // listeners poll after a lost notification only if woken some other way: ask again
                    synchronized (signal) {
                        requested = true;
                    }
                    if (closed || !pause()) {
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close(connection);
        }
    }

    private static @Nullable Connection close(@Nullable Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException | RuntimeException ignored) {
                // the connection is broken; nothing more to release
            }
        }
        return null;
    }

    /** How long one notification stands for all commits after it: other processes hear within this. */
    private static final long NOTIFY_WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /**
     * Waits out the notification window, so that under a steady stream of commits one notification is
     * sent per window rather than one per commit (each is a transaction of its own on the server).
     *
     * @return false if interrupted
     */
    private boolean holdBack() {
        long until = System.nanoTime() + NOTIFY_WINDOW_NANOS;
        synchronized (signal) {
            long left;
            while (!closed && (left = until - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(signal, left);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    private boolean pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(500);
            return true;
        } catch (InterruptedException interrupted) {
            return false;
        }
    }

    void close() {
        closed = true;
        synchronized (signal) {
            signal.notifyAll();
        }
        try {
            listener.join(TimeUnit.SECONDS.toMillis(5));
            sender.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
