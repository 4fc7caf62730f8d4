package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.EventStore;
import io.factum.core.Position;
import io.factum.core.StoreException;
import io.factum.core.subscription.CheckpointConflictException;
import io.factum.core.subscription.Lease;
import io.factum.core.subscription.LeaseLostException;
import io.factum.core.subscription.LeaseStore;
import io.factum.core.subscription.SqlCheckpointStore;
import io.factum.core.subscription.SqlWork;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The SQL checkpoint store that belongs to a store: a read model's writes and its checkpoint commit in one
 * transaction, and a failing work, a checkpoint conflict or a lost lease keeps nothing of either. The SQL
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
}
