package io.factum.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.AppendResult;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.StoreException;
import io.factum.core.process.Deadline;
import io.factum.core.process.DeadlineStore;
import io.factum.core.subscription.CheckpointConflictException;
import io.factum.core.subscription.CheckpointMove;
import io.factum.core.subscription.Lease;
import io.factum.core.subscription.LeaseLostException;
import io.factum.core.subscription.LeaseStore;
import io.factum.core.subscription.ParkedEvent;
import io.factum.core.subscription.ProjectionContext;
import io.factum.core.subscription.ProjectionException;
import io.factum.core.subscription.SqlCheckpointStore;
import io.factum.core.subscription.SqlProjection;
import io.factum.core.subscription.SqlWork;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The read side on PostgreSQL: checkpoints, leases, deadlines and inline projections. */
class PostgresReadSideTest {

    /** This test's schema; read-model tables are qualified by it, so tests do not share them. */
    private final String schema = EmbeddedServer.newSchema();

    private final List<EventStore> opened = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void close() {
        threads.shutdownNow();
        opened.forEach(EventStore::close);
    }

    private PgEventStore open(String schema, SqlProjection... projections) {
        PostgresEventStore.Builder builder = PostgresEventStore.builder()
                .jdbcUrl(EmbeddedServer.jdbcUrl())
                .schema(schema)
                .maxPoolSize(8);
        for (SqlProjection projection : projections) {
            builder.inlineProjection(projection);
        }
        PgEventStore store = builder.openStore();
        opened.add(store);
        return store;
    }

    private PgEventStore open() {
        return open(schema);
    }

    private PgEventStore open(SqlProjection... projections) {
        return open(schema, projections);
    }

    private static EventData event(String type, String data) {
        return EventData.of(UUID.randomUUID(), type, data);
    }

    @Nested
    class Checkpoints {

        @Test
        void a_checkpoint_never_saved_is_at_start_and_moves_by_compare_and_set() {
            SqlCheckpointStore checkpoints = open().checkpoints();
            assertThat(checkpoints.load("orders")).isEqualTo(Position.START);

            checkpoints.save("orders", Position.START, new Position(7, 3));
            checkpoints.save("orders", new Position(7, 3), new Position(9, 12));

            assertThat(checkpoints.load("orders")).isEqualTo(new Position(9, 12));
            checkpoints.delete("orders");
            assertThat(checkpoints.load("orders")).isEqualTo(Position.START);
        }

        @Test
        void a_save_from_the_wrong_place_fails_with_what_was_expected_and_found() {
            SqlCheckpointStore checkpoints = open().checkpoints();
            checkpoints.save("orders", Position.START, new Position(7, 3));

            assertThatThrownBy(() -> checkpoints.save("orders", Position.START, new Position(8, 4)))
                    .isInstanceOfSatisfying(CheckpointConflictException.class, e -> {
                        assertThat(e.expected()).isEqualTo(Position.START);
                        assertThat(e.actual()).isEqualTo(new Position(7, 3));
                    })
                    .hasMessage("checkpoint orders: expected it at 0/0 but it is at 7/3; another instance moved it"
                            + " first, nothing was written");
            assertThatThrownBy(() -> checkpoints.save("orders", new Position(7, 2), new Position(8, 4)))
                    .isInstanceOf(CheckpointConflictException.class);
            assertThat(checkpoints.load("orders")).isEqualTo(new Position(7, 3));
        }

        @Test
        void of_two_threads_racing_the_same_move_exactly_one_wins() throws Exception {
            SqlCheckpointStore checkpoints = open().checkpoints();
            for (int round = 0; round < 20; round++) {
                Position from = round == 0 ? Position.START : new Position(round, round);
                Position to = new Position(round + 1, round + 1);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Boolean>> racers = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    racers.add(threads.submit(() -> {
                        start.await();
                        try {
                            checkpoints.save("race", from, to);
                            return true;
                        } catch (CheckpointConflictException e) {
                            return false;
                        }
                    }));
                }
                start.countDown();
                int wins = 0;
                for (Future<Boolean> racer : racers) {
                    wins += racer.get(10, TimeUnit.SECONDS) ? 1 : 0;
                }
                assertThat(wins).as("round " + round).isEqualTo(1);
                assertThat(checkpoints.load("race")).isEqualTo(to);
            }
        }

