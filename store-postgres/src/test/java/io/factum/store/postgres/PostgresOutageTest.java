package io.factum.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.AppendResult;
import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.StoreException;
import io.factum.core.subscription.Subscription;
import io.factum.core.subscription.SubscriptionStatus;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The database goes away under a running store: calls fail with a clear, retryable error after the
 * store's connection time-out (not HikariCP's 30 s), and the store goes on by itself once the database is
 * back. The outage is a database of its own that stops taking connections and loses the ones it had.
 */
class PostgresOutageTest {

    private static final String DATABASE = "outage_" + ProcessHandle.current().pid();

    private static void admin(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(EmbeddedServer.jdbcUrl());
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static void cutOff(boolean cut) throws SQLException {
        admin("ALTER DATABASE " + DATABASE + " WITH ALLOW_CONNECTIONS " + !cut);
        if (cut) {
            admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + DATABASE + "'");
        }
    }

    @Test
    void appends_fail_within_the_connection_time_out_and_the_store_recovers_on_its_own() throws Exception {
        admin("CREATE DATABASE " + DATABASE);
        try {
            String url = EmbeddedServer.server().getJdbcUrl("postgres", DATABASE);
            try (PostgresEventStore store = PostgresEventStore.builder()
                            .jdbcUrl(url)
                            .connectionTimeout(Duration.ofSeconds(1))
                            .openStore();
                    Subscription subscription = Subscription.handler("outage", store, store.checkpoints(), event -> {})
                            .start()) {
                AppendResult placed = store.append("order-1", ExpectedVersion.noStream(), EventData.of("Placed", "{}"));
                assertThat(subscription.awaitPosition(placed.position(), Duration.ofSeconds(30)))
                        .isTrue();

                cutOff(true);
                // the status answers from memory throughout (failed before: it read the head and the parked
                // events from the database, and waited for a connection like any call)
                long slowestStatus = 0;
                for (int call = 0; call < 20; call++) {
                    long start = System.nanoTime();
                    SubscriptionStatus status = subscription.status();
                    slowestStatus = Math.max(slowestStatus, System.nanoTime() - start);
                    assertThat(status.checkpoint()).isEqualTo(placed.position());
                    Thread.sleep(50);
                }
                System.out.printf(
                        java.util.Locale.ROOT,
                        "PostgresOutageTest: the slowest of 20 status() calls during the outage took %.2f ms%n",
                        slowestStatus / 1e6);
                // a call on a connection that died says so at once; once none is left, a call waits for a new
                // one for the store's time-out. Failed before: the builder never set one (HikariCP's 30 s)
                boolean timedOut = false;
                for (int call = 0; call < 5 && !timedOut; call++) {
                    StoreException failure = catchStoreException(
                            () -> store.append("order-1", ExpectedVersion.exactly(0), EventData.of("Paid", "{}")));
                    assertThat(failure.getMessage()).contains("retry");
                    timedOut = stackTrace(failure).contains("request timed out after 1000ms");
                    if (timedOut) {
                        // no connection came: the message says nothing was written, and why none came (the
                        // pool's last failure to connect; failed before: only HikariCP's time-out)
                        assertThat(failure.getMessage())
                                .startsWith("stream order-1: no connection to the database, nothing was written;"
                                        + " retry it: ")
                                .contains("is not currently accepting connections");
                    }
                }
                assertThat(timedOut)
                        .as("a call waited for a connection for the 1 s time-out")
                        .isTrue();

                cutOff(false);
                AppendResult paid = appendWhenBack(store);
                assertThat(paid.streamVersion()).isEqualTo(1);
                assertThat(subscription.awaitPosition(paid.position(), Duration.ofSeconds(30)))
                        .as("the subscription goes on by itself")
                        .isTrue();
                assertThat(store.readStream("order-1", io.factum.core.ReadDirection.FORWARD, 0, 10)
                                .events())
                        .extracting(io.factum.core.RecordedEvent::type)
                        .containsExactly("Placed", "Paid");
            }
        } finally {
            cutOff(false);
            admin("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
        }
    }

    @Test
    void an_append_blocked_by_a_lock_fails_after_the_lock_time_out_and_writes_nothing() throws Exception {
        // failed before: the append waited for as long as the lock was held
        String prefix = "lock_" + ProcessHandle.current().pid() + "_";
        try (PostgresEventStore store = PostgresEventStore.builder()
                        .jdbcUrl(EmbeddedServer.jdbcUrl())
                        .tablePrefix(prefix)
                        .lockTimeout(Duration.ofMillis(300))
                        .openStore();
                Connection holder = DriverManager.getConnection(EmbeddedServer.jdbcUrl())) {
            store.append("order-1", ExpectedVersion.noStream(), EventData.of("Placed", "{}"));
            holder.setAutoCommit(false);
            try (Statement lock = holder.createStatement()) {
                lock.execute("LOCK TABLE " + prefix + "events IN EXCLUSIVE MODE");
            }

            StoreException failure = catchStoreException(
                    () -> store.append("order-1", ExpectedVersion.exactly(0), EventData.of("Paid", "{}")));

            assertThat(failure.getMessage()).contains("lock timeout").contains("retry");
            holder.rollback();
            assertThat(store.append("order-1", ExpectedVersion.exactly(0), EventData.of("Paid", "{}"))
                            .streamVersion())
                    .isEqualTo(1);
        }
    }

    @Test
    void refuses_a_negative_time_out() {
        assertThatThrownBy(() -> PostgresEventStore.builder().statementTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a statement time-out must be 0 (none) or at least 1 ms, got PT-1S");
    }

    private static StoreException catchStoreException(Runnable call) {
        try {
            call.run();
        } catch (StoreException e) {
            return e;
        }
        throw new AssertionError("the call succeeded while the database took no connections");
    }

    private static String stackTrace(Throwable failure) {
        java.io.StringWriter text = new java.io.StringWriter();
        failure.printStackTrace(new java.io.PrintWriter(text));
        return text.toString();
    }

    /** The first append after the outage may meet a pooled connection that died with it; the next works. */
    private static AppendResult appendWhenBack(EventStore store) throws InterruptedException {
        StoreException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                return store.append("order-1", ExpectedVersion.exactly(0), EventData.of("Paid", "{}"));
            } catch (StoreException e) {
                last = e;
                Thread.sleep(250);
            }
        }
        throw new AssertionError("the store did not recover after the database came back", last);
    }
}
