package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.AppendResult;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.subscription.Answer;
import io.factum.core.subscription.ConsumerGroup;
import io.factum.core.subscription.LeaseStore;
import io.factum.core.subscription.OnParked;
import io.factum.core.subscription.ParkedEvent;
import io.factum.core.subscription.ProjectionGroup;
import io.factum.core.subscription.ProjectionSubscription;
import io.factum.core.subscription.ReadModelQuery;
import io.factum.core.subscription.RetryPolicy;
import io.factum.core.subscription.SqlCheckpointStore;
import io.factum.core.subscription.SqlProjection;
import io.factum.core.subscription.StaleReadModelException;
import io.factum.core.subscription.Subscription;
import io.factum.core.subscription.SubscriptionState;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * SQL projections run by Factum's runtime on a store's own database: each event affects the read model
 * exactly once (also with competing instances and consumer-group members), queries can wait for a
 * position, poison events are parked without their writes, and a new version is built beside the active
 * one and switched to when it caught up. Projection groups keep several read models with one read and one
 * commit per batch, each member exactly once, parking, rebuilding and stopping on its own.
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
            CountingProjection counting = new CountingProjection(1);
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
            ProjectionSubscription one = start(new CountingProjection(1));
            ProjectionSubscription two = start(new CountingProjection(1));
            assertThat(one.awaitPosition(store.headPosition(), WAIT)).isTrue();
            assertThat(two.awaitPosition(store.headPosition(), WAIT)).isTrue();
            assertThat(counts(one)).isEqualTo(expected);
        }

        @Test
        void a_restart_goes_on_from_the_committed_checkpoint() throws Exception {
            Map<String, Long> expected = appendRounds(5, 10, "again");
            ProjectionSubscription first = start(new CountingProjection(1));
            assertThat(first.awaitPosition(store.headPosition(), WAIT)).isTrue();
            first.close();
            appendRounds(5, 2, "again").forEach((k, v) -> expected.merge(k, v, Long::sum));
            ProjectionSubscription second = start(new CountingProjection(1));
            assertThat(second.awaitPosition(store.headPosition(), WAIT)).isTrue();
            assertThat(counts(second)).isEqualTo(expected);
        }

        @Test
        void a_poison_event_is_parked_without_its_writes_and_told_to_skip_it_the_rest_is_counted() throws Exception {
            CountingProjection counting = new CountingProjection(1);
            counting.poisonType = "Poison";
            store.append("pill-1", ExpectedVersion.any(), EventData.of("Counted", "{}"));
            AppendResult poison = store.append("pill-1", ExpectedVersion.any(), EventData.of("Poison", "{}"));
            store.append("pill-1", ExpectedVersion.any(), EventData.of("Counted", "{}"));
            ProjectionSubscription projection = Subscription.sqlProjection(store, checkpoints(store), counting)
                    .batchSize(50)
                    .retry(FAST)
                    .onParked(OnParked.SKIP_EVENT)
                    .start();
            running.add(projection);
            assertThat(projection.awaitPosition(store.headPosition(), WAIT)).isTrue();
            assertThat(counts(projection)).containsExactly(Map.entry("pill-1", 2L));
            assertThat(projection.parked()).singleElement().satisfies(parked -> {
                assertThat(parked.position()).isEqualTo(poison.position());
                assertThat(parked.attempts()).isEqualTo(2);
                assertThat(parked.error()).contains("cannot project Poison");
            });
        }
    }

    /** {@link OnParked#HOLD_STREAM}, the default of SQL projections. */
    @Nested
    class A_parked_event_holds_back_its_stream {

        @Test
        void the_streams_later_events_are_parked_behind_it_untried_and_other_streams_go_on() throws Exception {
            CountingProjection counting = new CountingProjection(1);
            counting.poisonType = "Poison";
            store.append("held-1", ExpectedVersion.any(), EventData.of("Counted", "{}"));
            store.append("other-1", ExpectedVersion.any(), EventData.of("Counted", "{}"));
            AppendResult poison = store.append("held-1", ExpectedVersion.any(), EventData.of("Poison", "{}"));
            store.append("other-1", ExpectedVersion.any(), EventData.of("Counted", "{}"));
            AppendResult later = store.append("held-1", ExpectedVersion.any(), EventData.of("Counted", "{}"));
            store.append("other-1", ExpectedVersion.any(), EventData.of("Counted", "{}"));
            ProjectionSubscription projection = start(counting);
            assertThat(projection.awaitPosition(store.headPosition(), WAIT)).isTrue();

            assertThat(counts(projection)).containsExactly(Map.entry("held-1", 1L), Map.entry("other-1", 3L));
            assertThat(projection.parked())
                    .extracting(ParkedEvent::position)
                    .containsExactly(poison.position(), later.position());
            ParkedEvent held = projection.parked().get(1);
            assertThat(held.attempts()).as("tries of a held event").isZero();
            assertThat(held.error()).contains("held back");
            assertThat(projection.status().parked()).isEqualTo(2);

            // and live: a new event of the held stream is parked too, one of another stream applied
            AppendResult live = store.append("held-1", ExpectedVersion.any(), EventData.of("Counted", "{}"));
            store.append("other-1", ExpectedVersion.any(), EventData.of("Counted", "{}"));
            assertThat(projection.awaitPosition(store.headPosition(), WAIT)).isTrue();
            assertThat(counts(projection)).containsExactly(Map.entry("held-1", 1L), Map.entry("other-1", 4L));
            assertThat(projection.parked()).extracting(ParkedEvent::position).endsWith(live.position());
        }

        @Test
        void replaying_its_first_parked_event_replays_the_held_ones_in_order_and_the_stream_goes_on() throws Exception {
            CountingProjection counting = new CountingProjection(1);
            counting.poisonType = "Poison";
            store.append("held-2", ExpectedVersion.any(), EventData.of("Counted", "{}"));
            AppendResult poison = store.append("held-2", ExpectedVersion.any(), EventData.of("Poison", "{}"));
            AppendResult later = store.append("held-2", ExpectedVersion.any(), EventData.of("Counted", "{}"));
            ProjectionSubscription projection = start(counting);
            assertThat(projection.awaitPosition(store.headPosition(), WAIT)).isTrue();
            assertThat(projection.parked()).hasSize(2);

            assertThatThrownBy(() -> projection.replayParked(later.position()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(
                            "held back behind the stream's parked event at position " + poison.position());
            // still failing: it stays parked, and so does the held one
            assertThat(projection.replayParked(poison.position())).isFalse();
            assertThat(projection.parked()).hasSize(2);

            counting.poisonType = "";
            assertThat(projection.replayParked(poison.position())).isTrue();
            assertThat(projection.parked()).isEmpty();
            assertThat(projection.status().parked()).isZero();
            assertThat(counts(projection)).containsExactly(Map.entry("held-2", 3L));

            store.append("held-2", ExpectedVersion.any(), EventData.of("Counted", "{}"));
            assertThat(projection.awaitPosition(store.headPosition(), WAIT)).isTrue();
            assertThat(counts(projection)).containsExactly(Map.entry("held-2", 4L));
            assertThat(projection.parked()).isEmpty();
        }

        @Test
        void a_restarted_instance_still_holds_the_stream() throws Exception {
            CountingProjection counting = new CountingProjection(1);
            counting.poisonType = "Poison";
            store.append("held-3", ExpectedVersion.any(), EventData.of("Poison", "{}"));
            ProjectionSubscription first = start(counting);
            assertThat(first.awaitPosition(store.headPosition(), WAIT)).isTrue();
            first.close();

            store.append("held-3", ExpectedVersion.any(), EventData.of("Counted", "{}"));
            store.append("free-3", ExpectedVersion.any(), EventData.of("Counted", "{}"));
            ProjectionSubscription second = start(new CountingProjection(1));
            assertThat(second.awaitPosition(store.headPosition(), WAIT)).isTrue();
            assertThat(counts(second)).containsExactly(Map.entry("free-3", 1L));
            assertThat(second.parked()).hasSize(2);
            assertThat(second.status().parked()).isEqualTo(2);
        }

        @Test
        void in_a_group_the_failing_member_holds_the_stream_and_the_others_apply_it() throws Exception {
            CountingProjection all = everything(1);
            CountingProjection failing = new CountingProjection("tck_failing", "failing_counts", 1, EventFilter.all());
            failing.poisonType = "Poison";
            store.append("held-4", ExpectedVersion.any(), EventData.of("Poison", "{}"));
            store.append("held-4", ExpectedVersion.any(), EventData.of("Counted", "{}"));
            store.append("free-4", ExpectedVersion.any(), EventData.of("Counted", "{}"));
            ProjectionGroup group = Subscription.sqlProjections(store, checkpoints(store), List.of(all, failing))
                    .batchSize(50)
                    .retry(FAST)
                    .start();
            running.add(group);
            for (ProjectionSubscription member : group.members()) {
                assertThat(member.awaitPosition(store.headPosition(), WAIT)).isTrue();
            }
            assertThat(counts(group.member("tck_failing"), failing)).containsExactly(Map.entry("free-4", 1L));
            assertThat(counts(group.member("tck_all"), all)).containsEntry("held-4", 2L);
            assertThat(group.member("tck_failing").parked()).hasSize(2);
        }
    }

    @Nested
    class Queries {

        @Test
        void a_query_with_a_position_sees_the_write_it_waited_for() throws Exception {
            ProjectionSubscription projection = start(new CountingProjection(1));
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
        void a_query_right_after_start_waits_for_the_tables_instead_of_failing() throws Exception {
            // failed before: the runner creates the tables on its own thread, and a query that came first
            // failed with "no such table" (a 500 of the orders API under load)
            CountingProjection counting = new CountingProjection(1);
            java.util.concurrent.CountDownLatch creating = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            SqlProjection slowToCreate = new SqlProjection() {
                @Override
                public String name() {
                    return counting.name();
                }

                @Override
                public int version() {
                    return counting.version();
                }

                @Override
                public io.factum.core.EventFilter filter() {
                    return counting.filter();
                }

                @Override
                public void create(
                        java.sql.Connection connection, io.factum.core.subscription.ProjectionContext context)
                        throws java.sql.SQLException {
                    creating.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    counting.create(connection, context);
                }

                @Override
                public void apply(
                        java.sql.Connection connection,
                        io.factum.core.subscription.ProjectionContext context,
                        io.factum.core.RecordedEvent event)
                        throws java.sql.SQLException {
                    counting.apply(connection, context, event);
                }

                @Override
                public void drop(java.sql.Connection connection, io.factum.core.subscription.ProjectionContext context)
                        throws java.sql.SQLException {
                    counting.drop(connection, context);
                }
            };
            ProjectionSubscription projection = start(slowToCreate);
            assertThat(creating.await(30, java.util.concurrent.TimeUnit.SECONDS))
                    .isTrue();

            var answer = java.util.concurrent.CompletableFuture.supplyAsync(() -> counts(projection));
            Thread.sleep(200);
            assertThat(answer)
                    .as("the query waits while the tables are being created")
                    .isNotDone();
            release.countDown();

            assertThat(answer.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEmpty();
        }

        @Test
        void a_query_for_a_position_not_reached_in_time_fails_clearly() throws Exception {
            CountingProjection counting = new CountingProjection(1);
            counting.slow.set(true);
            ProjectionSubscription projection = start(counting);
            AppendResult appended = store.append("slow-1", ExpectedVersion.noStream(), EventData.of("Counted", "{}"));
            assertThatThrownBy(() -> projection.query(appended.position(), Duration.ofMillis(50), (c, a) -> 0))
                    .isInstanceOf(StaleReadModelException.class)
                    .hasMessageStartingWith("read model tck_stream_counts@v1 has not reached position "
                            + appended.position() + " within 50 ms");
            counting.slow.set(false);
        }

        private static ReadModelQuery<Long> countOf(String stream) {
            return (connection, active) -> {
                try (Statement statement = connection.createStatement();
                        ResultSet rows = statement.executeQuery(
                                "SELECT n FROM " + active.table("counts") + " WHERE stream_id = '" + stream + "'")) {
                    return rows.next() ? rows.getLong(1) : 0L;
                }
            };
        }

        @Test
        void an_answer_says_the_position_it_reflects() throws Exception {
            ProjectionSubscription projection = start(new CountingProjection(1));
            AppendResult first = store.append("told-1", ExpectedVersion.noStream(), EventData.of("Counted", "{}"));

            Answer<Long> answer = projection.answer(first.position(), WAIT, countOf("told-1"));

            assertThat(answer.value()).isEqualTo(1L);
            assertThat(answer.position()).isGreaterThanOrEqualTo(first.position());
            // sent back, it is never answered with less
            AppendResult second = store.append("told-1", ExpectedVersion.exactly(0), EventData.of("Counted", "{}"));
            assertThat(projection.awaitPosition(second.position(), WAIT)).isTrue();
            Answer<Long> later = projection.answer(answer.position(), WAIT, countOf("told-1"));
            assertThat(later.value()).isEqualTo(2L);
            assertThat(later.position()).isGreaterThanOrEqualTo(second.position());
        }

        @Test
        void a_query_waits_for_the_checkpoint_another_instance_moves() throws Exception {
            // given: an instance whose subscription stopped, and another one of the same projection
            ProjectionSubscription stopped = start(new CountingProjection(1));
            stopped.close();
            start(new CountingProjection(1));
            AppendResult appended = store.append("shared-1", ExpectedVersion.noStream(), EventData.of("Counted", "{}"));

            // when: the stopped one is asked for the position; then: it answers once the read model has it
            Answer<Long> answer = stopped.answer(appended.position(), WAIT, countOf("shared-1"));

            assertThat(answer.value()).isEqualTo(1L);
            assertThat(answer.position()).isGreaterThanOrEqualTo(appended.position());
        }
    }

    @Nested
    class Rebuilds {

        @Test
        void a_new_version_builds_beside_the_old_and_takes_over_when_caught_up() throws Exception {
            Map<String, Long> expected = appendRounds(4, 5, "blue");
            ProjectionSubscription v1 = start(new CountingProjection(1));
            assertThat(v1.awaitPosition(store.headPosition(), WAIT)).isTrue();
            v1.close();
            assertThat(counts(v1)).isEqualTo(expected);

            CountingProjection second = new CountingProjection(2);
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
            ProjectionSubscription old = start(new CountingProjection(1));
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

    /** Every event, counted into {@code all_counts_v<version>}. */
    static CountingProjection everything(int version) {
        return new CountingProjection("tck_all", "all_counts", version, EventFilter.all());
    }

    /** The events of the {@code order} category, into {@code order_counts_v<version>}. */
    static CountingProjection orders(int version) {
        return new CountingProjection("tck_orders", "order_counts", version, EventFilter.categories("order"));
    }

    /** The events of type {@code Paid}, into {@code paid_counts_v<version>}. */
    static CountingProjection payments(int version) {
        return new CountingProjection("tck_paid", "paid_counts", version, EventFilter.eventTypes("Paid"));
    }

    /** The read model of {@code projection} as its member's queries see it. */
    static Map<String, Long> counts(ProjectionSubscription member, CountingProjection projection) {
        return member.query((connection, active) -> {
            Map<String, Long> counts = new TreeMap<>();
            try (Statement statement = connection.createStatement();
                    ResultSet rows =
                            statement.executeQuery("SELECT stream_id, n FROM " + active.table(projection.table))) {
                while (rows.next()) {
                    counts.put(rows.getString(1), rows.getLong(2));
                }
            }
            return counts;
        });
    }

    /**
     * What {@code projection} must hold: the log read back and folded here, apart from the runtime, leaving
     * out the events of type {@code except}.
     */
    Map<String, Long> fold(CountingProjection projection, String except) {
        Map<String, Long> counts = new TreeMap<>();
        try (var log = store.streamAll(Position.START, projection.filter)) {
            log.filter(event -> !event.type().equals(except))
                    .forEach(event -> counts.merge(event.streamId(), projection.step(), Long::sum));
        }
        return counts;
    }

    /** Appends {@code rounds} of one event to each of 4 orders and 2 customers; every third is {@code Paid}. */
    void appendMixed(int rounds, String prefix) {
        for (int round = 0; round < rounds; round++) {
            for (int s = 0; s < 6; s++) {
                String stream = (s < 4 ? "order-" : "customer-") + prefix + s;
                String type = (round + s) % 3 == 0 ? "Paid" : "Counted";
                store.append(stream, ExpectedVersion.any(), EventData.of(type, "{}"));
            }
        }
    }

    @Nested
    class ProjectionGroups {

        ProjectionGroup startGroup(SqlCheckpointStore checkpoints, CountingProjection... members) {
            ProjectionGroup group = Subscription.sqlProjections(store, checkpoints, List.of(members))
                    .batchSize(50)
                    .retry(FAST)
                    .start();
            running.add(group);
            return group;
        }

        void awaitAll(ProjectionGroup group) throws InterruptedException {
            Position head = store.headPosition();
            for (ProjectionSubscription member : group.members()) {
                assertThat(member.awaitPosition(head, WAIT))
                        .as("%s reached %s: %s", member.name(), head, member.status())
                        .isTrue();
            }
        }

        @Test
        void count_every_event_of_each_members_filter_once_with_one_commit_per_batch() throws Exception {
            appendMixed(20, "a");
            RecordingCheckpointStore recording = new RecordingCheckpointStore(checkpoints(store));
            CountingProjection all = everything(1);
            CountingProjection orders = orders(1);
            CountingProjection paid = payments(1);
            ProjectionGroup group = startGroup(recording, all, orders, paid);
            appendMixed(5, "b");

            awaitAll(group);

            assertThat(counts(group.member("tck_all"), all)).isEqualTo(fold(all, ""));
            assertThat(counts(group.member("tck_orders"), orders)).isEqualTo(fold(orders, ""));
            assertThat(counts(group.member("tck_paid"), paid)).isEqualTo(fold(paid, ""));
            assertThat(group.members())
                    .extracting(ProjectionSubscription::name)
                    .containsExactly("tck_all@v1", "tck_orders@v1", "tck_paid@v1");
            // the members moved together from the start: every batch was one transaction moving all three
            assertThat(recording.groupCommits).isNotEmpty().containsOnly(3);
            assertThat(recording.singleCommits).hasValue(0);
            assertThat(all.batches.get() + all.applied.get())
                    .as("calls of the member that keeps every event")
                    .isEqualTo(recording.groupCommits.size());
        }

        @Test
        void a_failing_member_parks_its_poison_event_alone_and_the_others_apply_the_batch_once() throws Exception {
            appendMixed(4, "a");
            AppendResult poison = store.append("order-pill", ExpectedVersion.any(), EventData.of("Poison", "{}"));
            appendMixed(4, "b");
            CountingProjection all = everything(1);
            CountingProjection orders = orders(1);
            orders.poisonType = "Poison";
            ProjectionGroup group = startGroup(checkpoints(store), all, orders);

            awaitAll(group);

            assertThat(counts(group.member("tck_all"), all)).isEqualTo(fold(all, ""));
            assertThat(counts(group.member("tck_orders"), orders)).isEqualTo(fold(orders, "Poison"));
            assertThat(group.member("tck_orders").parked()).singleElement().satisfies(parked -> {
                assertThat(parked.subscription()).isEqualTo("tck_orders@v1");
                assertThat(parked.position()).isEqualTo(poison.position());
                assertThat(parked.error()).contains("cannot project Poison");
            });
            assertThat(group.member("tck_all").parked()).isEmpty();
            assertThat(group.member("tck_orders").status().parked()).isEqualTo(1);
        }

        @Test
        void a_member_of_a_raised_version_rebuilds_beside_the_others_which_go_on() throws Exception {
            appendMixed(10, "a");
            ProjectionGroup first = startGroup(checkpoints(store), everything(1), orders(1));
            awaitAll(first);
            first.close();

            // when: version 2 of one member joins the same other member; it is paused (after at most one
            // page of 50, held until then) while the log grows
            CountingProjection all = everything(2);
            all.slow.set(true);
            CountingProjection orders = orders(1);
            ProjectionGroup second = startGroup(checkpoints(store), all, orders);
            ProjectionSubscription rebuilding = second.member("tck_all");
            rebuilding.pause();
            all.slow.set(false);
            AppendResult later = store.append("order-late", ExpectedVersion.any(), EventData.of("Counted", "{}"));

            // then: the other member goes on from where it was, and queries of the rebuilding one read v1
            assertThat(second.member("tck_orders").awaitPosition(later.position(), WAIT))
                    .isTrue();
            assertThat(counts(second.member("tck_orders"), orders)).isEqualTo(fold(orders, ""));
            assertThat(rebuilding.active().version()).isEqualTo(1);
            assertThat(rebuilding.awaitPosition(later.position(), Duration.ofMillis(20)))
                    .isFalse();

            // when: it resumes, it catches up from the start of the log and takes over
            rebuilding.resume();
            assertThat(rebuilding.awaitPosition(later.position(), WAIT)).isTrue();
            assertThat(rebuilding.active().version()).isEqualTo(2);
            assertThat(counts(rebuilding, all)).isEqualTo(fold(all, ""));
            assertThat(all.dropped).containsExactly(1);
            assertThat(checkpoints(store).load("tck_all@v1")).isEqualTo(Position.START);
            assertThat(counts(second.member("tck_orders"), orders)).isEqualTo(fold(orders, ""));
        }

        @Test
        void two_competing_instances_of_a_group_count_every_event_once() throws Exception {
            appendMixed(40, "a");
            CountingProjection all = everything(1);
            CountingProjection orders = orders(1);
            CountingProjection paid = payments(1);
            ProjectionGroup one = startGroup(checkpoints(store), all, orders, paid);
            ProjectionGroup two = startGroup(checkpoints(store), everything(1), orders(1), payments(1));
            appendMixed(10, "b");

            awaitAll(one);
            awaitAll(two);

            assertThat(counts(one.member("tck_all"), all)).isEqualTo(fold(all, ""));
            assertThat(counts(one.member("tck_orders"), orders)).isEqualTo(fold(orders, ""));
            assertThat(counts(two.member("tck_paid"), paid)).isEqualTo(fold(paid, ""));
        }

        @Test
        void a_closed_member_stops_while_the_others_go_on() throws Exception {
            appendMixed(3, "a");
            CountingProjection all = everything(1);
            ProjectionGroup group = startGroup(checkpoints(store), all, payments(1));
            awaitAll(group);
            ProjectionSubscription paid = group.member("tck_paid");
            Position stoppedAt = checkpoints(store).load("tck_paid@v1");

            paid.close();
            appendMixed(3, "b");

            assertThat(group.member("tck_all").awaitPosition(store.headPosition(), WAIT))
                    .isTrue();
            assertThat(counts(group.member("tck_all"), all)).isEqualTo(fold(all, ""));
            assertThat(paid.status().state()).isEqualTo(SubscriptionState.STOPPED);
            assertThat(checkpoints(store).load("tck_paid@v1")).isEqualTo(stoppedAt);
        }

        @Test
        void name_their_members_and_refuse_a_projection_twice() {
            ProjectionGroup group = startGroup(checkpoints(store), everything(1), orders(1));

            assertThatThrownBy(() -> group.member("tck_paid"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageEndingWith(
                            "has no member keeping projection tck_paid; its members are [tck_all@v1, tck_orders@v1]");
            assertThatThrownBy(
                            () -> Subscription.sqlProjections(store, checkpoints(store), List.of(orders(1), orders(2))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("projection tck_orders is given twice to one group; each projection belongs to a"
                            + " group once");
        }
    }

    @Nested
    class ConsumerGroups {

        /** The rows of the counting projection's table, read directly (a group has no query method). */
        Map<String, Long> countedRows() {
            return checkpoints(store).query(connection -> {
                Map<String, Long> rows = new TreeMap<>();
                try (Statement statement = connection.createStatement();
                        ResultSet result = statement.executeQuery("SELECT stream_id, n FROM counts_v1")) {
                    while (result.next()) {
                        rows.put(result.getString(1), result.getLong(2));
                    }
                }
                return rows;
            });
        }

        ConsumerGroup member(String id) {
            ConsumerGroup member = ConsumerGroup.builder("tck-counts", id, store, checkpoints(store), leases(store))
                    .buckets(6)
                    .leaseTime(Duration.ofSeconds(5))
                    .batchSize(40)
                    .retry(FAST)
                    .sqlProjection(new CountingProjection(1))
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
            Map<String, Long> counted = countedRows();
            assertThat(counted).isEqualTo(expected);
        }

        @Test
        void a_member_holds_back_the_stream_of_a_parked_event_and_applies_the_others() throws Exception {
            CountingProjection counting = new CountingProjection(1);
            counting.poisonType = "Poison";
            store.append("held-5", ExpectedVersion.any(), EventData.of("Poison", "{}"));
            store.append("held-5", ExpectedVersion.any(), EventData.of("Counted", "{}"));
            store.append("free-5", ExpectedVersion.any(), EventData.of("Counted", "{}"));
            ConsumerGroup member = ConsumerGroup.builder("tck-held", "a", store, checkpoints(store), leases(store))
                    .buckets(2)
                    .retry(FAST)
                    .sqlProjection(counting)
                    .start();
            running.add(member);

            assertThat(member.awaitPosition(store.headPosition(), WAIT)).isTrue();

            Map<String, Long> counted = countedRows();
            assertThat(counted).containsExactly(Map.entry("free-5", 1L));
            assertThat(checkpoints(store).parked("tck-held"))
                    .extracting(ParkedEvent::attempts)
                    .containsExactly(2, 0);
        }
    }
}