        @Test
        void a_commit_writes_the_work_and_the_checkpoint_together() {
            SqlCheckpointStore checkpoints = open().checkpoints();
            checkpoints.execute(c -> execute(c, "CREATE TABLE " + schema + ".rs_counts (n int)"));

            checkpoints.commit(
                    "counts",
                    Position.START,
                    new Position(1, 1),
                    c -> execute(c, "INSERT INTO " + schema + ".rs_counts VALUES (1)"));

            assertThat(countRows(checkpoints, "" + schema + ".rs_counts")).isEqualTo(1);
            assertThat(checkpoints.load("counts")).isEqualTo(new Position(1, 1));
        }

        @Test
        void a_commit_whose_work_fails_is_rolled_back_with_the_sql_exception_as_cause() {
            SqlCheckpointStore checkpoints = open().checkpoints();
            checkpoints.execute(c -> execute(c, "CREATE TABLE " + schema + ".rs_counts (n int)"));

            assertThatThrownBy(() -> checkpoints.commit("counts", Position.START, new Position(1, 1), c -> {
                        execute(c, "INSERT INTO " + schema + ".rs_counts VALUES (1)");
                        execute(c, "INSERT INTO rs_no_such_table VALUES (1)");
                    }))
                    .isInstanceOf(StoreException.class)
                    .hasCauseInstanceOf(SQLException.class)
                    .hasMessageContaining("committing checkpoint counts failed on the database")
                    .hasMessageContaining("rs_no_such_table");
            assertThat(countRows(checkpoints, "" + schema + ".rs_counts")).isZero();
            assertThat(checkpoints.load("counts")).isEqualTo(Position.START);
        }

        @Test
        void a_commit_from_the_wrong_place_runs_no_work() {
            SqlCheckpointStore checkpoints = open().checkpoints();
            checkpoints.execute(c -> execute(c, "CREATE TABLE " + schema + ".rs_counts (n int)"));
            checkpoints.save("counts", Position.START, new Position(1, 1));

            assertThatThrownBy(() -> checkpoints.commit(
                            "counts",
                            Position.START,
                            new Position(2, 2),
                            c -> execute(c, "INSERT INTO " + schema + ".rs_counts VALUES (1)")))
                    .isInstanceOf(CheckpointConflictException.class);
            assertThat(countRows(checkpoints, "" + schema + ".rs_counts")).isZero();
        }

        @Test
        void parked_events_are_kept_replaced_listed_in_log_order_and_removed() {
            SqlCheckpointStore checkpoints = open().checkpoints();
            Instant at = Instant.parse("2026-03-01T10:15:30.123456Z");
            ParkedEvent late = parked(new Position(9, 20), 3, at);
            ParkedEvent early = parked(new Position(5, 10), 1, at);
            checkpoints.park(late);
            checkpoints.park(early);
            ParkedEvent again = parked(new Position(5, 10), 4, at);
            checkpoints.park(again);

            assertThat(checkpoints.parked("mailer")).containsExactly(again, late);
            assertThat(checkpoints.parked("other")).isEmpty();
            assertThat(checkpoints.unpark("mailer", new Position(5, 10))).isTrue();
            assertThat(checkpoints.unpark("mailer", new Position(5, 10))).isFalse();
            assertThat(checkpoints.parked("mailer")).containsExactly(late);
        }

        @Test
        void read_model_sql_resolves_unqualified_tables_in_the_stores_schema() {
            SqlCheckpointStore checkpoints = open().checkpoints();

            checkpoints.execute(c -> execute(c, "CREATE TABLE plain_counts (n int)"));
            checkpoints.commit(
                    "plain",
                    Position.START,
                    new Position(1, 1),
                    c -> execute(c, "INSERT INTO plain_counts VALUES (1)"));

            assertThat(countRows(checkpoints, schema + ".plain_counts")).isEqualTo(1);
            assertThat(countRows(checkpoints, "plain_counts")).isEqualTo(1);
            String searchPath = checkpoints.<String>query(c -> {
                try (Statement statement = c.createStatement();
                        ResultSet rs = statement.executeQuery("SELECT current_setting('search_path')")) {
                    rs.next();
                    return rs.getString(1);
                }
            });
            assertThat(searchPath).startsWith(schema + ", ");
        }

