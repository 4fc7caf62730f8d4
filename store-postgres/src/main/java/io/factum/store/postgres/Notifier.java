package io.factum.store.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Listens on the store's NOTIFY channel on a connection of its own and calls {@code onWake} for every
 * batch of notifications. Appends call {@code pg_notify} in their transaction, so a notification arrives
 * only after the append committed, from this process or any other. After a (re)connect it wakes too, as
 * notifications sent while it was away are lost.
 */
final class Notifier {

    private static final int POLL_MILLIS = 250;

    private final DataSource dataSource;
    private final String channel;
    private final Runnable onWake;
    private final Thread thread;
    private volatile boolean closed;

    Notifier(DataSource dataSource, String channel, Runnable onWake) {
        this.dataSource = dataSource;
        this.channel = channel;
        this.onWake = onWake;
        this.thread = new Thread(this::run, "factum-pg-listen-" + channel);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (!closed) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(true);
                PGConnection pg = connection.unwrap(PGConnection.class);
                try (Statement listen = connection.createStatement()) {
                    listen.execute("LISTEN \"" + channel + "\"");
                }
                onWake.run();
                while (!closed) {
                    PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
                    if (notifications != null && notifications.length > 0) {
                        onWake.run();
                    }
                }
            } catch (SQLException e) {
                if (closed) {
                    return;
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(500);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    void close() {
        closed = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
