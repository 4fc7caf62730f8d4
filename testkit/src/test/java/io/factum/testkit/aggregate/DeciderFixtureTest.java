package io.factum.testkit.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.aggregate.Decider;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.serialization.EventTypes;
import io.factum.testkit.aggregate.Cart.Add;
import io.factum.testkit.aggregate.Cart.Added;
import io.factum.testkit.aggregate.Cart.CheckOut;
import io.factum.testkit.aggregate.Cart.CheckedOut;
import io.factum.testkit.aggregate.Cart.Command;
import io.factum.testkit.aggregate.Cart.Event;
import io.factum.testkit.aggregate.Cart.Remove;
import io.factum.testkit.aggregate.Cart.Removed;
import io.factum.testkit.aggregate.Cart.State;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class DeciderFixtureTest {

    static final EventSerializer SERIALIZER =
            EventSerializer.of(EventTypes.builder().registerSealed(Event.class).build());

    /** One store for every scenario of this class: each scenario runs on a stream of its own. */
    static final EventStore STORE = EventStore.inMemory();

    static final DeciderFixture<Command, Event, State> IN_MEMORY = DeciderFixture.of(Cart.DECIDER);

    static final DeciderFixture<Command, Event, State> ON_STORE =
            DeciderFixture.of(Cart.DECIDER).onStore(STORE, SERIALIZER, Event.class);

    /** The scenarios every path must pass. */
    abstract static class Passing_scenarios {

        abstract DeciderFixture<Command, Event, State> cart();

        @Test
        void a_command_decides_the_expected_events() {
            cart().given(new Added("pen", 2)).when(new Add("book", 1)).then(new Added("book", 1));
        }

        @Test
        void a_command_on_a_new_aggregate() {
            cart().when(new Add("pen", 1)).then(new Added("pen", 1));
            cart().given().when(new Add("pen", 1)).then(List.of(new Added("pen", 1)));
        }

        @Test
        void given_events_as_a_list() {
            cart().given(List.of(new Added("pen", 2), new Added("book", 1)))
                    .when(new CheckOut())
                    .then(new CheckedOut(3));
        }

        @Test
        void a_command_that_changes_nothing() {
            cart().given(new Added("pen", 2)).when(new Remove("book")).thenNothing();
            cart().given(new Added("pen", 2), new CheckedOut(2))
                    .when(new CheckOut())
                    .then();
        }

        @Test
        void a_command_rejected_by_a_rule() {
            cart().given(new Added("pen", 8))
                    .when(new Add("book", 3))
                    .thenRejected("max-items", "a cart holds at most 10 items; it has 8, cannot add 3");
            cart().when(new CheckOut()).thenRejected("not-empty", "cannot check out an empty cart");
        }

        @Test
        void the_state_after_the_given_events() {
            cart().given(new Added("pen", 2), new Added("book", 1), new Removed("pen"))
                    .thenState(State.of(Map.of("book", 1), false));
            cart().given().thenState(Cart.initial());
        }

        @Test
        void the_state_after_the_command() {
            cart().given(new Added("pen", 2)).when(new CheckOut()).thenState(State.of(Map.of("pen", 2), true));
        }
    }

    /** A rule broken, reported with the domain's own exception, as a Factum-free domain model does. */
    static final class CartFull extends RuntimeException {
        CartFull(String message) {
            super(message);
        }
    }

    static final Decider<Command, Event, State> PLAIN = Decider.of(
            Cart::initial,
            (command, state) -> {
                if (command instanceof Add add && add.quantity() > 5) {
                    throw new CartFull("at most 5 at once, got " + add.quantity());
                }
                return Cart.decide(command, state);
            },
            Cart::evolve);

    @Nested
    class Rejections_of_the_domains_own {

        @Test
        void are_checked_by_rule_and_message_once_the_fixture_is_told_their_type() {
            DeciderFixture.of(PLAIN)
                    .rejection(CartFull.class)
                    .when(new Add("pen", 6))
                    .thenRejected("cart-full", "at most 5 at once, got 6");
            DeciderFixture.of(PLAIN)
                    .onStore(STORE, SERIALIZER, Event.class)
                    .rejections(io.factum.core.command.Rejections.none().with(CartFull.class, e -> "five"))
                    .when(new Add("pen", 6))
                    .thenRejected("five", "at most 5 at once, got 6");
        }

        @Test
        void are_failures_of_the_scenario_when_it_was_not_told() {
            assertThatThrownBy(() ->
                            DeciderFixture.of(PLAIN).when(new Add("pen", 6)).thenRejected("cart-full", ""))
                    .isInstanceOf(CartFull.class);
        }
    }

    @Nested
    class In_memory extends Passing_scenarios {
        @Override
        DeciderFixture<Command, Event, State> cart() {
            return IN_MEMORY;
        }
    }

    @Nested
    class Through_a_store extends Passing_scenarios {
        @Override
        DeciderFixture<Command, Event, State> cart() {
            return ON_STORE;
        }

        @Test
        void the_given_and_decided_events_are_in_the_store() {
            try (EventStore store = EventStore.inMemory()) {
                DeciderFixture.of(Cart.DECIDER)
                        .onStore(store, SERIALIZER, Event.class)
                        .given(new Added("pen", 2))
                        .when(new CheckOut())
                        .then(new CheckedOut(2));

                assertThat(store.streamAll(Position.START, EventFilter.all()))
                        .extracting(RecordedEvent::type, e -> e.streamId().startsWith("scenario-"))
                        .containsExactly(tuple("Added", true), tuple("CheckedOut", true));
            }
        }
    }

    @Nested
    class Failure_messages {

        @Test
        void other_events_are_shown_side_by_side_with_the_first_difference_marked() {
            assertThatThrownBy(() -> IN_MEMORY
                            .given(new Added("pen", 2))
                            .when(new Add("book", 1))
                            .then(new Added("book", 2)))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessage("""
                            Add[sku=book, quantity=1] produced other events than expected; first difference at #1
                                  expected                     actual
                            >  1  Added[sku=book, quantity=2]  Added[sku=book, quantity=1]
                            given:
                               1  Added[sku=pen, quantity=2]
                            run: in memory""");
        }

        @Test
        void a_missing_event_is_shown_as_none() {
            assertThatThrownBy(() -> IN_MEMORY
                            .given(new Added("pen", 2))
                            .when(new CheckOut())
                            .then(new CheckedOut(2), new Removed("pen")))
                    .hasMessage("""
                            CheckOut[] produced other events than expected; first difference at #2
                                  expected             actual
                               1  CheckedOut[items=2]  CheckedOut[items=2]
                            >  2  Removed[sku=pen]     (none)
                            given:
                               1  Added[sku=pen, quantity=2]
                            run: in memory""");
        }

        @Test
        void events_where_none_were_expected() {
            assertThatThrownBy(() -> IN_MEMORY.when(new Add("pen", 1)).thenNothing())
                    .hasMessage("""
                            Add[sku=pen, quantity=1] produced other events than expected; first difference at #1
                                  expected  actual
                            >  1  (none)    Added[sku=pen, quantity=1]
                            given: no events
                            run: in memory""");
        }

        @Test
        void carry_expected_and_actual_one_event_a_line_for_the_ide() {
            AssertionFailedError failure = catchThrowableOfType(AssertionFailedError.class, () -> IN_MEMORY
                    .given(new Added("pen", 2))
                    .when(new CheckOut())
                    .then(new CheckedOut(2), new Removed("pen")));

            assertThat(failure.getExpected().getStringRepresentation())
                    .isEqualTo("1  CheckedOut[items=2]\n2  Removed[sku=pen]");
            assertThat(failure.getActual().getStringRepresentation()).isEqualTo("1  CheckedOut[items=2]");
        }

        @Test
        void a_rejection_where_events_were_expected() {
            assertThatThrownBy(() -> IN_MEMORY
                            .given(new Added("pen", 8))
                            .when(new Add("book", 3))
                            .then(new Added("book", 3)))
                    .hasMessage("""
                            Add[sku=book, quantity=3] was rejected by rule max-items, but events were expected
                              rejected: rule max-items: a cart holds at most 10 items; it has 8, cannot add 3
                              expected:
                                 1  Added[sku=book, quantity=3]
                            given:
                               1  Added[sku=pen, quantity=8]
                            run: in memory""");
        }

        @Test
        void a_rejection_where_nothing_was_expected() {
            assertThatThrownBy(() -> IN_MEMORY.when(new CheckOut()).thenNothing())
                    .hasMessage("""
                            CheckOut[] was rejected by rule not-empty, but it was expected to change nothing
                              rejected: rule not-empty: cannot check out an empty cart
                              expected: no events
                            given: no events
                            run: in memory""");
        }

        @Test
        void an_accepted_command_where_a_rejection_was_expected() {
            assertThatThrownBy(() -> IN_MEMORY
                            .given(new Added("pen", 2))
                            .when(new Add("book", 3))
                            .thenRejected("max-items", "a cart holds at most 10 items; it has 2, cannot add 3"))
                    .hasMessage("""
                            expected Add[sku=book, quantity=3] to be rejected by rule max-items, but it was \
                            accepted and produced 1 event
                              expected: rule max-items: a cart holds at most 10 items; it has 2, cannot add 3
                              produced:
                                 1  Added[sku=book, quantity=3]
                            given:
                               1  Added[sku=pen, quantity=2]
                            run: in memory""");
        }

        @Test
        void an_accepted_command_that_changed_nothing_where_a_rejection_was_expected() {
            assertThatThrownBy(() -> IN_MEMORY
                            .given(new Added("pen", 2))
                            .when(new Remove("book"))
                            .thenRejected("in-cart", "book is not in the cart"))
                    .hasMessage("""
                            expected Remove[sku=book] to be rejected by rule in-cart, but it was accepted and \
                            produced 0 events
                              expected: rule in-cart: book is not in the cart
                              produced: no events
                            given:
                               1  Added[sku=pen, quantity=2]
                            run: in memory""");
        }

        @Test
        void a_rejection_by_another_rule() {
            assertThatThrownBy(() -> IN_MEMORY
                            .given(new Added("pen", 2), new CheckedOut(2))
                            .when(new Add("book", 1))
                            .thenRejected("max-items", "the cart is checked out; cannot add book"))
                    .hasMessage("""
                            Add[sku=book, quantity=1] was rejected, but with another rule than expected
                              expected: rule max-items: the cart is checked out; cannot add book
                              actual:   rule cart-open: the cart is checked out; cannot add book
                            given:
                               1  Added[sku=pen, quantity=2]
                               2  CheckedOut[items=2]
                            run: in memory""");
        }

        @Test
        void a_rejection_with_another_message() {
            assertThatThrownBy(() -> IN_MEMORY
                            .when(new Add("pen", 0))
                            .thenRejected("positive-quantity", "quantity must be positive"))
                    .hasMessage("""
                            Add[sku=pen, quantity=0] was rejected, but with another message than expected
                              expected: rule positive-quantity: quantity must be positive
                              actual:   rule positive-quantity: a quantity must be 1 or more, got 0
                            given: no events
                            run: in memory""");
        }

        @Test
        void a_rejection_with_another_rule_and_message() {
            assertThatThrownBy(() -> IN_MEMORY.when(new CheckOut()).thenRejected("cart-open", "closed"))
                    .hasMessage("""
                            CheckOut[] was rejected, but with another rule and message than expected
                              expected: rule cart-open: closed
                              actual:   rule not-empty: cannot check out an empty cart
                            given: no events
                            run: in memory""")
                    .isInstanceOfSatisfying(AssertionFailedError.class, failure -> assertThat(
                                    failure.getActual().getStringRepresentation())
                            .isEqualTo("rule not-empty: cannot check out an empty cart"));
        }

        @Test
        void another_state_after_the_given_events() {
            assertThatThrownBy(() -> IN_MEMORY.given(new Added("pen", 2)).thenState(State.of(Map.of("pen", 3), false)))
                    .hasMessage("""
                            the state after the given events is not as expected
                              expected: State[items={pen=3}, checkedOut=false]
                              actual:   State[items={pen=2}, checkedOut=false]
                            given:
                               1  Added[sku=pen, quantity=2]
                            run: in memory""");
        }

        @Test
        void another_state_after_the_command() {
            assertThatThrownBy(() -> IN_MEMORY
                            .given(new Added("pen", 2))
                            .when(new Add("pen", 1))
                            .thenState(State.of(Map.of("pen", 2), false)))
                    .hasMessage("""
                            the state after Add[sku=pen, quantity=1] is not as expected
                              expected: State[items={pen=2}, checkedOut=false]
                              actual:   State[items={pen=3}, checkedOut=false]
                            given:
                               1  Added[sku=pen, quantity=2]
                            run: in memory""");
        }

        @Test
        void a_rejection_where_a_state_was_expected() {
            assertThatThrownBy(() -> IN_MEMORY.when(new CheckOut()).thenState(Cart.initial()))
                    .hasMessage("""
                            CheckOut[] was rejected by rule not-empty, but a state after it was expected
                              rejected: rule not-empty: cannot check out an empty cart
                            given: no events
                            run: in memory""");
        }

        @Test
        void through_a_store_name_the_stream_and_the_events_read_back() {
            assertThatThrownBy(() -> ON_STORE.given(new Added("pen", 2))
                            .when(new Add("book", 1))
                            .then(new Added("book", 2)))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageMatching("""
                            (?s)Add\\[sku=book, quantity=1\\] produced other events than expected; first \
                            difference at #1
                                  expected                     read back
                            >  1  Added\\[sku=book, quantity=2\\]  Added\\[sku=book, quantity=1\\]
                            given:
                               1  Added\\[sku=pen, quantity=2\\]
                            run: through the store, stream scenario-[0-9a-f-]{36}""");
        }
    }
}
