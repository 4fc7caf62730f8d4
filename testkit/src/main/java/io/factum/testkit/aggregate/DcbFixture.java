package io.factum.testkit.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.aggregate.ConflictRetry;
import io.factum.core.aggregate.DcbDecider;
import io.factum.core.aggregate.DcbRepository;
import io.factum.core.aggregate.Outcome;
import io.factum.core.aggregate.RuleViolation;
import io.factum.core.command.Rejections;
import io.factum.core.serialization.EventMetadata;
import io.factum.core.serialization.EventSerializer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Given-when-then scenarios for a {@link DcbDecider}, always through a store and a {@link DcbRepository}:
 * the given events are serialized and appended to the streams the decider names, with the tags it names;
 * the command is handled (read by query, deserialize, decide, append with the condition); the then-checks
 * read the appended events back, so a passing scenario proves that the events survive serialization, land
 * in their streams and carry their tags, and that the query finds the given events it needs.
 *
 * <pre>{@code
 * DcbFixture.of(Registration.UNIQUE_EMAIL, serializer, CustomerEvent.class)
 *         .given(new CustomerRegistered("c1", "ada@example.com"))
 *         .when(new RegisterCustomer("c2", "ada@example.com"))
 *         .thenRejected("email-taken", "ada@example.com is taken");
 * }</pre>
 *
 * <p>Each scenario runs on a new store ({@code EventStore.inMemory()} unless {@link #onStore} says
 * otherwise), closed afterwards. Immutable and thread-safe.
 *
 * @param <C> the commands
 * @param <E> the events
 * @param <S> the state
 */
public final class DcbFixture<C, E, S> {

    private final DcbDecider<C, E, S> model;
    private final EventSerializer serializer;
    private final Class<E> eventType;
    private final Supplier<EventStore> stores;
    private final Rejections rejections;

    private DcbFixture(
            DcbDecider<C, E, S> model,
            EventSerializer serializer,
            Class<E> eventType,
            Supplier<EventStore> stores,
            Rejections rejections) {
        this.model = model;
        this.serializer = serializer;
        this.eventType = eventType;
        this.stores = stores;
        this.rejections = rejections;
    }

    /** A fixture that runs each scenario on a new in-memory store. */
    public static <C, E, S> DcbFixture<C, E, S> of(
            DcbDecider<C, E, S> model, EventSerializer serializer, Class<E> eventType) {
        return new DcbFixture<>(model, serializer, eventType, EventStore::inMemory, Rejections.none());
    }

    /** This fixture running each scenario on a new store from {@code stores} (closed after the scenario). */
    public DcbFixture<C, E, S> onStore(Supplier<EventStore> stores) {
        return new DcbFixture<>(model, serializer, eventType, stores, rejections);
    }

    /** This fixture treating the exceptions of {@code more} as rejections, as the command bus does. */
    public DcbFixture<C, E, S> rejections(Rejections more) {
        return new DcbFixture<>(model, serializer, eventType, stores, rejections.and(more));
    }

    /** The events that happened before the command, oldest first, in any streams. */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only copied into a list, never stored or exposed
    public final When<C, E, S> given(E... events) {
        return new When<>(this, List.of(events));
    }

    /** A scenario with no past events. */
    public Then<C, E, S> when(C command) {
        return new When<>(this, List.<E>of()).when(command);
    }

    /**
     * A scenario's past, waiting for its command.
     *
     * @param <C> the commands
     * @param <E> the events
     * @param <S> the state
     */
    public static final class When<C, E, S> {
        private final DcbFixture<C, E, S> fixture;
        private final List<E> given;

        private When(DcbFixture<C, E, S> fixture, List<E> given) {
            this.fixture = fixture;
            this.given = given;
        }

        /** The command of the scenario. */
        public Then<C, E, S> when(C command) {
            return new Then<>(fixture, given, command);
        }
    }

    /**
     * A whole scenario: its then-methods run it and check what happened.
     *
     * @param <C> the commands
     * @param <E> the events
     * @param <S> the state
     */
    public static final class Then<C, E, S> {
        private final DcbFixture<C, E, S> fixture;
        private final List<E> given;
        private final C command;

        private Then(DcbFixture<C, E, S> fixture, List<E> given, C command) {
            this.fixture = fixture;
            this.given = given;
            this.command = command;
        }

        /**
         * The command appends exactly these events (compared with {@code equals}), each read back from the
         * store in the stream and with the tags the decider names.
         */
        @SafeVarargs
        @SuppressWarnings("varargs") // the array is only copied into a list, never stored or exposed
        public final void then(E... expected) {
            run((store, head, outcome) -> {
                List<RecordedEvent> appended = appendedSince(store, head);
                List<E> read = new ArrayList<>();
                for (RecordedEvent recorded : appended) {
                    List<E> events = fixture.serializer.deserializeEvents(recorded, fixture.eventType);
                    for (E event : events) {
                        assertThat(recorded.streamId())
                                .as("the stream of %s", event)
                                .isEqualTo(fixture.model.stream().apply(event));
                        assertThat(recorded.tags())
                                .as("the tags of %s", event)
                                .isEqualTo(Set.copyOf(fixture.model.tags().apply(event)));
                    }
                    read.addAll(events);
                }
                assertThat(outcome.events()).as("the events decided").containsExactly(expected);
                assertThat(read).as("the events read back from the store").containsExactly(expected);
            });
        }

        /** The command changes nothing: no events. */
        public void thenNothing() {
            run((store, head, outcome) -> {
                assertThat(outcome.events()).as("the events decided").isEmpty();
                assertThat(appendedSince(store, head)).as("the events appended").isEmpty();
            });
        }

        /** The command is rejected by {@code rule} with {@code message}, and nothing is appended. */
        public void thenRejected(String rule, String message) {
            try (EventStore store = fixture.stores.get()) {
                Position head = give(store);
                RuleViolation violation = null;
                try {
                    repository(store).handle(command, metadata(), ConflictRetry.NONE);
                } catch (RuntimeException e) {
                    violation = fixture.rejections.violation(e).orElseThrow(() -> e);
                }
                assertThat(violation).as("a rejection of %s", command).isNotNull();
                assertThat(violation.rule()).as("the rule").isEqualTo(rule);
                assertThat(violation.getMessage()).as("the message").isEqualTo(message);
                assertThat(appendedSince(store, head)).as("the events appended").isEmpty();
            }
        }

        private interface Check<E> {
            void check(EventStore store, Position head, Outcome<E> outcome);
        }

        private void run(Check<E> check) {
            try (EventStore store = fixture.stores.get()) {
                Position head = give(store);
                Outcome<E> outcome = repository(store).handle(command, metadata(), ConflictRetry.NONE);
                check.check(store, head, outcome);
            }
        }

        private DcbRepository<C, E, S> repository(EventStore store) {
            return DcbRepository.of(store, fixture.serializer, fixture.model, fixture.eventType);
        }

        private static EventMetadata metadata() {
            return EventMetadata.startingWith(UUID.randomUUID(), Instant.now());
        }

        /** Appends the given events where the decider puts them; returns the head after them. */
        private Position give(EventStore store) {
            for (E event : given) {
                EventData data = fixture.serializer
                        .serialize(event, UUID.randomUUID(), metadata())
                        .withTags(fixture.model.tags().apply(event));
                store.append(fixture.model.stream().apply(event), ExpectedVersion.any(), data);
            }
            return store.headPosition();
        }

        private static List<RecordedEvent> appendedSince(EventStore store, Position head) {
            List<RecordedEvent> events = new ArrayList<>();
            Position next = head;
            while (true) {
                var slice = store.readAll(next, ReadDirection.FORWARD, 100, EventFilter.all());
                events.addAll(slice.events());
                next = slice.next();
                if (slice.endOfLog()) {
                    return events;
                }
            }
        }
    }
}
