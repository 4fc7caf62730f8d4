package io.factum.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.AllSlice;
import io.factum.core.AppendResult;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.subscription.EventHandler;
import io.factum.core.subscription.ProjectionContext;
import io.factum.core.subscription.ProjectionSubscription;
import io.factum.core.subscription.SqlProjection;
import io.factum.core.subscription.StaleReadModelException;
import io.factum.core.subscription.Subscription;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reads from a streaming replica: a primary and a hot standby that the test starts itself ({@link
 * HotStandby}); the store appends to the primary and reads the global log and its read models from the
 * standby.
 */
class PostgresReadReplicaTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static HotStandby servers;

    @BeforeAll
    static void start() {
        servers = HotStandby.start();
    }

    @AfterAll
    static void stop() throws Exception {
        servers.close();
    }

    private static String primaryUrl() {
        return servers.primary.getJdbcUrl("postgres", "postgres");
    }

    private static String replicaUrl() {
        return servers.standby.getJdbcUrl("postgres", "postgres");
    }

    private static PgEventStore open(String schema, boolean withReplica) {
        PostgresEventStore.Builder builder =
                PostgresEventStore.builder().jdbcUrl(primaryUrl()).schema(schema);
        if (withReplica) {
            builder.readReplica(replicaUrl());
        }
        return builder.openStore();
    }

    private static void awaitReplayed() throws Exception {
        servers.awaitReplayed();
    }

    private static void replay(boolean on) throws SQLException {
        try (Connection replica = DriverManager.getConnection(replicaUrl());
                Statement statement = replica.createStatement()) {
            statement.execute(on ? "SELECT pg_wal_replay_resume()" : "SELECT pg_wal_replay_pause()");
        }
    }

    @Test
    @SuppressWarnings("try") // the subscription runs while the try does; it is not used in the body
    void a_subscription_reads_the_replica_and_wakes_on_appends_to_the_primary() throws Exception {
        try (PgEventStore store = open("replica_subscription", true)) {
            List<RecordedEvent> seen = new CopyOnWriteArrayList<>();
            EventHandler collect = seen::add;
            try (Subscription ignored = Subscription.handler("replica-reader", store, store.checkpoints(), collect)
                    .start()) {
                for (int i = 0; i < 20; i++) {
                    store.append(
                            "order-" + (i % 4), ExpectedVersion.any(), EventData.of("Placed", "{\"n\":" + i + "}"));
                }

                until(() -> seen.size() == 20);
            }
            assertThat(seen)
                    .extracting(event -> event.data())
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 20)
                            .mapToObj(i -> "{\"n\": " + i + "}")
                            .toList());
        }
    }

    @Test
    void reads_from_the_replica_stay_gap_free_behind_a_late_commit_on_the_primary() throws Exception {
        try (PgEventStore store = open("replica_gaps", true)) {
            // a transaction that took its position first but commits last
            var late = store.holdAppend("late-1", ExpectedVersion.noStream(), List.of(EventData.of("Late", "{}")));
            AppendResult early = store.append("early-1", ExpectedVersion.noStream(), EventData.of("Early", "{}"));
            awaitReplayed();

            // the replica has the early event's row, but a reader must not pass the late one's place
            try (Connection replica = DriverManager.getConnection(replicaUrl());
                    Statement statement = replica.createStatement();
                    ResultSet rs = statement.executeQuery(
                            "SELECT count(*) FROM replica_gaps.factum_events WHERE stream_id = 'early-1'")) {
                rs.next();
                assertThat(rs.getLong(1))
                        .as("the early event is on the replica")
                        .isEqualTo(1);
            }
            AllSlice before = store.readAll(Position.START, ReadDirection.FORWARD, 100, EventFilter.all());
            assertThat(before.events()).extracting(RecordedEvent::type).doesNotContain("Early", "Late");
            assertThat(store.awaitAppend(Position.START, Duration.ofMillis(200)))
                    .isFalse();

            late.commit();
            awaitReplayed();

            AllSlice after = store.readAll(Position.START, ReadDirection.FORWARD, 100, EventFilter.all());
            assertThat(after.events()).extracting(RecordedEvent::type).containsExactly("Late", "Early");
            assertThat(after.events().getLast().position()).isEqualTo(early.position());
        }
    }

    @Test
    void a_query_at_a_position_waits_until_the_replica_replayed_the_read_model_that_far() throws Exception {
        try (PgEventStore writer = open("replica_queries", false);
                PgEventStore reader = open("replica_queries", true)) {
            io.factum.core.subscription.ReadModelQuery<Long> total = (connection, active) -> Counts.total(connection);
            // one instance of the read model on the primary only, one that reads the replica
            ProjectionSubscription onPrimary = Subscription.sqlProjection(writer, writer.checkpoints(), new Counts())
                    .start();
            ProjectionSubscription onReplica = Subscription.sqlProjection(reader, reader.checkpoints(), new Counts())
                    .start();
            try {
                AppendResult first = writer.append("item-1", ExpectedVersion.noStream(), EventData.of("Counted", "{}"));
                assertThat(onPrimary.query(first.position(), WAIT, total)).isEqualTo(1L);
                awaitReplayed();
                replay(false);
                try {
                    AppendResult second =
                            writer.append("item-2", ExpectedVersion.noStream(), EventData.of("Counted", "{}"));
                    assertThat(onPrimary.awaitPosition(second.position(), WAIT)).isTrue();

                    // the read model on the primary has it; the paused replica has not replayed it
                    var answer = onReplica.answer(total);
                    assertThat(answer.value()).isEqualTo(1L);
                    assertThat(answer.position())
                            .as("the position the replica's answer reflects")
                            .isEqualTo(first.position());
                    assertThatThrownBy(() -> onReplica.query(second.position(), Duration.ofMillis(300), total))
                            .isInstanceOf(StaleReadModelException.class)
                            .hasMessageContaining("it is at " + first.position());

                    replay(true);
                    assertThat(onReplica.query(second.position(), WAIT, total)).isEqualTo(2L);
                } finally {
                    replay(true);
                }
            } finally {
                onReplica.close();
                onPrimary.close();
            }
        }
    }

    /** Counts the events it was given, in one row. */
    private static final class Counts implements SqlProjection {
        @Override
        public String name() {
            return "counts";
        }

        @Override
        public int version() {
            return 1;
        }

        @Override
        public void create(Connection connection, ProjectionContext context) throws SQLException {
            try (Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE IF NOT EXISTS replica_counts (n bigint NOT NULL)");
                statement.execute(
                        "INSERT INTO replica_counts SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM replica_counts)");
            }
        }

        @Override
        public void apply(Connection connection, ProjectionContext context, RecordedEvent event) throws SQLException {
            try (Statement statement = connection.createStatement()) {
                statement.execute("UPDATE replica_counts SET n = n + 1");
            }
        }

        @Override
        public void drop(Connection connection, ProjectionContext context) throws SQLException {
            try (Statement statement = connection.createStatement()) {
                statement.execute("DROP TABLE IF EXISTS replica_counts");
            }
        }

        static long total(Connection connection) throws SQLException {
            try (Statement statement = connection.createStatement();
                    ResultSet rs = statement.executeQuery("SELECT n FROM replica_counts")) {
                rs.next();
                return rs.getLong(1);
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
