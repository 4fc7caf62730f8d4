package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventStore;
import io.factum.core.subscription.Lease;
import io.factum.core.subscription.LeaseStore;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The lease store that belongs to a store: live members of consumer groups, and bucket leases whose epoch
 * grows every time a bucket changes hands. Expiry is judged by the store's clock, which is {@link #clock}:
 * a lease or membership ends when the clock reaches its expiry.
 */
public abstract class LeaseStoreContract extends TckSupport {

    /** The lease store that belongs to {@code store}, a store from {@link #fixture()}, on {@link #clock}. */
    protected abstract LeaseStore leases(EventStore store);

    private final Duration ttl = Duration.ofSeconds(10);

    @Nested
    class Membership {

        @Test
        void a_heartbeat_returns_the_live_members_sorted() {
            assertThat(leases(store).heartbeat("billing", "member-c", ttl)).containsExactly("member-c");
            assertThat(leases(store).heartbeat("billing", "member-a", ttl)).containsExactly("member-a", "member-c");
            assertThat(leases(store).heartbeat("billing", "member-b", ttl))
                    .containsExactly("member-a", "member-b", "member-c");
            assertThat(leases(store).heartbeat("shipping", "member-z", ttl)).containsExactly("member-z");
        }

        @Test
        void members_whose_heartbeat_expired_drop_out() {
            leases(store).heartbeat("billing", "member-a", ttl);
            clock.advance(Duration.ofSeconds(5));
            leases(store).heartbeat("billing", "member-b", ttl);
            clock.advance(Duration.ofSeconds(5));

            assertThat(leases(store).heartbeat("billing", "member-c", ttl)).containsExactly("member-b", "member-c");
        }

        @Test
        void a_heartbeat_keeps_a_member_alive() {
            leases(store).heartbeat("billing", "member-a", ttl);
            leases(store).heartbeat("billing", "member-b", ttl);
            clock.advance(Duration.ofSeconds(8));
            leases(store).heartbeat("billing", "member-a", ttl);
            clock.advance(Duration.ofSeconds(8));

            assertThat(leases(store).heartbeat("billing", "member-c", ttl)).containsExactly("member-a", "member-c");
        }

        @Test
        void a_member_that_leaves_is_gone_and_its_leases_are_free() {
            LeaseStore leases = leases(store);
            leases.heartbeat("billing", "member-a", ttl);
            leases.heartbeat("billing", "member-b", ttl);
            Lease zero = leases.acquire("billing", 0, "member-a", ttl).orElseThrow();
            Lease one = leases.acquire("billing", 1, "member-a", ttl).orElseThrow();
            Lease two = leases.acquire("billing", 2, "member-b", ttl).orElseThrow();

            leases.leave("billing", "member-a");

            assertThat(leases.heartbeat("billing", "member-b", ttl)).containsExactly("member-b");
            assertThat(leases.holds(zero)).isFalse();
            assertThat(leases.holds(one)).isFalse();
            assertThat(leases.holds(two)).isTrue();
            Lease taken = leases.acquire("billing", 0, "member-b", ttl).orElseThrow();
            assertThat(taken.member()).isEqualTo("member-b");
            assertThat(taken.epoch()).isEqualTo(2);
        }
    }

    @Nested
    class Acquiring {

        @Test
        void a_free_bucket_is_taken_with_epoch_1() {
            Instant now = clock.instant();

            assertThat(leases(store).acquire("billing", 3, "member-a", ttl))
                    .hasValue(new Lease("billing", 3, "member-a", 1, now.plus(ttl)));
        }

        @Test
        void renewing_ones_own_lease_keeps_the_epoch_and_moves_the_expiry() {
            leases(store).acquire("billing", 3, "member-a", ttl).orElseThrow();
            clock.advance(Duration.ofSeconds(6));

            assertThat(leases(store).acquire("billing", 3, "member-a", ttl))
                    .hasValue(new Lease(
                            "billing", 3, "member-a", 1, clock.instant().plus(ttl)));
        }

