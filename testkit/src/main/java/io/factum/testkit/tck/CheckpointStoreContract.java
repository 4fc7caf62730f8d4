package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.EventStore;
import io.factum.core.Position;
import io.factum.core.subscription.CheckpointConflictException;
import io.factum.core.subscription.CheckpointStore;
import io.factum.core.subscription.Lease;
import io.factum.core.subscription.LeaseLostException;
import io.factum.core.subscription.LeaseStore;
import io.factum.core.subscription.ParkedEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The checkpoint store that belongs to a store: checkpoints moved only by compare-and-set (exactly one of
 * racing writers wins, a loser writes nothing), fenced saves checked against the store's leases, parked
 * events in log order, and the active versions of projections. Expiry of leases is judged by the store's
 * clock, which is {@link #clock}.
 */
public abstract class CheckpointStoreContract extends TckSupport {

    /** The checkpoint store that belongs to {@code store}, a store from {@link #fixture()}. */
    protected abstract CheckpointStore checkpoints(EventStore store);

    /**
     * The lease store that fences the saves of {@link #checkpoints}: the same database, the same clock
     * ({@link #clock}).
     */
    protected abstract LeaseStore leases(EventStore store);

    /** A parked event of subscription {@code subscription} at {@code position}. */
    protected static ParkedEvent parked(String subscription, long position, String error) {
        return new ParkedEvent(
                subscription,
                Position.of(position),
                UUID.randomUUID(),
                "order-" + position,
                position % 7,
                "OrderPlaced",
                3,
                error,
                Instant.parse("2026-01-01T00:00:00.123456Z"));
    }

    @Nested
    class Loading {

        @Test
        void a_checkpoint_never_saved_is_at_the_start() {
            assertThat(checkpoints(store).load("orders-view")).isEqualTo(Position.START);
        }

        @Test
        void checkpoints_of_different_names_are_kept_apart() {
            checkpoints(store).save("first", Position.START, Position.of(5));
            checkpoints(store).save("second", Position.START, Position.of(9));

            assertThat(checkpoints(store).load("first")).isEqualTo(Position.of(5));
            assertThat(checkpoints(store).load("second")).isEqualTo(Position.of(9));
            assertThat(checkpoints(store).load("third")).isEqualTo(Position.START);
        }
    }

    @Nested
    class Saving {

        @Test
        void a_save_moves_the_checkpoint() {
            checkpoints(store).save("orders-view", Position.START, Position.of(3));
            checkpoints(store).save("orders-view", Position.of(3), Position.of(8));

            assertThat(checkpoints(store).load("orders-view")).isEqualTo(Position.of(8));
        }

        @Test
        void a_save_from_the_wrong_place_is_refused_and_writes_nothing() {
            checkpoints(store).save("orders-view", Position.START, Position.of(3));

            assertThatThrownBy(() -> checkpoints(store).save("orders-view", Position.of(5), Position.of(9)))
                    .isInstanceOfSatisfying(CheckpointConflictException.class, e -> {
                        assertThat(e.checkpoint()).isEqualTo("orders-view");
                        assertThat(e.expected()).isEqualTo(Position.of(5));
                        assertThat(e.actual()).isEqualTo(Position.of(3));
                    })
                    .hasMessage("checkpoint orders-view: expected it at 0/5 but it is at 0/3; another instance"
                            + " moved it first, nothing was written");
            assertThat(checkpoints(store).load("orders-view")).isEqualTo(Position.of(3));
        }

        @Test
        void a_first_save_must_expect_the_start() {
            assertThatThrownBy(() -> checkpoints(store).save("orders-view", Position.of(2), Position.of(4)))
                    .isInstanceOf(CheckpointConflictException.class)
                    .hasMessage("checkpoint orders-view: expected it at 0/2 but it is at 0/0; another instance"
                            + " moved it first, nothing was written");
            assertThat(checkpoints(store).load("orders-view")).isEqualTo(Position.START);
        }

        @Test
        void exactly_one_of_two_racing_saves_wins() throws Exception {
            CheckpointStore checkpoints = checkpoints(store);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Position at = Position.START;
                for (int round = 1; round <= 20; round++) {
                    Position from = at;
                    CountDownLatch start = new CountDownLatch(1);
                    List<Future<Position>> racers = new ArrayList<>();
                    for (int racer = 0; racer < 2; racer++) {
                        Position next = Position.of(round * 10L + racer);
                        racers.add(pool.submit(() -> {
                            start.await();
                            checkpoints.save("orders-view", from, next);
                            return next;
                        }));
                    }
                    start.countDown();
                    List<Position> winners = new ArrayList<>();
                    int losers = 0;
                    for (Future<Position> racer : racers) {
                        try {
                            winners.add(racer.get(30, TimeUnit.SECONDS));
                        } catch (ExecutionException e) {
                            assertThat(e.getCause())
                                    .as("the loser of round %d", round)
                                    .isInstanceOf(CheckpointConflictException.class);
                            losers++;
                        }
                    }
                    assertThat(winners).as("winners of round %d", round).hasSize(1);
                    assertThat(losers).as("losers of round %d", round).isEqualTo(1);
                    assertThat(checkpoints.load("orders-view")).isEqualTo(winners.get(0));
                    at = winners.get(0);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Nested
    class Fenced_saves {

        private final Duration ttl = Duration.ofSeconds(10);

        @Test
        void succeed_while_the_lease_is_current() {
            Lease lease = leases(store).acquire("billing", 3, "member-a", ttl).orElseThrow();
            clock.advance(Duration.ofSeconds(9));

            checkpoints(store).save("billing-3", Position.START, Position.of(7), lease);

            assertThat(checkpoints(store).load("billing-3")).isEqualTo(Position.of(7));
        }

        @Test
        void are_refused_after_another_member_took_the_bucket_over_and_write_nothing() {
            Lease lease = leases(store).acquire("billing", 3, "member-a", ttl).orElseThrow();
            checkpoints(store).save("billing-3", Position.START, Position.of(7), lease);
            clock.advance(Duration.ofSeconds(11));
            Lease takeover =
                    leases(store).acquire("billing", 3, "member-b", ttl).orElseThrow();
            assertThat(takeover.epoch()).isEqualTo(2);

            assertThatThrownBy(() -> checkpoints(store).save("billing-3", Position.of(7), Position.of(9), lease))
                    .isInstanceOfSatisfying(
                            LeaseLostException.class, e -> assertThat(e.lease()).isEqualTo(lease))
                    .hasMessageStartingWith(
                            "consumer group billing, bucket 3: member member-a holds no lease with epoch 1 any more (")
                    .hasMessageEndingWith("); nothing was written");
            assertThat(checkpoints(store).load("billing-3")).isEqualTo(Position.of(7));

            checkpoints(store).save("billing-3", Position.of(7), Position.of(9), takeover);
            assertThat(checkpoints(store).load("billing-3")).isEqualTo(Position.of(9));
        }

        @Test
        void are_refused_once_the_lease_expired() {
            Lease lease = leases(store).acquire("billing", 0, "member-a", ttl).orElseThrow();
            clock.advance(ttl);

            assertThatThrownBy(() -> checkpoints(store).save("billing-0", Position.START, Position.of(7), lease))
                    .isInstanceOf(LeaseLostException.class)
                    .hasMessageStartingWith(
                            "consumer group billing, bucket 0: member member-a holds no lease with epoch 1 any more (");
            assertThat(checkpoints(store).load("billing-0")).isEqualTo(Position.START);
        }

        @Test
        void are_refused_after_the_lease_was_released() {
            Lease lease = leases(store).acquire("billing", 0, "member-a", ttl).orElseThrow();
            leases(store).release(lease);

            assertThatThrownBy(() -> checkpoints(store).save("billing-0", Position.START, Position.of(7), lease))
                    .isInstanceOf(LeaseLostException.class);
            assertThat(checkpoints(store).load("billing-0")).isEqualTo(Position.START);
        }
    }

    @Nested
    class Deleting {

        @Test
        void a_deleted_checkpoint_is_back_at_the_start() {
            checkpoints(store).save("orders-view", Position.START, Position.of(3));
            checkpoints(store).save("other", Position.START, Position.of(4));

            checkpoints(store).delete("orders-view");

            assertThat(checkpoints(store).load("orders-view")).isEqualTo(Position.START);
            assertThat(checkpoints(store).load("other")).isEqualTo(Position.of(4));
            checkpoints(store).save("orders-view", Position.START, Position.of(1));
            assertThat(checkpoints(store).load("orders-view")).isEqualTo(Position.of(1));
        }

        @Test
        void deleting_an_unknown_checkpoint_does_nothing() {
            checkpoints(store).delete("never-saved");

            assertThat(checkpoints(store).load("never-saved")).isEqualTo(Position.START);
        }
    }

    @Nested
    class Parking {

        @Test
        void nothing_is_parked_at_first() {
            assertThat(checkpoints(store).parked("mailer")).isEmpty();
        }

        @Test
        void parked_events_are_listed_in_log_order_with_every_field() {
            ParkedEvent third = parked("mailer", 30, "java.lang.IllegalStateException: no address");
            ParkedEvent first = parked("mailer", 10, "java.io.UncheckedIOException: Größe ☃ 𝄞");
            ParkedEvent second = parked("mailer", 20, "x");
            checkpoints(store).park(third);
            checkpoints(store).park(first);
            checkpoints(store).park(second);
            checkpoints(store).park(parked("other", 15, "y"));

            assertThat(checkpoints(store).parked("mailer")).containsExactly(first, second, third);
        }

        @Test
        void parking_the_same_position_again_replaces_the_record() {
            checkpoints(store).park(parked("mailer", 10, "first failure"));
            ParkedEvent again = parked("mailer", 10, "second failure");

            checkpoints(store).park(again);

            assertThat(checkpoints(store).parked("mailer")).containsExactly(again);
        }

        @Test
        void unparking_removes_the_event_once() {
            ParkedEvent kept = parked("mailer", 20, "x");
            checkpoints(store).park(parked("mailer", 10, "x"));
            checkpoints(store).park(kept);

            assertThat(checkpoints(store).unpark("mailer", Position.of(10))).isTrue();
            assertThat(checkpoints(store).unpark("mailer", Position.of(10))).isFalse();
            assertThat(checkpoints(store).unpark("other", Position.of(20))).isFalse();

            assertThat(checkpoints(store).parked("mailer")).containsExactly(kept);
        }
    }

    @Nested
    class Projection_versions {

        @Test
        void no_version_is_active_at_first() {
            assertThat(checkpoints(store).activeVersion("order_summary")).isEmpty();
        }

        @Test
        void activating_a_version_makes_it_the_active_one() {
            checkpoints(store).activate("order_summary", 1);
            checkpoints(store).activate("other", 5);
            checkpoints(store).activate("order_summary", 2);

            assertThat(checkpoints(store).activeVersion("order_summary")).hasValue(2);
            assertThat(checkpoints(store).activeVersion("other")).hasValue(5);
        }
    }
}