        @Test
        void the_active_version_of_a_projection_is_kept() {
            SqlCheckpointStore checkpoints = open().checkpoints();
            assertThat(checkpoints.activeVersion("summary")).isEmpty();
            checkpoints.activate("summary", 1);
            checkpoints.activate("summary", 2);
            assertThat(checkpoints.activeVersion("summary")).isEqualTo(OptionalInt.of(2));
        }

        private static ParkedEvent parked(Position position, int attempts, Instant at) {
            return new ParkedEvent(
                    "mailer",
                    position,
                    new UUID(position.position(), 1),
                    "order-1",
                    position.position(),
                    "OrderPlaced",
                    attempts,
                    "java.lang.IllegalStateException: smtp down",
                    at);
        }
    }

    @Nested
    class Durability {

        /**
         * A store whose connections default to {@code synchronous_commit = on}, as a production server does
         * (the embedded test server runs with it off).
         */
        private PgEventStore openSynchronous() {
            PgEventStore store = PostgresEventStore.builder()
                    .jdbcUrl(EmbeddedServer.jdbcUrl() + "&options=-c%20synchronous_commit%3Don")
                    .schema(schema)
                    .maxPoolSize(8)
                    .openStore();
            opened.add(store);
            return store;
        }

        private SqlWork recordSetting(List<String> settings) {
            return connection -> {
                try (Statement statement = connection.createStatement();
                        ResultSet rows = statement.executeQuery("SHOW synchronous_commit")) {
                    rows.next();
                    settings.add(rows.getString(1));
                }
            };
        }

        @Test
        void read_model_commits_do_not_wait_for_the_wal_flush_and_other_work_does() {
            SqlCheckpointStore checkpoints = openSynchronous().checkpoints();
            List<String> settings = new ArrayList<>();

            checkpoints.commit("summary", Position.START, new Position(3, 1), recordSetting(settings));
            checkpoints.commit(
                    List.of(new CheckpointMove("summary", new Position(3, 1), new Position(3, 2))),
                    recordSetting(settings));
            checkpoints.execute(recordSetting(settings));
            checkpoints
                    .withSynchronousCommits()
                    .commit("summary", new Position(3, 2), new Position(3, 3), recordSetting(settings));

            assertThat(settings).containsExactly("off", "off", "on", "on");
            assertThat(checkpoints.load("summary")).isEqualTo(new Position(3, 3));
        }

        @Test
        void the_setting_ends_with_the_transaction_and_the_pooled_connection_keeps_the_servers() {
            PgEventStore store = openSynchronous();
            SqlCheckpointStore checkpoints = store.checkpoints();
            List<String> settings = new ArrayList<>();

            // a pool of 8: more commits than connections, so each connection served one before the query
            for (int i = 0; i < 10; i++) {
                checkpoints.commit("summary", i == 0 ? Position.START : Position.of(i), Position.of(i + 1), c -> {});
            }
            for (int i = 0; i < 10; i++) {
                settings.add(checkpoints.query(connection -> {
                    try (Statement statement = connection.createStatement();
                            ResultSet rows = statement.executeQuery("SHOW synchronous_commit")) {
                        rows.next();
                        return rows.getString(1);
                    }
                }));
            }

            assertThat(settings).containsOnly("on");
        }
    }

    @Nested
    class Fencing {

        @Test
        void a_fenced_save_holds_while_the_lease_does() {
            PgEventStore store = open();
            LeaseStore leases = store.leases();
            SqlCheckpointStore checkpoints = store.checkpoints();
            Lease lease = leases.acquire("g", 0, "a", Duration.ofMinutes(1)).orElseThrow();

            checkpoints.save("g-0", Position.START, new Position(1, 1), lease);

            assertThat(checkpoints.load("g-0")).isEqualTo(new Position(1, 1));
        }

        @Test
        void a_fenced_commit_after_a_takeover_writes_nothing() throws Exception {
            PgEventStore store = open();
            LeaseStore leases = store.leases();
            SqlCheckpointStore checkpoints = store.checkpoints();
            checkpoints.execute(c -> execute(c, "CREATE TABLE " + schema + ".rs_counts (n int)"));
            Lease old = leases.acquire("g", 0, "a", Duration.ofMillis(200)).orElseThrow();
            Thread.sleep(400);
            Lease taken = leases.acquire("g", 0, "b", Duration.ofMinutes(1)).orElseThrow();
            assertThat(taken.epoch()).isEqualTo(old.epoch() + 1);

            assertThatThrownBy(() -> checkpoints.commit(
                            "g-0",
                            Position.START,
                            new Position(1, 1),
                            old,
                            c -> execute(c, "INSERT INTO " + schema + ".rs_counts VALUES (1)")))
                    .isInstanceOfSatisfying(
                            LeaseLostException.class, e -> assertThat(e.lease()).isEqualTo(old))
                    .hasMessage("consumer group g, bucket 0: member a holds no lease with epoch 1 any more (member b"
                            + " holds it with epoch 2); nothing was written");
            assertThat(countRows(checkpoints, "" + schema + ".rs_counts")).isZero();
            assertThat(checkpoints.load("g-0")).isEqualTo(Position.START);
            checkpoints.commit(
                    "g-0",
                    Position.START,
                    new Position(1, 1),
                    taken,
                    c -> execute(c, "INSERT INTO " + schema + ".rs_counts VALUES (1)"));
            assertThat(countRows(checkpoints, "" + schema + ".rs_counts")).isEqualTo(1);
        }

        @Test
        void a_fenced_save_with_an_expired_or_released_lease_fails() throws Exception {
            PgEventStore store = open();
            LeaseStore leases = store.leases();
            SqlCheckpointStore checkpoints = store.checkpoints();
            Lease expiring = leases.acquire("g", 1, "a", Duration.ofMillis(100)).orElseThrow();
            Thread.sleep(250);
            assertThatThrownBy(() -> checkpoints.save("g-1", Position.START, new Position(1, 1), expiring))
                    .isInstanceOf(LeaseLostException.class)
                    .hasMessageContaining("(it expired)");

            Lease lease = leases.acquire("g", 2, "a", Duration.ofMinutes(1)).orElseThrow();
            leases.release(lease);
            assertThatThrownBy(() -> checkpoints.save("g-2", Position.START, new Position(1, 1), lease))
                    .isInstanceOf(LeaseLostException.class)
                    .hasMessageContaining("(it was released at epoch 1)");
            Lease never = new Lease("g", 3, "a", 1, Instant.now());
            assertThatThrownBy(() -> checkpoints.save("g-3", Position.START, new Position(1, 1), never))
                    .isInstanceOf(LeaseLostException.class)
                    .hasMessageContaining("(the bucket has no lease)");
            assertThat(checkpoints.load("g-1")).isEqualTo(Position.START);
        }

        @Test
        void a_takeover_waits_for_a_running_fenced_commit() throws Exception {
            PgEventStore store = open();
            LeaseStore leases = store.leases();
            SqlCheckpointStore checkpoints = store.checkpoints();
            Lease lease = leases.acquire("g", 0, "a", Duration.ofMillis(300)).orElseThrow();
            CountDownLatch inWork = new CountDownLatch(1);
            Future<?> commit =
                    threads.submit(() -> checkpoints.commit("g-0", Position.START, new Position(1, 1), lease, c -> {
                        inWork.countDown();
                        try {
                            Thread.sleep(800); // the lease expires meanwhile
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }));
            assertThat(inWork.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(400);
            long before = System.nanoTime();
            Lease taken = leases.acquire("g", 0, "b", Duration.ofMinutes(1)).orElseThrow();

            commit.get(10, TimeUnit.SECONDS);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before))
                    .isGreaterThan(200);
            assertThat(taken.epoch()).isEqualTo(2);
            // the commit that held the row lock landed before the takeover; the new holder goes on from it
            assertThat(checkpoints.load("g-0")).isEqualTo(new Position(1, 1));
        }
    }

    @Nested
    class Leases {

        @Test
        void the_epoch_grows_when_the_bucket_changes_hands_and_not_on_renewal() throws Exception {
            LeaseStore leases = open().leases();

            Lease first = leases.acquire("g", 0, "a", Duration.ofMillis(300)).orElseThrow();
            Lease renewed = leases.acquire("g", 0, "a", Duration.ofMillis(300)).orElseThrow();
            Optional<Lease> refused = leases.acquire("g", 0, "b", Duration.ofMinutes(1));

            assertThat(first.epoch()).isEqualTo(1);
            assertThat(renewed.epoch()).isEqualTo(1);
            assertThat(renewed.expiresAt()).isAfterOrEqualTo(first.expiresAt());
            assertThat(refused).isEmpty();
            assertThat(leases.holds(renewed)).isTrue();

            Thread.sleep(500);
            assertThat(leases.holds(renewed)).isFalse();
            Lease taken = leases.acquire("g", 0, "b", Duration.ofMinutes(1)).orElseThrow();
            assertThat(taken.epoch()).isEqualTo(2);
            assertThat(leases.holds(renewed)).isFalse();
            assertThat(leases.holds(taken)).isTrue();

            leases.release(taken);
            assertThat(leases.holds(taken)).isFalse();
            assertThat(leases.acquire("g", 0, "b", Duration.ofMinutes(1))
                            .orElseThrow()
                            .epoch())
                    .isEqualTo(3);
            assertThat(leases.leases("g")).singleElement().satisfies(lease -> {
                assertThat(lease.member()).isEqualTo("b");
                assertThat(lease.epoch()).isEqualTo(3);
            });
        }

        @Test
        void of_members_racing_for_a_free_bucket_one_gets_it() throws Exception {
            LeaseStore leases = open().leases();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Optional<Lease>>> racers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String member = "m" + i;
                racers.add(threads.submit(() -> {
                    start.await();
                    return leases.acquire("g", 5, member, Duration.ofMinutes(1));
                }));
            }
            start.countDown();
            int won = 0;
            for (Future<Optional<Lease>> racer : racers) {
                won += racer.get(10, TimeUnit.SECONDS).isPresent() ? 1 : 0;
            }
            assertThat(won).isEqualTo(1);
        }

        @Test
        void heartbeats_list_the_live_members_sorted_and_leave_frees_the_leases() throws Exception {
            LeaseStore leases = open().leases();
            leases.heartbeat("g", "zeta", Duration.ofMinutes(1));
            leases.heartbeat("g", "short", Duration.ofMillis(100));
            leases.heartbeat("other", "x", Duration.ofMinutes(1));
            Thread.sleep(250);

            assertThat(leases.heartbeat("g", "alpha", Duration.ofMinutes(1))).containsExactly("alpha", "zeta");

            Lease lease = leases.acquire("g", 0, "zeta", Duration.ofMinutes(1)).orElseThrow();
            leases.leave("g", "zeta");
            assertThat(leases.holds(lease)).isFalse();
            assertThat(leases.heartbeat("g", "alpha", Duration.ofMinutes(1))).containsExactly("alpha");
            assertThat(leases.acquire("g", 0, "alpha", Duration.ofMinutes(1))
                            .orElseThrow()
                            .epoch())
                    .isEqualTo(2);
        }
    }

    @Nested
    class Deadlines {

        private final Instant t0 = Instant.parse("2026-05-01T12:00:00Z");

        private Deadline deadline(String correlation, String name, Instant dueAt, String payload) {
            return new Deadline(
                    Deadline.idOf("shipping", correlation, name), "shipping", correlation, name, dueAt, payload);
        }

        @Test
        void deadlines_are_due_by_the_callers_clock_earliest_first() {
            DeadlineStore deadlines = open().deadlines();
            Deadline late = deadline("o-1", "timeout", t0.plusSeconds(60), "{\"b\":2,\"a\":1}");
            Deadline early = deadline("o-2", "timeout", t0.plusSeconds(10), "{}");
            Deadline future = deadline("o-3", "timeout", t0.plusSeconds(3600), "{}");
            deadlines.schedule(late);
            deadlines.schedule(early);
            deadlines.schedule(future);

            assertThat(deadlines.due(t0, 10)).isEmpty();
            assertThat(deadlines.due(t0.plusSeconds(60), 10)).containsExactly(early, late);
            assertThat(deadlines.due(t0.plusSeconds(60), 1)).containsExactly(early);
            assertThat(deadlines.nextDue()).contains(t0.plusSeconds(10));
            assertThat(deadlines.pending("shipping")).containsExactly(early, late, future);
            assertThat(deadlines.pending("billing")).isEmpty();
        }

        @Test
        void scheduling_again_replaces_and_cancel_removes() {
            DeadlineStore deadlines = open().deadlines();
            deadlines.schedule(deadline("o-1", "timeout", t0, "{\"try\":1}"));
            Deadline moved = deadline("o-1", "timeout", t0.plusSeconds(5), "{\"try\":2}");
            deadlines.schedule(moved);

            assertThat(deadlines.pending("shipping")).containsExactly(moved);
            assertThat(deadlines.cancel(moved.id())).isTrue();
            assertThat(deadlines.cancel(moved.id())).isFalse();
            assertThat(deadlines.nextDue()).isEmpty();
        }
    }

    @Nested
    class InlineProjections {

        @Test
        void the_read_model_is_current_when_the_append_returns() {
            PgEventStore store = open(new Totals(schema, 1));
            SqlCheckpointStore checkpoints = store.checkpoints();

            store.append("order-1", ExpectedVersion.noStream(), List.of(placed(10), placed(5)));
            store.append("order-2", ExpectedVersion.noStream(), List.of(placed(7)));
            store.append("customer-1", ExpectedVersion.noStream(), List.of(placed(1000)));

            assertThat(total(checkpoints, 1, "order-1")).isEqualTo(15);
            assertThat(total(checkpoints, 1, "order-2")).isEqualTo(7);
            assertThat(total(checkpoints, 1, "customer-1")).isZero(); // filtered out by category
            assertThat(checkpoints.activeVersion("totals")).isEqualTo(OptionalInt.of(1));
            assertThat(checkpoints.load("totals")).isEqualTo(Position.START); // no hot checkpoint row
        }

        @Test
        void concurrent_appends_through_group_commit_all_reach_the_read_model() throws Exception {
            PgEventStore store = open(new Totals(schema, 1));
            SqlCheckpointStore checkpoints = store.checkpoints();
            List<Future<AppendResult>> appends = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String stream = "order-" + (i % 4);
                appends.add(threads.submit(() -> store.append(stream, ExpectedVersion.any(), List.of(placed(1)))));
            }
            for (Future<AppendResult> append : appends) {
                append.get(30, TimeUnit.SECONDS);
            }
            for (int s = 0; s < 4; s++) {
                assertThat(total(checkpoints, 1, "order-" + s)).isEqualTo(10);
            }
        }

        @Test
        void a_failing_projection_rolls_its_append_back_and_fails_it_alone() throws Exception {
            PgEventStore store = open(new Totals(schema, 1));
            SqlCheckpointStore checkpoints = store.checkpoints();
            store.append("order-1", ExpectedVersion.noStream(), List.of(placed(10)));

            assertThatThrownBy(
                            () -> store.append("order-1", ExpectedVersion.exactly(0), List.of(placed(1), placed(-100))))
                    .isInstanceOfSatisfying(ProjectionException.class, e -> {
                        assertThat(e.projection()).isEqualTo("totals");
                        assertThat(e.streamId()).isEqualTo("order-1");
                        assertThat(e.getCause()).isInstanceOf(SQLException.class);
                    })
                    .hasMessageStartingWith("projection totals failed on the event at ")
                    .hasMessageContaining(" of stream order-1: org.postgresql.util.PSQLException: ERROR: new row")
                    .hasMessageContaining("rs_totals_v1");

            assertThat(store.readStream("order-1", io.factum.core.ReadDirection.FORWARD, 0, 10)
                            .events())
                    .hasSize(1);
            assertThat(total(checkpoints, 1, "order-1")).isEqualTo(10);
            // the stream goes on at the version before the failed append
            store.append("order-1", ExpectedVersion.exactly(0), List.of(placed(2)));
            assertThat(total(checkpoints, 1, "order-1")).isEqualTo(12);

            // in a group-commit batch, only the failing append fails
            List<Future<AppendResult>> batch = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int amount = i == 7 ? -1 : 1;
                batch.add(threads.submit(
                        () -> store.append("order-" + (100 + amount), ExpectedVersion.any(), List.of(placed(amount)))));
            }
            int failed = 0;
            for (Future<AppendResult> append : batch) {
                try {
                    append.get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(ProjectionException.class);
                    failed++;
                }
            }
            assertThat(failed).isEqualTo(1);
            assertThat(total(checkpoints, 1, "order-101")).isEqualTo(19);
            assertThat(store.streamInfo("order-99")).isEmpty();
        }

        @Test
        void reopening_with_a_new_version_rebuilds_it_from_the_log_and_drops_the_old_tables() {
            PgEventStore first = open(schema, new Totals(schema, 1));
            for (int i = 0; i < 1200; i++) {
                first.append("order-" + (i % 3), ExpectedVersion.any(), List.of(placed(1)));
            }
            first.close();

            Totals v2 = new Totals(schema, 2);
            PgEventStore second = open(schema, v2);
            SqlCheckpointStore checkpoints = second.checkpoints();

            assertThat(checkpoints.activeVersion("totals")).isEqualTo(OptionalInt.of(2));
            assertThat(total(checkpoints, 2, "order-0")).isEqualTo(400);
            assertThat(total(checkpoints, 2, "order-2")).isEqualTo(400);
            assertThat(v2.rebuilt.get()).isEqualTo(1200);
            assertThat(tableExists(checkpoints, schema + ".rs_totals_v1")).isFalse();
            second.append("order-0", ExpectedVersion.any(), List.of(placed(1)));
            assertThat(total(checkpoints, 2, "order-0")).isEqualTo(401);
            second.close();

            // the same version again: current, nothing replayed
            Totals again = new Totals(schema, 2);
            PgEventStore third = open(schema, again);
            assertThat(again.rebuilt.get()).isZero();
            assertThat(total(third.checkpoints(), 2, "order-0")).isEqualTo(401);
        }

        @Test
        void a_projection_added_to_a_store_with_events_is_built_from_the_log_on_open() {
            PgEventStore plain = open(schema);
            plain.append("order-1", ExpectedVersion.noStream(), List.of(placed(4), placed(5)));
            plain.close();

            PgEventStore store = open(schema, new Totals(schema, 1));

            assertThat(total(store.checkpoints(), 1, "order-1")).isEqualTo(9);
        }

        @Test
        void two_inline_projections_of_one_name_are_refused() {
            PostgresEventStore.Builder builder = PostgresEventStore.builder().inlineProjection(new Totals(schema, 1));
            assertThatThrownBy(() -> builder.inlineProjection(new Totals(schema, 2)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("an inline projection named totals was added already; each needs a name of its own");
        }
    }

    // ---------------------------------------------------------------- support

    private static EventData placed(int amount) {
        return event("OrderPlaced", "{\"amount\":" + amount + "}");
    }

    /** Totals per order stream; refuses (by a CHECK constraint) a total below 0. */
    static final class Totals implements SqlProjection {
        final int version;
        final AtomicInteger rebuilt = new AtomicInteger();

        final String schema;

        Totals(String schema, int version) {
            this.schema = schema;
            this.version = version;
        }

        @Override
        public String name() {
            return "totals";
        }

        @Override
        public int version() {
            return version;
        }

        @Override
        public EventFilter filter() {
            return EventFilter.categories("order");
        }

        @Override
        public void create(Connection connection, ProjectionContext context) throws SQLException {
            execute(
                    connection,
                    "CREATE TABLE IF NOT EXISTS " + schema + "." + context.table("rs_totals")
                            + " (stream_id text PRIMARY KEY, total bigint NOT NULL CHECK (total >= 0))");
        }

        @Override
        public void apply(Connection connection, ProjectionContext context, RecordedEvent event) throws SQLException {
            if (context.rebuilding()) {
                rebuilt.incrementAndGet();
            }
            int amount = Integer.parseInt(event.data().replaceAll("[^-0-9]", ""));
            try (PreparedStatement statement = connection.prepareStatement(
                    "INSERT INTO " + schema + "." + context.table("rs_totals")
                            + " AS t VALUES (?, ?) ON CONFLICT (stream_id) DO UPDATE SET total = t.total + excluded.total")) {
                statement.setString(1, event.streamId());
                statement.setLong(2, amount);
                statement.executeUpdate();
            }
        }

        @Override
        public void drop(Connection connection, ProjectionContext context) throws SQLException {
            execute(connection, "DROP TABLE IF EXISTS " + schema + "." + context.table("rs_totals"));
        }
    }

    private long total(SqlCheckpointStore checkpoints, int version, String streamId) {
        return checkpoints.query(c -> {
            try (PreparedStatement statement = c.prepareStatement(
                    "SELECT total FROM " + schema + ".rs_totals_v" + version + " WHERE stream_id = ?")) {
                statement.setString(1, streamId);
                try (ResultSet rs = statement.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }

    private static boolean tableExists(SqlCheckpointStore checkpoints, String table) {
        return checkpoints.query(c -> {
            try (PreparedStatement statement = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
                statement.setString(1, table);
                try (ResultSet rs = statement.executeQuery()) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            }
        });
    }

    private static long countRows(SqlCheckpointStore checkpoints, String table) {
        return checkpoints.query(c -> {
            try (Statement statement = c.createStatement();
                    ResultSet rs = statement.executeQuery("SELECT count(*) FROM " + table)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