        @Test
        void another_member_cannot_take_a_live_lease() {
            Lease held = leases(store).acquire("billing", 3, "member-a", ttl).orElseThrow();
            clock.advance(Duration.ofSeconds(9));

            assertThat(leases(store).acquire("billing", 3, "member-b", ttl)).isEmpty();
            assertThat(leases(store).holds(held)).isTrue();
            assertThat(leases(store).leases("billing")).containsExactly(held);
        }

        @Test
        void after_expiry_another_member_takes_the_bucket_with_the_next_epoch() {
            Lease old = leases(store).acquire("billing", 3, "member-a", ttl).orElseThrow();
            clock.advance(ttl);

            Lease taken = leases(store).acquire("billing", 3, "member-b", ttl).orElseThrow();

            assertThat(taken)
                    .isEqualTo(new Lease(
                            "billing", 3, "member-b", 2, clock.instant().plus(ttl)));
            assertThat(leases(store).holds(old)).isFalse();
            assertThat(leases(store).holds(taken)).isTrue();
            assertThat(leases(store).acquire("billing", 3, "member-a", ttl)).isEmpty();
        }

        @Test
        void the_same_bucket_of_different_groups_is_leased_apart() {
            leases(store).acquire("billing", 3, "member-a", ttl).orElseThrow();

            assertThat(leases(store).acquire("shipping", 3, "member-b", ttl))
                    .hasValue(new Lease(
                            "shipping", 3, "member-b", 1, clock.instant().plus(ttl)));
        }
    }

    @Nested
    class Holding {

        @Test
        void the_holder_holds_its_lease_until_it_expires() {
            Lease lease = leases(store).acquire("billing", 3, "member-a", ttl).orElseThrow();

            clock.advance(Duration.ofSeconds(9));
            assertThat(leases(store).holds(lease)).isTrue();
            clock.advance(Duration.ofSeconds(1));
            assertThat(leases(store).holds(lease)).isFalse();
        }

        @Test
        void a_lease_of_an_older_epoch_or_another_member_is_not_held() {
            Lease lease = leases(store).acquire("billing", 3, "member-a", ttl).orElseThrow();

            assertThat(leases(store).holds(new Lease("billing", 3, "member-a", 0, lease.expiresAt())))
                    .isFalse();
            assertThat(leases(store).holds(new Lease("billing", 3, "member-b", 1, lease.expiresAt())))
                    .isFalse();
            assertThat(leases(store).holds(new Lease("billing", 4, "member-a", 1, lease.expiresAt())))
                    .isFalse();
        }
    }

    @Nested
    class Releasing {

        @Test
        void a_released_bucket_is_free_for_another_member() {
            Lease lease = leases(store).acquire("billing", 3, "member-a", ttl).orElseThrow();

            leases(store).release(lease);

            assertThat(leases(store).holds(lease)).isFalse();
            Lease taken = leases(store).acquire("billing", 3, "member-b", ttl).orElseThrow();
            assertThat(taken.epoch()).isEqualTo(2);
        }

        @Test
        void releasing_a_lease_that_was_taken_over_leaves_the_new_holder_in_place() {
            Lease old = leases(store).acquire("billing", 3, "member-a", ttl).orElseThrow();
            clock.advance(ttl);
            Lease taken = leases(store).acquire("billing", 3, "member-b", ttl).orElseThrow();

            leases(store).release(old);

            assertThat(leases(store).holds(taken)).isTrue();
        }
    }

    @Nested
    class Listing {

        @Test
        void a_group_without_leases_has_none() {
            assertThat(leases(store).leases("billing")).isEmpty();
        }

        @Test
        void lists_the_current_leases_of_a_group_by_bucket_expired_ones_included() {
            Lease two = leases(store).acquire("billing", 2, "member-a", ttl).orElseThrow();
            clock.advance(Duration.ofSeconds(5));
            Lease zero = leases(store).acquire("billing", 0, "member-b", ttl).orElseThrow();
            Lease one = leases(store).acquire("billing", 1, "member-a", ttl).orElseThrow();
            leases(store).acquire("shipping", 0, "member-c", ttl).orElseThrow();
            clock.advance(Duration.ofSeconds(6));

            assertThat(leases(store).leases("billing")).containsExactly(zero, one, two);
        }
    }
}
