package io.factum.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.AllSlice;
import io.factum.core.AppendResult;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StoreException;
import io.factum.core.subscription.ProjectionContext;
import io.factum.core.subscription.ProjectionSubscription;
import io.factum.core.subscription.SqlProjection;
import io.factum.core.subscription.Subscription;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The primary dies under a running store and a hot standby is promoted in its place ({@link HotStandby}):
 * the store, given a url that names both servers with {@code targetServerType=primary}, goes on against
 * the new primary without a restart.
 */
class PostgresFailoverTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    /** The event id of append {@code n}: a retry of the append after a failure is the same append. */
    private static UUID eventId(int n) {
        return UUID.nameUUIDFromBytes(("failover-" + n).getBytes(StandardCharsets.UTF_8));
    }

    private static EventData event(int n) {
        return EventData.of(eventId(n), "Placed", "{\"n\": " + n + "}");
    }

    private static String stream(int n) {
        return "order-" + (n % 5);
    }

    private static PgEventStore open(HotStandby servers, String schema) {
        return PostgresEventStore.builder()
                .jdbcUrl(servers.failoverUrl())
                .schema(schema)
                .connectionTimeout(Duration.ofSeconds(1))
                .openStore();
    }

    @Nested
    class With_synchronous_replication {

        /** Appends acknowledged before the kill, and after the promotion before the appender stops. */
        private static final int BEFORE = 50;

        private static final int AFTER = 50;

        @Test
        void every_acknowledged_append_survives_and_the_store_goes_on_against_the_promoted_standby() throws Exception {
            try (HotStandby servers = HotStandby.start(HotStandby.Replication.SYNCHRONOUS);
                    PgEventStore store = open(servers, "failover_sync");
                    ProjectionSubscription projection = Subscription.sqlProjection(
                                    store, store.checkpoints(), new Applied())
                            .start()) {
                Appender appender = new Appender(store);
                Thread appending = Thread.ofPlatform().name("failover-appender").start(appender);
                int acknowledgedAtKill;
                try {
                    // when: the primary dies mid-stream, and the standby is promoted once appends fail
                    until(() -> appender.acknowledged.size() >= BEFORE);
                    servers.killPrimary();
                    acknowledgedAtKill = appender.acknowledged.size();
                    until(() -> appender.failures.stream().anyMatch(PostgresFailoverTest::unreachable));
                    servers.promoteStandby();
                    int acknowledgedAtPromotion = appender.acknowledged.size();
                    until(() -> appender.acknowledged.size() >= acknowledgedAtPromotion + AFTER);
                } finally {
                    appender.stop();
                    appending.join(WAIT.toMillis());
                }
                assertThat(appending.isAlive())
                        .as("the appender stopped within %s", WAIT)
                        .isFalse();
                int total = appender.acknowledged.size();

                // then: while no server was the primary, appends failed at once (after the connection
                // time-out) with a StoreException that says why and that nothing was written; the one in
                // flight when the primary died may or may not have been written, and says so
                assertThat(appender.failures).allSatisfy(failure -> assertThat(failure.getMessage())
                        .startsWith("stream order-")
                        .contains("retry it"));
                assertThat(appender.failures)
                        .filteredOn(PostgresFailoverTest::unreachable)
                        .allSatisfy(failure -> assertThat(failure.getMessage())
                                .contains("Connection is not available, request timed out after")
                                .endsWith(": Could not find a server with specified targetServerType: primary"));
                System.out.printf(
                        java.util.Locale.ROOT,
                        "PostgresFailoverTest: %d appends acknowledged before the kill, %d failed tries"
                                + " until the standby was promoted; the first failure: %s%n",
                        acknowledgedAtKill,
                        appender.failures.size(),
                        appender.failures.get(0).getMessage());

                // every append is in the new primary's log once, in the order it was acknowledged, each
                // where its acknowledgement said
                Position last = appender.acknowledged.get(total - 1).position();
                List<RecordedEvent> log = readAll(store, last);
                assertThat(log)
                        .extracting(PostgresFailoverTest::number)
                        .containsExactlyElementsOf(
                                IntStream.range(0, total).boxed().toList());
                assertThat(log).extracting(RecordedEvent::eventId).doesNotHaveDuplicates();
                for (RecordedEvent event : log) {
                    assertThat(event.position())
                            .as("the acknowledged position of append %d", number(event))
                            .isEqualTo(appender.acknowledged.get(number(event)).position());
                }
                assertThat(log).extracting(RecordedEvent::position).isSorted();

                // the projection resumed from its checkpoint and applied every event exactly once
                Position head = log.getLast().position();
                assertThat(projection.query(head, WAIT, Applied::counts))
                        .isEqualTo(List.of((long) total, (long) total));

                // the store's listener listens on the new primary (waiters wake by NOTIFY, not by polling)
                until(() -> listeners(servers) > 0);
            }
        }
    }

    @Nested
    class With_asynchronous_replication {

        private static final int LOST = 10;

        @Test
        void appends_the_standby_had_not_received_are_lost_and_their_transaction_ids_are_handed_out_again()
                throws Exception {
            try (HotStandby servers = HotStandby.start(HotStandby.Replication.ASYNCHRONOUS);
                    PgEventStore store = open(servers, "failover_async")) {
                // given: one append the standby has, then appends acknowledged by the primary alone
                store.append(stream(0), ExpectedVersion.any(), List.of(event(0)));
                servers.awaitReplayed();
                servers.disconnectStandby();
                List<AppendResult> lost = new ArrayList<>();
                for (int n = 1; n <= LOST; n++) {
                    lost.add(store.append(stream(n), ExpectedVersion.any(), List.of(event(n))));
                }

                // when: the primary dies and the standby is promoted
                servers.killPrimary();
                servers.promoteStandby();
                AppendResult after = appendUntilAcknowledged(store, LOST + 1);

                // then: the acknowledged appends the standby had not received are gone
                assertThat(readAll(store, after.position()))
                        .extracting(PostgresFailoverTest::number)
                        .containsExactly(0, LOST + 1);
                // and the new primary hands out their transaction ids again: the first append after the
                // fail-over sorts before the last lost one, so a reader outside the database whose checkpoint
                // had passed the lost events would never see it
                assertThat(after.position()).isLessThan(lost.getLast().position());
                assertThat(store.readAll(lost.getLast().position(), ReadDirection.FORWARD, 100, EventFilter.all())
                                .events())
                        .isEmpty();
            }
        }
    }

    /** Appends {@code n} until it is acknowledged: the pool may still hold connections to the dead primary. */
    private static AppendResult appendUntilAcknowledged(EventStore store, int n) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return store.append(stream(n), ExpectedVersion.any(), List.of(event(n)));
            } catch (StoreException e) {
                assertThat(System.nanoTime())
                        .as("the store took appends again within %s: %s", WAIT, e.getMessage())
                        .isLessThan(deadline);
                Thread.sleep(100);
            }
        }
    }

    /** A failure that says no connection to the database came: nothing was written. */
    private static boolean unreachable(StoreException failure) {
        return String.valueOf(failure.getMessage())
                .contains(": no connection to the database, nothing was written; retry it: ");
    }

    /** The appends' {@code n}, from the event's data. */
    private static int number(RecordedEvent event) {
        String data = event.data();
        return Integer.parseInt(
                data.substring(data.indexOf(':') + 1, data.indexOf('}')).trim());
    }

    /**
     * The global log from the start up to {@code last}. A page may end early while a write transaction that
     * started before the last events committed is still running (the read model's, the notifier's): the
     * reader waits for it as any gap-free reader does.
     */
    private static List<RecordedEvent> readAll(EventStore store, Position last) throws Exception {
        List<RecordedEvent> log = new ArrayList<>();
        Position from = Position.START;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (last.isAfter(from)) {
            AllSlice slice = store.readAll(from, ReadDirection.FORWARD, 100, EventFilter.all());
            log.addAll(slice.events());
            if (slice.events().isEmpty()) {
                assertThat(System.nanoTime())
                        .as("read the log up to %s within %s, got to %s", last, WAIT, from)
                        .isLessThan(deadline);
                Thread.sleep(20);
            }
            from = slice.next();
        }
        return log;
    }

    /** How many sessions on the standby (now the primary) run {@code LISTEN}. */
    private static long listeners(HotStandby servers) throws SQLException {
        try (Connection connection = DriverManager.getConnection(servers.standby.getJdbcUrl("postgres", "postgres"));
                Statement statement = connection.createStatement();
                ResultSet rs =
                        statement.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Appends 0, 1, 2 ... to five streams, one at a time, until stopped, as an application would: an append
     * that fails is tried again with the same event ids until it is acknowledged. So the appends acknowledged
     * are always 0 to some n, without a hole.
     */
    private static final class Appender implements Runnable {
        private final EventStore store;
        final Map<Integer, AppendResult> acknowledged = new ConcurrentHashMap<>();
        final List<StoreException> failures = new CopyOnWriteArrayList<>();
        private volatile boolean stopped;

        Appender(EventStore store) {
            this.store = store;
        }

        @Override
        public void run() {
            for (int n = 0; !stopped; ) {
                try {
                    acknowledged.put(n, store.append(stream(n), ExpectedVersion.any(), List.of(event(n))));
                    n++;
                } catch (StoreException e) {
                    failures.add(e);
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        }

        void stop() {
            stopped = true;
        }
    }

    /** Keeps one row per event applied, without a key: an event applied twice shows as two rows. */
    private static final class Applied implements SqlProjection {
        @Override
        public String name() {
            return "applied";
        }

        @Override
        public int version() {
            return 1;
        }

        @Override
        public void create(Connection connection, ProjectionContext context) throws SQLException {
            try (Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE IF NOT EXISTS failover_applied (event_id uuid NOT NULL)");
            }
        }

        @Override
        public void apply(Connection connection, ProjectionContext context, RecordedEvent event) throws SQLException {
            try (PreparedStatement statement =
                    connection.prepareStatement("INSERT INTO failover_applied (event_id) VALUES (?)")) {
                statement.setObject(1, event.eventId());
                statement.executeUpdate();
            }
        }

        @Override
        public void drop(Connection connection, ProjectionContext context) throws SQLException {
            try (Statement statement = connection.createStatement()) {
                statement.execute("DROP TABLE IF EXISTS failover_applied");
            }
        }

        /** The rows, and the distinct events among them. */
        static List<Long> counts(Connection connection, ProjectionContext active) throws SQLException {
            try (Statement statement = connection.createStatement();
                    ResultSet rs =
                            statement.executeQuery("SELECT count(*), count(DISTINCT event_id) FROM failover_applied")) {
                rs.next();
                return List.of(rs.getLong(1), rs.getLong(2));
            }
        }
    }

    /** A condition that may read the database. */
    private interface Condition {
        boolean holds() throws Exception;
    }

    /** Waits for the servers (not a timing assertion): fails only if {@code condition} never holds in {@link #WAIT}. */
    private static void until(Condition condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.holds()) {
            assertThat(System.nanoTime()).as("waited %s for the servers", WAIT).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
