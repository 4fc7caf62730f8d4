package io.factum.testkit.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.EventStore;
import io.factum.testkit.aggregate.Cart.Added;
import io.factum.testkit.aggregate.Cart.CheckedOut;
import io.factum.testkit.aggregate.Cart.Event;
import io.factum.testkit.aggregate.Cart.Removed;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class AggregateRootFixtureTest {

    static final EventStore STORE = EventStore.inMemory();

    static final AggregateRootFixture<Cart.Classic, Event> IN_MEMORY = AggregateRootFixture.of(Cart.Classic::new);

    static final AggregateRootFixture<Cart.Classic, Event> ON_STORE =
            AggregateRootFixture.of(Cart.Classic::new).onStore(STORE, DeciderFixtureTest.SERIALIZER, Event.class);

    /** The scenarios every path must pass. */
    abstract static class Passing_scenarios {

        abstract AggregateRootFixture<Cart.Classic, Event> cart();

        @Test
        void a_command_raises_the_expected_events() {
            cart().given(new Added("pen", 2)).when(cart -> cart.add("book", 1)).then(new Added("book", 1));
        }

        @Test
        void a_command_on_a_new_aggregate() {
            cart().when(cart -> cart.add("pen", 1)).then(new Added("pen", 1));
            cart().given().when(cart -> cart.add("pen", 1)).then(List.of(new Added("pen", 1)));
        }

        @Test
        void several_events_in_order() {
            cart().given(List.of(new Added("pen", 2)))
                    .when(cart -> {
                        cart.remove("pen");
                        cart.add("book", 1);
                        cart.checkOut();
                    })
                    .then(new Removed("pen"), new Added("book", 1), new CheckedOut(1));
        }

        @Test
        void a_command_that_changes_nothing() {
            cart().given(new Added("pen", 2)).when(cart -> cart.remove("book")).thenNothing();
        }

        @Test
        void a_command_rejected_by_a_rule() {
            cart().given(new Added("pen", 8))
                    .when(cart -> cart.add("book", 3))
                    .thenRejected("max-items", "a cart holds at most 10 items; it has 8, cannot add 3");
        }

        @Test
        void the_aggregate_after_the_given_events() {
            cart().given(new Added("pen", 2), new Added("book", 1), new Removed("pen"), new CheckedOut(1))
                    .thenState(cart -> {
                        assertThat(cart.items()).containsExactlyEntriesOf(Map.of("book", 1));
                        assertThat(cart.checkedOut()).isTrue();
                        assertThat(cart.version()).isEqualTo(3);
                    });
        }

        @Test
        void the_aggregate_after_the_command() {
            cart().given(new Added("pen", 2)).when(Cart.Classic::checkOut).thenState(cart -> {
                assertThat(cart.checkedOut()).isTrue();
                assertThat(cart.version()).isEqualTo(1);
            });
        }
    }

    @Nested
    class In_memory extends Passing_scenarios {
        @Override
        AggregateRootFixture<Cart.Classic, Event> cart() {
            return IN_MEMORY;
        }
    }

    @Nested
    class Through_a_store extends Passing_scenarios {
        @Override
        AggregateRootFixture<Cart.Classic, Event> cart() {
            return ON_STORE;
        }
    }

    @Nested
    class Failure_messages {

        @Test
        void other_events_are_shown_side_by_side_with_the_first_difference_marked() {
            assertThatThrownBy(() -> IN_MEMORY
                            .given(new Added("pen", 2))
                            .when(cart -> {
                                cart.add("book", 1);
                                cart.checkOut();
                            })
                            .then(new Added("book", 1), new CheckedOut(1)))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessage("""
                            the command produced other events than expected; first difference at #2
                                  expected                     actual
                               1  Added[sku=book, quantity=1]  Added[sku=book, quantity=1]
                            >  2  CheckedOut[items=1]          CheckedOut[items=3]
                            given:
                               1  Added[sku=pen, quantity=2]
                            run: in memory""");
        }

        @Test
        void a_rejection_where_events_were_expected() {
            assertThatThrownBy(() -> IN_MEMORY.when(Cart.Classic::checkOut).then(new CheckedOut(0)))
                    .hasMessage("""
                            the command was rejected by rule not-empty, but events were expected
                              rejected: rule not-empty: cannot check out an empty cart
                              expected:
                                 1  CheckedOut[items=0]
                            given: no events
                            run: in memory""");
        }

        @Test
        void an_accepted_command_where_a_rejection_was_expected() {
            assertThatThrownBy(() -> IN_MEMORY
                            .given(new Added("pen", 2))
                            .when(Cart.Classic::checkOut)
                            .thenRejected("not-empty", "cannot check out an empty cart"))
                    .hasMessage("""
                            expected the command to be rejected by rule not-empty, but it was accepted and \
                            produced 1 event
                              expected: rule not-empty: cannot check out an empty cart
                              produced:
                                 1  CheckedOut[items=2]
                            given:
                               1  Added[sku=pen, quantity=2]
                            run: in memory""");
        }

        @Test
        void a_rejection_by_another_rule() {
            assertThatThrownBy(() -> IN_MEMORY
                            .given(new Added("pen", 2), new CheckedOut(2))
                            .when(cart -> cart.add("pen", 20))
                            .thenRejected("max-items", "a cart holds at most 10 items; it has 2, cannot add 20"))
                    .hasMessage("""
                            the command was rejected, but with another rule and message than expected
                              expected: rule max-items: a cart holds at most 10 items; it has 2, cannot add 20
                              actual:   rule cart-open: the cart is checked out; cannot add pen
                            given:
                               1  Added[sku=pen, quantity=2]
                               2  CheckedOut[items=2]
                            run: in memory""");
        }

        @Test
        void a_rejection_where_a_state_was_expected() {
            assertThatThrownBy(
                            () -> IN_MEMORY.when(cart -> cart.add("pen", -1)).thenState(cart -> assertThat(cart.count())
                                    .isZero()))
                    .hasMessage("""
                            the command was rejected by rule positive-quantity, but a state after it was expected
                              rejected: rule positive-quantity: a quantity must be 1 or more, got -1
                            given: no events
                            run: in memory""");
        }

        @Test
        void a_failed_state_check_is_the_check_s_own_failure() {
            assertThatThrownBy(() -> IN_MEMORY.given(new Added("pen", 2)).thenState(cart -> assertThat(cart.count())
                            .as("items")
                            .isEqualTo(3)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("[items]")
                    .hasMessageContaining("expected: 3");
        }

        @Test
        void through_a_store_name_the_stream() {
            assertThatThrownBy(() -> ON_STORE.when(cart -> cart.add("pen", 1)).thenNothing())
                    .hasMessageMatching("""
                            (?s)the command produced other events than expected; first difference at #1
                                  expected  read back
                            >  1  \\(none\\)    Added\\[sku=pen, quantity=1\\]
                            given: no events
                            run: through the store, stream scenario-[0-9a-f-]{36}""");
        }
    }
}
