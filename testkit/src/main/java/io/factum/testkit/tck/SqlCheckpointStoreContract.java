package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.EventStore;
import io.factum.core.Position;
import io.factum.core.StoreException;
import io.factum.core.subscription.Answer;
import io.factum.core.subscription.CheckpointConflictException;
import io.factum.core.subscription.CheckpointMove;
import io.factum.core.subscription.Lease;
import io.factum.core.subscription.LeaseLostException;
import io.factum.core.subscription.LeaseStore;
import io.factum.core.subscription.ParkedEvent;
import io.factum.core.subscription.SqlCheckpointStore;
import io.factum.core.subscription.SqlQuery;
import io.factum.core.subscription.SqlWork;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The SQL checkpoint store that belongs to a store: a read model's writes and its checkpoint commit in one
 * transaction (also several checkpoints at once, for a projection group), a parked event and the move over
 * it commit together, and a failing work, a checkpoint conflict or a lost lease keeps nothing of either. The SQL
 * here is plain enough for SQLite and PostgreSQL. Expiry of leases is judged by {@link #clock}.
 */
public abstract class SqlCheckpointStoreContract extends TckSupport {

    /** The SQL checkpoint store that belongs to {@code store}, a store from {@link #fixture()}. */
    protected abstract SqlCheckpointStore checkpoints(EventStore store);

    /** The lease store in the same database as {@link #checkpoints}, on {@link #clock}. */
    protected abstract LeaseStore leases(EventStore store);

    /** Adds {@code by} to the counter {@code id} of table {@code tck_counts}. */
    protected static SqlWork add(String id, long by) {
        return connection -> {
            try (PreparedStatement upsert = connection.prepareStatement(
                    "INSERT INTO tck_counts (id, n) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET n = tck_counts.n"
                            + " + excluded.n")) {
                upsert.setString(1, id);
                upsert.setLong(2, by);
                upsert.executeUpdate();
            }
        };
    }

    /** The counter {@code id}, read with {@link SqlCheckpointStore#query}. */
    protected Optional<Long> count(String id) {
        return checkpoints(store).query(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT n FROM tck_counts WHERE id = ?")) {
                select.setString(1, id);
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next() ? Optional.of(rows.getLong(1)) : Optional.empty();
                }
            }
        });
    }

    @BeforeEach
    void createTable() {
        checkpoints(store).execute(connection -> {
            try (Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE IF NOT EXISTS tck_counts (id text primary key, n bigint)");
            }
        });
    }

    @Nested
    class Committing {

        @Test
        void runs_the_work_and_moves_the_checkpoint_together() {
            checkpoints(store).commit("counts", Position.START, Position.of(4), add("orders", 2));
            checkpoints(store).commit("counts", Position.of(4), Position.of(6), add("orders", 3));

            assertThat(count("orders")).hasValue(5L);
            assertThat(checkpoints(store).load("counts")).isEqualTo(Position.of(6));
        }

        @Test
        void a_work_that_fails_keeps_nothing_and_surfaces_as_a_store_exception() {
            SQLException failure = new SQLException("the read model refused it");

            assertThatThrownBy(() -> checkpoints(store).commit("counts", Position.START, Position.of(4), connection -> {
                        add("orders", 2).run(connection);
                        throw failure;
                    }))
                    .isInstanceOf(StoreException.class)
                    .hasCause(failure)
                    .hasMessageContaining("counts")
                    .hasMessageContaining("the read model refused it");

            assertThat(count("orders")).as("the row the work wrote").isEmpty();
            assertThat(checkpoints(store).load("counts")).isEqualTo(Position.START);
        }

        @Test
        void a_work_that_throws_an_unchecked_exception_keeps_nothing_and_the_exception_is_rethrown() {
            IllegalStateException failure = new IllegalStateException("bad event");

            assertThatThrownBy(() -> checkpoints(store).commit("counts", Position.START, Position.of(4), connection -> {
                        add("orders", 2).run(connection);
                        throw failure;
                    }))
                    .isSameAs(failure);

            assertThat(count("orders")).isEmpty();
            assertThat(checkpoints(store).load("counts")).isEqualTo(Position.START);
        }

        @Test
        void a_checkpoint_elsewhere_rolls_the_work_back() {
            checkpoints(store).commit("counts", Position.START, Position.of(4), add("orders", 2));

            assertThatThrownBy(
                            () -> checkpoints(store).commit("counts", Position.START, Position.of(9), add("orders", 5)))
                    .isInstanceOf(CheckpointConflictException.class)
                    .hasMessage("checkpoint counts: expected it at 0/0 but it is at 0/4; another instance moved it"
                            + " first, nothing was written");

            assertThat(count("orders")).hasValue(2L);
            assertThat(checkpoints(store).load("counts")).isEqualTo(Position.of(4));
        }

        @Test
        void commits_of_different_checkpoints_do_not_interfere() {
            checkpoints(store).commit("first", Position.START, Position.of(4), add("a", 1));
            checkpoints(store).commit("second", Position.START, Position.of(2), add("b", 1));

            assertThat(checkpoints(store).load("first")).isEqualTo(Position.of(4));
            assertThat(checkpoints(store).load("second")).isEqualTo(Position.of(2));
        }
    }

    @Nested
    class Committing_several_checkpoints {

        private CheckpointMove move(String name, long from, long to) {
            return new CheckpointMove(name, Position.of(from), Position.of(to));
        }

        @Test
        void runs_the_work_and_moves_every_checkpoint_together() {
            checkpoints(store).commit(List.of(move("summaries", 0, 4), move("sales", 0, 4)), add("orders", 2));
            // both moved from a saved position now (PostgreSQL sends them as one batch), then a mix
            checkpoints(store).commit(List.of(move("summaries", 4, 6), move("sales", 4, 6)), add("orders", 3));
            checkpoints(store)
                    .commit(
                            List.of(move("sales", 6, 9), move("directory", 0, 9), move("summaries", 6, 9)),
                            add("orders", 1));

            assertThat(count("orders")).hasValue(6L);
            assertThat(checkpoints(store).load("summaries")).isEqualTo(Position.of(9));
            assertThat(checkpoints(store).load("sales")).isEqualTo(Position.of(9));
            assertThat(checkpoints(store).load("directory")).isEqualTo(Position.of(9));
        }

        @Test
        void one_checkpoint_elsewhere_keeps_nothing_of_the_work_nor_of_the_other_moves() {
            checkpoints(store).commit("sales", Position.START, Position.of(4), add("orders", 2));

            assertThatThrownBy(() -> checkpoints(store)
                            .commit(List.of(move("summaries", 0, 9), move("sales", 0, 9)), add("orders", 5)))
                    .isInstanceOf(CheckpointConflictException.class)
                    .hasMessage("checkpoint sales: expected it at 0/0 but it is at 0/4; another instance moved it"
                            + " first, nothing was written");

            assertThat(count("orders")).hasValue(2L);
            assertThat(checkpoints(store).load("summaries")).isEqualTo(Position.START);
            assertThat(checkpoints(store).load("sales")).isEqualTo(Position.of(4));
        }

        @Test
        void of_several_checkpoints_elsewhere_the_first_by_name_is_reported() {
            checkpoints(store).commit(List.of(move("b", 0, 4), move("a", 0, 4), move("c", 0, 4)), add("orders", 1));

            assertThatThrownBy(() -> checkpoints(store)
                            .commit(List.of(move("c", 4, 8), move("b", 3, 8), move("a", 2, 8)), add("orders", 1)))
                    .isInstanceOfSatisfying(CheckpointConflictException.class, e -> {
                        assertThat(e.checkpoint()).isEqualTo("a");
                        assertThat(e.expected()).isEqualTo(Position.of(2));
                        assertThat(e.actual()).isEqualTo(Position.of(4));
                    });

            assertThat(count("orders")).hasValue(1L);
            assertThat(checkpoints(store).load("c")).isEqualTo(Position.of(4));
        }

        @Test
        void a_work_that_fails_moves_no_checkpoint() {
            SQLException failure = new SQLException("the read model refused it");

            assertThatThrownBy(() -> checkpoints(store)
                            .commit(List.of(move("summaries", 0, 4), move("sales", 0, 4)), connection -> {
                                add("orders", 2).run(connection);
                                throw failure;
                            }))
                    .isInstanceOf(StoreException.class)
                    .hasCause(failure)
                    .hasMessageContaining("sales")
                    .hasMessageContaining("summaries")
                    .hasMessageContaining("the read model refused it");

            assertThat(count("orders")).isEmpty();
            assertThat(checkpoints(store).load("summaries")).isEqualTo(Position.START);
            assertThat(checkpoints(store).load("sales")).isEqualTo(Position.START);
        }

        @Test
        void refuses_no_moves_and_a_checkpoint_moved_twice() {
            assertThatThrownBy(() -> checkpoints(store).commit(List.of(), add("orders", 1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a commit needs at least one checkpoint move, got none");
            assertThatThrownBy(() -> checkpoints(store)
                            .commit(List.of(move("sales", 0, 4), move("sales", 0, 5)), add("orders", 1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("checkpoint sales is moved twice in one commit; give each checkpoint once");

            assertThat(count("orders")).isEmpty();
        }

        @Test
        void a_view_with_synchronous_commits_shares_the_checkpoints() {
            SqlCheckpointStore synchronous = checkpoints(store).withSynchronousCommits();

            synchronous.commit(List.of(move("summaries", 0, 4), move("sales", 0, 4)), add("orders", 2));
            checkpoints(store).commit(List.of(move("summaries", 4, 6), move("sales", 4, 6)), add("orders", 1));
            synchronous.save("sales", Position.of(6), Position.of(7));

            assertThat(count("orders")).hasValue(3L);
            assertThat(checkpoints(store).load("sales")).isEqualTo(Position.of(7));
            assertThat(synchronous.load("summaries")).isEqualTo(Position.of(6));
            assertThat(synchronous.withSynchronousCommits()).isSameAs(synchronous);
        }
    }

    @Nested
    class Parking_with_the_checkpoint {

        @Test
        void parks_the_event_and_moves_the_checkpoint_over_it_together() {
            checkpoints(store).save("billing", Position.START, Position.of(4));
            ParkedEvent poison = CheckpointStoreContract.parked("billing", 5, "cannot bill");

            checkpoints(store).park(poison, new CheckpointMove("billing", Position.of(4), Position.of(5)));

            assertThat(checkpoints(store).parked("billing")).containsExactly(poison);
            assertThat(checkpoints(store).load("billing")).isEqualTo(Position.of(5));
        }

        @Test
        void parks_nothing_when_the_checkpoint_is_elsewhere() {
            checkpoints(store).save("billing", Position.START, Position.of(6));
            ParkedEvent poison = CheckpointStoreContract.parked("billing", 5, "cannot bill");

            assertThatThrownBy(() -> checkpoints(store)
                            .park(poison, new CheckpointMove("billing", Position.of(4), Position.of(5))))
                    .isInstanceOf(CheckpointConflictException.class)
                    .hasMessage("checkpoint billing: expected it at 0/4 but it is at 0/6; another instance moved it"
                            + " first, nothing was written");

            assertThat(checkpoints(store).parked("billing")).isEmpty();
            assertThat(checkpoints(store).load("billing")).isEqualTo(Position.of(6));
        }

        @Test
        void parks_nothing_once_the_lease_was_taken_over() {
            Duration ttl = Duration.ofSeconds(10);
            Lease lease = leases(store).acquire("billing", 1, "member-a", ttl).orElseThrow();
            clock.advance(ttl.plusSeconds(1));
            leases(store).acquire("billing", 1, "member-b", ttl).orElseThrow();
            ParkedEvent poison = CheckpointStoreContract.parked("billing", 5, "cannot bill");

            assertThatThrownBy(() -> checkpoints(store)
                            .park(poison, new CheckpointMove("billing/1", Position.START, Position.of(5)), lease))
                    .isInstanceOf(LeaseLostException.class);

            assertThat(checkpoints(store).parked("billing")).isEmpty();
            assertThat(checkpoints(store).load("billing/1")).isEqualTo(Position.START);
        }

        @Test
        void parks_with_a_current_lease() {
            Lease lease = leases(store)
                    .acquire("billing", 1, "member-a", Duration.ofSeconds(10))
                    .orElseThrow();
            ParkedEvent poison = CheckpointStoreContract.parked("billing", 5, "cannot bill");

            checkpoints(store).park(poison, new CheckpointMove("billing/1", Position.START, Position.of(5)), lease);

            assertThat(checkpoints(store).parked("billing")).containsExactly(poison);
            assertThat(checkpoints(store).load("billing/1")).isEqualTo(Position.of(5));
        }
    }

    @Nested
    class Fenced_commits {

        private final Duration ttl = Duration.ofSeconds(10);

        @Test
        void commit_while_the_lease_is_current() {
            Lease lease = leases(store).acquire("billing", 1, "member-a", ttl).orElseThrow();

            checkpoints(store).commit("billing-1", Position.START, Position.of(3), lease, add("orders", 1));

            assertThat(count("orders")).hasValue(1L);
            assertThat(checkpoints(store).load("billing-1")).isEqualTo(Position.of(3));
        }

        @Test
        void write_nothing_once_another_member_took_the_bucket_over() {
            Lease lease = leases(store).acquire("billing", 1, "member-a", ttl).orElseThrow();
            clock.advance(ttl.plusSeconds(1));
            leases(store).acquire("billing", 1, "member-b", ttl).orElseThrow();

            assertThatThrownBy(() -> checkpoints(store)
                            .commit("billing-1", Position.START, Position.of(3), lease, add("orders", 1)))
                    .isInstanceOfSatisfying(
                            LeaseLostException.class, e -> assertThat(e.lease()).isEqualTo(lease))
                    .hasMessageStartingWith(
                            "consumer group billing, bucket 1: member member-a holds no lease with epoch 1 any more (")
                    .hasMessageEndingWith("); nothing was written");

            assertThat(count("orders")).isEmpty();
            assertThat(checkpoints(store).load("billing-1")).isEqualTo(Position.START);
        }

        @Test
        void write_nothing_once_the_lease_expired() {
            Lease lease = leases(store).acquire("billing", 1, "member-a", ttl).orElseThrow();
            clock.advance(ttl);

            assertThatThrownBy(() -> checkpoints(store)
                            .commit("billing-1", Position.START, Position.of(3), lease, add("orders", 1)))
                    .isInstanceOf(LeaseLostException.class);

            assertThat(count("orders")).isEmpty();
            assertThat(checkpoints(store).load("billing-1")).isEqualTo(Position.START);
        }
    }

    @Nested
    class Executing_and_querying {

        @Test
        void execute_runs_work_in_a_transaction_of_its_own() {
            checkpoints(store).execute(add("orders", 7));

            assertThat(count("orders")).hasValue(7L);
            assertThat(checkpoints(store).load("orders")).isEqualTo(Position.START);
        }

        @Test
        void a_failing_execute_keeps_nothing() {
            SQLException failure = new SQLException("no such thing");

            assertThatThrownBy(() -> checkpoints(store).execute(connection -> {
                        add("orders", 7).run(connection);
                        throw failure;
                    }))
                    .isInstanceOf(StoreException.class)
                    .hasCause(failure)
                    .hasMessageContaining("no such thing");

            assertThat(count("orders")).isEmpty();
        }

        @Test
        void a_failing_query_surfaces_as_a_store_exception() {
            assertThatThrownBy(() -> checkpoints(store).query(connection -> {
                        try (Statement statement = connection.createStatement()) {
                            return statement
                                    .executeQuery("SELECT n FROM tck_no_such_table")
                                    .next();
                        }
                    }))
                    .isInstanceOf(StoreException.class)
                    .hasCauseInstanceOf(SQLException.class)
                    .hasMessageContaining("tck_no_such_table");
        }
    }

    @Nested
    class Querying_with_a_checkpoint {

        private SqlQuery<Optional<Long>> orders() {
            return connection -> {
                try (PreparedStatement select =
                        connection.prepareStatement("SELECT n FROM tck_counts WHERE id = 'orders'")) {
                    try (ResultSet rows = select.executeQuery()) {
                        return rows.next() ? Optional.of(rows.getLong(1)) : Optional.empty();
                    }
                }
            };
        }

        @Test
        void answers_the_query_with_the_position_of_the_checkpoint() {
            checkpoints(store).commit("counts", Position.START, Position.of(4), add("orders", 2));

            Answer<Optional<Long>> answer = checkpoints(store).queryWithCheckpoint("counts", orders());

            assertThat(answer).isEqualTo(new Answer<>(Optional.of(2L), Position.of(4)));
        }

        @Test
        void a_checkpoint_never_moved_is_at_the_start() {
            assertThat(checkpoints(store).queryWithCheckpoint("counts", orders()))
                    .isEqualTo(new Answer<>(Optional.<Long>empty(), Position.START));
        }

        @Test
        void reads_the_checkpoint_and_the_read_model_in_one_snapshot() {
            checkpoints(store).commit("counts", Position.START, Position.of(4), add("orders", 2));

            // when: a batch commits after the checkpoint was read and before the read model is
            Answer<Optional<Long>> answer = checkpoints(store).queryWithCheckpoint("counts", connection -> {
                checkpoints(store).commit("counts", Position.of(4), Position.of(9), add("orders", 3));
                return orders().run(connection);
            });

            // then: the answer is the state at position 4, not the rows of 9 with the position of 4
            assertThat(answer).isEqualTo(new Answer<>(Optional.of(2L), Position.of(4)));
            assertThat(checkpoints(store).queryWithCheckpoint("counts", orders()))
                    .isEqualTo(new Answer<>(Optional.of(5L), Position.of(9)));
        }

        @Test
        void a_failing_query_surfaces_as_a_store_exception_and_the_next_one_works() {
            assertThatThrownBy(() -> checkpoints(store).queryWithCheckpoint("counts", connection -> {
                        try (Statement statement = connection.createStatement()) {
                            return statement
                                    .executeQuery("SELECT n FROM tck_no_such_table")
                                    .next();
                        }
                    }))
                    .isInstanceOf(StoreException.class)
                    .hasCauseInstanceOf(SQLException.class)
                    .hasMessageContaining("tck_no_such_table");

            checkpoints(store).commit("counts", Position.START, Position.of(4), add("orders", 2));
            assertThat(checkpoints(store)
                            .queryWithCheckpoint("counts", orders())
                            .position())
                    .isEqualTo(Position.of(4));
        }
    }
}
