package io.factum.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.StoreException;
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
            try (EventStore store = PostgresEventStore.builder()
                    .jdbcUrl(url)
                    .connectionTimeout(Duration.ofSeconds(1))
                    .open()) {
                store.append("order-1", ExpectedVersion.noStream(), EventData.of("Placed", "{}"));

                cutOff(true);
                // a call on a connection that died says so at once; once none is left, a call waits for a new
                // one for the store's time-out. Failed before: the builder never set one (HikariCP's 30 s)
                boolean timedOut = false;
                for (int call = 0; call < 5 && !timedOut; call++) {
                    StoreException failure = catchStoreException(
                            () -> store.append("order-1", ExpectedVersion.exactly(0), EventData.of("Paid", "{}")));
                    assertThat(failure.getMessage()).contains("retry");
                    timedOut = stackTrace(failure).contains("request timed out after 1000ms");
                }
                assertThat(timedOut)
                        .as("a call waited for a connection for the 1 s time-out")
                        .isTrue();

                cutOff(false);
                assertThat(appendWhenBack(store).streamVersion()).isEqualTo(1);
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
    private static io.factum.core.AppendResult appendWhenBack(EventStore store) throws InterruptedException {
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
