package io.factum.testkit.aggregate;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.EventStore;
import io.factum.core.aggregate.Decider;
import io.factum.core.serialization.EventDeserializationException;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.serialization.EventTypes;
import io.factum.testkit.aggregate.Cart.Added;
import io.factum.testkit.aggregate.Cart.Remove;
import io.factum.testkit.aggregate.Cart.Removed;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** Serialization mistakes that pass in memory and are caught only when a scenario runs through a store. */
class ThroughTheStoreOnlyTest {

    /** A ledger whose events look harmless but do not all survive JSON. */
    sealed interface Command {}

    record Note(Object value) implements Command {}

    record Pay(Payment payment) implements Command {}

    sealed interface Event {}

    /** A value of type Object: a long is written as a JSON number and read back as an Integer. */
    record Noted(Object value) implements Event {}

    /** A field of an interface type: Jackson writes it, but cannot tell which record to read it back as. */
    record Paid(Payment payment) implements Event {}

    sealed interface Payment {}

    record Card(String last4) implements Payment {}

    static final Decider<Command, Event, List<Event>> LEDGER = Decider.of(
            List::of,
            (command, state) -> switch (command) {
                case Note note -> List.of(new Noted(note.value()));
                case Pay pay -> List.of(new Paid(pay.payment()));
            },
            (state, event) -> {
                List<Event> next = new ArrayList<>(state);
                next.add(event);
                return next;
            });

    static final EventSerializer LEDGER_SERIALIZER =
            EventSerializer.of(EventTypes.builder().registerSealed(Event.class).build());

    private final EventStore store = EventStore.inMemory();

    private final DeciderFixture<Command, Event, List<Event>> inMemory = DeciderFixture.of(LEDGER);
    private final DeciderFixture<Command, Event, List<Event>> onStore =
            DeciderFixture.of(LEDGER).onStore(store, LEDGER_SERIALIZER, Event.class);

    @Nested
    class An_event_that_changes_on_its_way_through_JSON {

        @Test
        void passes_in_memory() {
            inMemory.when(new Note(5L)).then(new Noted(5L));
        }

        @Test
        void fails_through_the_store_saying_it_does_not_survive_serialization() {
            assertThatThrownBy(() -> onStore.when(new Note(5L)).then(new Noted(5L)))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageMatching("""
                            (?s)Note\\[value=5\\] produced other events than expected; first difference at #1
                                  expected        read back
                            >  1  Noted\\[value=5\\]  Noted\\[value=5\\]  \\(prints the same, but is not equal\\)
                            the aggregate decided the expected events, but they read back from the store \
                            differently: they do not survive serialization
                            given: no events
                            run: through the store, stream scenario-[0-9a-f-]{36}""");
        }
    }

    @Nested
    class An_event_that_cannot_be_read_back {

        @Test
        void passes_in_memory() {
            inMemory.when(new Pay(new Card("4242"))).then(new Paid(new Card("4242")));
            inMemory.given(new Paid(new Card("4242"))).thenState(List.of(new Paid(new Card("4242"))));
        }

        @Test
        void fails_through_the_store_when_decided() {
            assertThatThrownBy(() -> onStore.when(new Pay(new Card("4242"))).then(new Paid(new Card("4242"))))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageStartingWith("the events Pay[payment=Card[last4=4242]] decided do not read back from"
                            + " the store: cannot read event Paid at version 0 of stream scenario-")
                    .hasMessageContaining("its data does not fit Paid: Cannot construct instance of")
                    .hasCauseInstanceOf(EventDeserializationException.class);
        }

        @Test
        void fails_through_the_store_when_given() {
            assertThatThrownBy(() -> onStore.given(new Paid(new Card("4242")))
                            .when(new Note("x"))
                            .then(new Noted("x")))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageStartingWith("the given events do not read back from the store: cannot read event"
                            + " Paid at version 0 of stream scenario-")
                    .hasCauseInstanceOf(EventDeserializationException.class);
            assertThatThrownBy(() ->
                            onStore.given(new Paid(new Card("4242"))).thenState(List.of(new Paid(new Card("4242")))))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageStartingWith("the given events do not read back from the store: cannot read event"
                            + " Paid at version 0 of stream scenario-");
        }
    }

    @Nested
    class An_event_type_left_out_of_the_registry {

        /** The cart's serializer, but someone forgot to register Removed. */
        final EventSerializer incomplete = EventSerializer.of(EventTypes.builder()
                .register(Added.class, "Added")
                .register(Cart.CheckedOut.class, "CheckedOut")
                .build());

        @Test
        void passes_in_memory() {
            DeciderFixture.of(Cart.DECIDER)
                    .given(new Added("pen", 1))
                    .when(new Remove("pen"))
                    .then(new Removed("pen"));
        }

        @Test
        void fails_through_the_store_when_decided() {
            assertThatThrownBy(() -> DeciderFixture.of(Cart.DECIDER)
                            .onStore(store, incomplete, Cart.Event.class)
                            .given(new Added("pen", 1))
                            .when(new Remove("pen"))
                            .then(new Removed("pen")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(
                            "class io.factum.testkit.aggregate.Cart$Removed is not a registered" + " event type");
        }

        @Test
        void fails_through_the_store_when_given() {
            assertThatThrownBy(() -> AggregateRootFixture.of(Cart.Classic::new)
                            .onStore(store, incomplete, Cart.Event.class)
                            .given(new Added("pen", 1), new Removed("pen"))
                            .thenState(cart -> {}))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageStartingWith("""
                            the given events cannot be written to the store: class \
                            io.factum.testkit.aggregate.Cart$Removed is not a registered event type; register it \
                            with EventTypes.builder().register(...) or .registerSealed(...)
                            given:
                               1  Added[sku=pen, quantity=1]
                               2  Removed[sku=pen]
                            run: through the store, stream scenario-""");
        }
    }
}
