package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.AppendResult;
import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.subscription.ConsumerGroup;
import io.factum.core.subscription.LeaseStore;
import io.factum.core.subscription.ProjectionContext;
import io.factum.core.subscription.ProjectionSubscription;
import io.factum.core.subscription.RetryPolicy;
import io.factum.core.subscription.SqlCheckpointStore;
import io.factum.core.subscription.SqlProjection;
import io.factum.core.subscription.StaleReadModelException;
import io.factum.core.subscription.Subscription;
import io.factum.core.subscription.SubscriptionState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * SQL projections run by Factum's runtime on a store's own database: each event affects the read model
 * exactly once (also with competing instances and consumer-group members), queries can wait for a
 * position, poison events are parked without their writes, and a new version is built beside the active
 * one and switched to when it caught up.
 */
public abstract class SqlProjectionContract extends TckSupport {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final RetryPolicy FAST = new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(5));

    /** The SQL checkpoint store that belongs to {@code store}. */
    protected abstract SqlCheckpointStore checkpoints(EventStore store);

    /** The lease store in the same database. */
    protected abstract LeaseStore leases(EventStore store);

    private final List<AutoCloseable> running = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable closeable : running) {
            closeable.close();
        }
    }

    /** Counts events per stream into {@code tck_stream_counts_v<version>}; version 2 counts tenfold. */
    protected static class Counting implements SqlProjection {
        final int version;
        final List<Integer> dropped = new CopyOnWriteArrayList<>();
        volatile String poisonType = "";
        final AtomicBoolean slow = new AtomicBoolean();
        final java.util.concurrent.atomic.AtomicInteger batches = new java.util.concurrent.atomic.AtomicInteger();

        Counting(int version) {
            this.version = version;
        }

        @Override
        public String name() {
            return "tck_stream_counts";
        }

        @Override
        public int version() {
            return version;
        }

        @Override
        public void create(Connection connection, ProjectionContext context) throws SQLException {
            try (Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE IF NOT EXISTS " + context.table("counts")
                        + " (stream_id text primary key, n bigint not null, last_position bigint not null)");
            }
        }

        @Override
        public void apply(Connection connection, ProjectionContext context, RecordedEvent event) throws SQLException {
            String table = context.table("counts");
            try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO " + table
                    + " (stream_id, n, last_position) VALUES (?, ?, ?) ON CONFLICT (stream_id) DO UPDATE SET n = "
                    + table + ".n + excluded.n, last_position = excluded.last_position")) {
                upsert.setString(1, event.streamId());
                upsert.setLong(2, version == 1 ? 1 : 10);
                upsert.setLong(3, event.position().position());
                upsert.executeUpdate();
            }
            if (event.type().equals(poisonType)) {
                throw new SQLException("cannot project " + event.type());
            }
            while (slow.get()) {
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        /** The whole batch in one JDBC batch; a poison event fails it before anything is sent. */
        @Override
        public void applyAll(Connection connection, ProjectionContext context, List<RecordedEvent> events)
                throws SQLException {
            batches.incrementAndGet();
            String table = context.table("counts");
            try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO " + table
                    + " (stream_id, n, last_position) VALUES (?, ?, ?) ON CONFLICT (stream_id) DO UPDATE SET n = "
                    + table + ".n + excluded.n, last_position = excluded.last_position")) {
                for (RecordedEvent event : events) {
                    if (event.type().equals(poisonType)) {
                        throw new SQLException("cannot project " + event.type());
                    }
                    upsert.setString(1, event.streamId());
                    upsert.setLong(2, version == 1 ? 1 : 10);
                    upsert.setLong(3, event.position().position());
                    upsert.addBatch();
                }
                upsert.executeBatch();
            }
            while (slow.get()) {
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        @Override
        public void drop(Connection connection, ProjectionContext context) throws SQLException {
            try (Statement statement = connection.createStatement()) {
                statement.execute("DROP TABLE IF EXISTS " + context.table("counts"));
            }
            dropped.add(context.version());
        }
    }

    ProjectionSubscription start(SqlProjection projection) {
        ProjectionSubscription subscription = Subscription.sqlProjection(store, checkpoints(store), projection)
                .batchSize(50)
                .retry(FAST)
                .start();
        running.add(subscription);
        return subscription;
    }

    Map<String, Long> counts(ProjectionSubscription subscription) {
        return subscription.query((connection, active) -> {
            Map<String, Long> counts = new TreeMap<>();
            try (Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("SELECT stream_id, n FROM " + active.table("counts"))) {
                while (rows.next()) {
                    counts.put(rows.getString(1), rows.getLong(2));
                }
            }
            return counts;
        });
    }

    /** Appends {@code perStream} events to each of {@code streams} streams, round by round. */
    Map<String, Long> appendRounds(int streams, int perStream, String prefix) {
        Map<String, Long> expected = new TreeMap<>();
        for (int round = 0; round < perStream; round++) {
            for (int s = 0; s < streams; s++) {
                String stream = prefix + "-" + s;
                store.append(stream, ExpectedVersion.any(), EventData.of("Counted", "{}"));
                expected.merge(stream, 1L, Long::sum);
            }
        }
        return expected;
    }

    @Nested
    class ExactlyOnce {

        @Test
        void every_event_is_counted_once() throws Exception {
            Map<String, Long> expected = appendRounds(10, 12, "tally");
            Counting counting = new Counting(1);
            ProjectionSubscription projection = start(counting);
            Map<String, Long> more = appendRounds(10, 3, "tally");
            more.forEach((k, v) -> expected.merge(k, v, Long::sum));
            assertThat(projection.awaitPosition(store.headPosition(), WAIT)).isTrue();
            assertThat(counts(projection)).isEqualTo(expected);
            assertThat(counting.batches).as("batches applied with applyAll").hasPositiveValue();
        }

        @Test
        void two_competing_instances_still_count_every_event_once() throws Exception {
            Map<String, Long> expected = appendRounds(8, 40, "race");
            ProjectionSubscription one = start(new Counting(1));
            ProjectionSubscription two = start(new Counting(1));
            assertThat(one.awaitPosition(store.headPosition(), WAIT)).isTrue();
            assertThat(two.awaitPosition(store.headPosition(), WAIT)).isTrue();
            assertThat(counts(one)).isEqualTo(expected);
        }

        @Test
        void a_restart_goes_on_from_the_committed_checkpoint() throws Exception {
            Map<String, Long> expected = appendRounds(5, 10, "again");
            ProjectionSubscription first = start(new Counting(1));
            assertThat(first.awaitPosition(store.headPosition(), WAIT)).isTrue();
            first.close();
            appendRounds(5, 2, "again").forEach((k, v) -> expected.merge(k, v, Long::sum));
            ProjectionSubscription second = start(new Counting(1));
            assertThat(second.awaitPosition(store.headPosition(), WAIT)).isTrue();
            assertThat(counts(second)).isEqualTo(expected);
        }

        @Test
        void a_poison_event_is_parked_without_its_writes_and_the_rest_is_counted() throws Exception {
            Counting counting = new Counting(1);
            counting.poisonType = "Poison";
            store.append("pill-1", ExpectedVersion.any(), EventData.of("Counted", "{}"));
            AppendResult poison = store.append("pill-1", ExpectedVersion.any(), EventData.of("Poison", "{}"));
            store.append("pill-1", ExpectedVersion.any(), EventData.of("Counted", "{}"));
            ProjectionSubscription projection = start(counting);
            assertThat(projection.awaitPosition(store.headPosition(), WAIT)).isTrue();
            assertThat(counts(projection)).containsExactly(Map.entry("pill-1", 2L));
            assertThat(projection.parked()).singleElement().satisfies(parked -> {
                assertThat(parked.position()).isEqualTo(poison.position());
                assertThat(parked.attempts()).isEqualTo(2);
                assertThat(parked.error()).contains("cannot project Poison");
            });
        }
    }

    @Nested
    class Queries {

        @Test
        void a_query_with_a_position_sees_the_write_it_waited_for() throws Exception {
            ProjectionSubscription projection = start(new Counting(1));
            AppendResult appended = store.append("mine-1", ExpectedVersion.noStream(), EventData.of("Counted", "{}"));
            Long count = projection.query(appended.position(), WAIT, (connection, active) -> {
                try (Statement statement = connection.createStatement();
                        ResultSet rows = statement.executeQuery(
                                "SELECT n FROM " + active.table("counts") + " WHERE stream_id = 'mine-1'")) {
                    return rows.next() ? rows.getLong(1) : null;
                }
            });
            assertThat(count).isEqualTo(1L);
        }

        @Test
        void a_query_for_a_position_not_reached_in_time_fails_clearly() throws Exception {
            Counting counting = new Counting(1);
            counting.slow.set(true);
            ProjectionSubscription projection = start(counting);
            AppendResult appended = store.append("slow-1", ExpectedVersion.noStream(), EventData.of("Counted", "{}"));
            assertThatThrownBy(() -> projection.query(appended.position(), Duration.ofMillis(50), (c, a) -> 0))
                    .isInstanceOf(StaleReadModelException.class)
                    .hasMessageStartingWith("read model tck_stream_counts@v1 has not reached position "
                            + appended.position() + " within 50 ms");
            counting.slow.set(false);
        }
    }

    @Nested
    class Rebuilds {

        @Test
        void a_new_version_builds_beside_the_old_and_takes_over_when_caught_up() throws Exception {
            Map<String, Long> expected = appendRounds(4, 5, "blue");
            ProjectionSubscription v1 = start(new Counting(1));
            assertThat(v1.awaitPosition(store.headPosition(), WAIT)).isTrue();
            v1.close();
            assertThat(counts(v1)).isEqualTo(expected);

            Counting second = new Counting(2);
            second.slow.set(true);
            ProjectionSubscription v2 = start(second);
            // while v2 builds, queries read v1
            assertThat(v2.active().version()).isEqualTo(1);
            assertThat(counts(v2)).isEqualTo(expected);
            second.slow.set(false);
            assertThat(v2.awaitPosition(store.headPosition(), WAIT)).isTrue();

            Map<String, Long> tenfold = new TreeMap<>();
            expected.forEach((k, v) -> tenfold.put(k, v * 10));
            assertThat(v2.active().version()).isEqualTo(2);
            assertThat(counts(v2)).isEqualTo(tenfold);
            assertThat(second.dropped).containsExactly(1);
            assertThat(checkpoints(store).activeVersion("tck_stream_counts")).hasValue(2);
            assertThat(checkpoints(store).load("tck_stream_counts@v1")).isEqualTo(Position.START);
        }

        @Test
        void an_instance_of_an_older_version_than_the_active_one_stops() throws Exception {
            appendRounds(2, 2, "old");
            checkpoints(store).activate("tck_stream_counts", 3);
            ProjectionSubscription old = start(new Counting(1));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (old.status().state() != SubscriptionState.FAILED && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(old.status().state()).isEqualTo(SubscriptionState.FAILED);
            assertThat(old.status().lastError())
                    .hasValue("projection tck_stream_counts: this code is version 1 but version 3 is active; this"
                            + " instance stopped, run the newer code");
        }
    }

    @Nested
    class ConsumerGroups {

        ConsumerGroup member(String id) {
            ConsumerGroup member = ConsumerGroup.builder("tck-counts", id, store, checkpoints(store), leases(store))
                    .buckets(6)
                    .leaseTime(Duration.ofSeconds(5))
                    .batchSize(40)
                    .retry(FAST)
                    .sqlProjection(new Counting(1))
                    .start();
            running.add(member);
            return member;
        }

        @Test
        void members_share_the_buckets_and_count_every_event_once_also_when_one_leaves() throws Exception {
            Map<String, Long> expected = appendRounds(12, 10, "group");
            ConsumerGroup a = member("a");
            ConsumerGroup b = member("b");
            appendRounds(12, 10, "group").forEach((k, v) -> expected.merge(k, v, Long::sum));
            // the first member to join takes every bucket and hands half over when the second arrives
            long split = System.nanoTime() + WAIT.toNanos();
            while ((a.buckets().size() != 3 || b.buckets().size() != 3) && System.nanoTime() < split) {
                Thread.sleep(10);
            }
            List<Integer> all = new ArrayList<>(a.buckets());
            all.addAll(b.buckets());
            assertThat(all).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);
            assertThat(a.awaitPosition(store.headPosition(), WAIT)).isTrue();
            assertThat(b.awaitPosition(store.headPosition(), WAIT)).isTrue();

            b.close();
            appendRounds(12, 5, "group").forEach((k, v) -> expected.merge(k, v, Long::sum));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (a.buckets().size() < 6 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(a.buckets()).hasSize(6);
            assertThat(a.awaitPosition(store.headPosition(), WAIT)).isTrue();
            Map<String, Long> counted = checkpoints(store).query(connection -> {
                Map<String, Long> rows = new TreeMap<>();
                try (Statement statement = connection.createStatement();
                        ResultSet result = statement.executeQuery("SELECT stream_id, n FROM counts_v1")) {
                    while (result.next()) {
                        rows.put(result.getString(1), result.getLong(2));
                    }
                }
                return rows;
            });
            assertThat(counted).isEqualTo(expected);
        }
    }
}
