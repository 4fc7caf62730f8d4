package io.factum.testkit.aggregate;

import io.factum.core.EventStore;
import io.factum.core.aggregate.AggregateRoot;
import io.factum.core.aggregate.AggregateRootRepository;
import io.factum.core.aggregate.ConflictRetry;
import io.factum.core.aggregate.Outcome;
import io.factum.core.aggregate.RuleViolation;
import io.factum.core.serialization.EventDeserializationException;
import io.factum.core.serialization.EventSerializer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.opentest4j.AssertionFailedError;

/**
 * Given-when-then scenarios for a classic {@link AggregateRoot}: given past events, when a command
 * method, then the events it raises, its rejection, or a check of the aggregate.
 *
 * <pre>{@code
 * AggregateRootFixture.of(Account::new)
 *         .given(new Opened("ada"), new Deposited(100))
 *         .when(account -> account.withdraw(30))
 *         .then(new Withdrawn(30));
 * }</pre>
 *
 * <p>In memory, a new aggregate from the factory gets the given events applied as a repository's load
 * would, then the command method runs on it. After {@link AggregateRootFixture#onStore}, each scenario runs on a new stream
 * of a real store through an {@link AggregateRootRepository}: the given events are serialized and
 * appended, the command goes through {@code update} (load, deserialize and upcast, run, append), and the
 * then-checks read the appended events back from the store, so a passing scenario also proves that its
 * events survive serialization.
 *
 * <p>Immutable and thread-safe if the factory is; every then-method runs its scenario afresh on a new
 * aggregate.
 *
 * @param <A> the aggregate class
 * @param <E> its events
 */
public final class AggregateRootFixture<A extends AggregateRoot<E>, E> {

    private final Supplier<A> factory;
    private final Optional<StorePath<E>> store;

    private AggregateRootFixture(Supplier<A> factory, Optional<StorePath<E>> store) {
        this.factory = factory;
        this.store = store;
    }

    /** A fixture that runs scenarios in memory on new aggregates made by {@code factory}. */
    public static <A extends AggregateRoot<E>, E> AggregateRootFixture<A, E> of(Supplier<A> factory) {
        return new AggregateRootFixture<>(factory, Optional.empty());
    }

    /**
     * This fixture running its scenarios through a real store instead: each on a new stream named {@code
     * scenario-<uuid>}, so one store can be shared by many tests. The fixture does not close the store.
     *
     * @param store the store, for example {@code EventStore.inMemory()} or a store on a temporary file
     * @param serializer the application's serializer, with every event class registered
     * @param eventType the aggregate's event type
     */
    public AggregateRootFixture<A, E> onStore(EventStore store, EventSerializer serializer, Class<E> eventType) {
        return new AggregateRootFixture<>(factory, Optional.of(new StorePath<>(store, serializer, eventType)));
    }

    /** The events that happened before the command, oldest first; none for a new aggregate. */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only copied into a list, never stored or exposed
    public final Given<A, E> given(E... events) {
        return given(List.of(events));
    }

    /** The events that happened before the command, oldest first. */
    public Given<A, E> given(List<? extends E> events) {
        return new Given<>(this, List.copyOf(events));
    }

    /** A scenario on a new aggregate; the same as {@code given().when(command)}. */
    public When<A, E> when(Consumer<? super A> command) {
        return new When<>(this, List.of(), command);
    }

    /**
     * The first part of a scenario: the past.
     *
     * @param <A> the aggregate class
     * @param <E> its events
     */
    public static final class Given<A extends AggregateRoot<E>, E> {
        private final AggregateRootFixture<A, E> fixture;
        private final List<E> events;

        private Given(AggregateRootFixture<A, E> fixture, List<E> events) {
            this.fixture = fixture;
            this.events = events;
        }

        /** The command: a call of one of the aggregate's command methods. */
        public When<A, E> when(Consumer<? super A> command) {
            return new When<>(fixture, events, command);
        }

        /**
         * Runs {@code check} on the aggregate after the given events (loaded from the store, after {@link
         * AggregateRootFixture#onStore}); its assertions fail the test as they are.
         *
         * @throws AssertionFailedError if the given events cannot be written to or read back from the store
         */
        public void thenState(Consumer<? super A> check) {
            check.accept(fixture.afterGiven(events));
        }
    }

    /**
     * A scenario's past and command, waiting for its expectation.
     *
     * @param <A> the aggregate class
     * @param <E> its events
     */
    public static final class When<A extends AggregateRoot<E>, E> {
        private final AggregateRootFixture<A, E> fixture;
        private final List<E> given;
        private final Consumer<? super A> command;

        private When(AggregateRootFixture<A, E> fixture, List<E> given, Consumer<? super A> command) {
            this.fixture = fixture;
            this.given = given;
            this.command = command;
        }

        /**
         * Checks that the command is accepted and raises exactly these events, in this order (read back
         * from the store, after {@link AggregateRootFixture#onStore}). No events is the same as {@link #thenNothing()}.
         *
         * @throws AssertionFailedError if the command is rejected or raises other events; the message
         *     shows expected and actual side by side and marks the first difference
         */
        @SafeVarargs
        @SuppressWarnings("varargs") // the array is only copied into a list, never stored or exposed
        public final void then(E... expected) {
            then(List.of(expected));
        }

        /**
         * Checks that the command is accepted and raises exactly these events, in this order.
         *
         * @throws AssertionFailedError if the command is rejected or raises other events
         */
        public void then(List<? extends E> expected) {
            Run<E, A> run = fixture.run(given, command);
            Verdicts.events(run.scenario(), List.copyOf(expected), run.result());
        }

        /**
         * Checks that the command is accepted and changes nothing: it raises no events.
         *
         * @throws AssertionFailedError if the command is rejected or raises events
         */
        public void thenNothing() {
            then(List.of());
        }

        /**
         * Checks that the command is rejected with a {@link RuleViolation} of this rule and message.
         *
         * @throws AssertionFailedError if the command is accepted, or rejected with another rule or message
         */
        public void thenRejected(String rule, String message) {
            Run<E, A> run = fixture.run(given, command);
            Verdicts.rejected(run.scenario(), rule, message, run.result());
        }

        /**
         * Checks that the command is accepted, then runs {@code check} on the aggregate afterwards, as a
         * load after saving would give it: a new aggregate with the given and the raised events applied
         * (loaded from the store, after {@link AggregateRootFixture#onStore}). Its assertions fail the test as they are.
         *
         * @throws AssertionFailedError if the command is rejected
         */
        public void thenState(Consumer<? super A> check) {
            Run<E, A> run = fixture.run(given, command);
            Verdicts.accepted(run.scenario(), run.result(), "a state after it");
            check.accept(run.state().get());
        }
    }

    private Run<E, A> run(List<E> given, Consumer<? super A> command) {
        if (store.isEmpty()) {
            Scenario scenario = new Scenario(given, Optional.empty(), Optional.empty());
            A aggregate = factory.get();
            Replay.apply(aggregate, given);
            try {
                command.accept(aggregate);
            } catch (RuleViolation violation) {
                return new Run<>(scenario, new Result.Rejected<>(violation), () -> aggregate);
            }
            List<E> events = aggregate.uncommittedEvents();
            // the aggregate as it would load after a save (at its new version, nothing uncommitted), as
            // the store path shows it
            List<E> all = new ArrayList<>(given);
            all.addAll(events);
            return new Run<>(scenario, new Result.Accepted<>(events, events), () -> afterGiven(all));
        }
        StorePath<E> path = store.get();
        AggregateRootRepository<A, E> repository = repository(path);
        String id = path.newId();
        String stream = repository.streamOf(id);
        Scenario scenario = new Scenario(given, Optional.empty(), Optional.of(stream));
        path.appendGiven(scenario, stream, given);
        Outcome<E> outcome;
        try {
            outcome = repository.update(id, command, path.metadata(), ConflictRetry.NONE);
        } catch (RuleViolation violation) {
            return new Run<>(
                    scenario,
                    new Result.Rejected<>(violation),
                    () -> load(scenario, repository, id, "the given events"));
        } catch (EventDeserializationException e) {
            throw Verdicts.broken(scenario, "the given events do not read back from the store", e);
        }
        List<E> readBack;
        try {
            readBack = path.readFrom(stream, given.size());
        } catch (EventDeserializationException e) {
            throw Verdicts.broken(scenario, "the events the command raised do not read back from the store", e);
        }
        return new Run<>(
                scenario,
                new Result.Accepted<>(readBack, outcome.events()),
                () -> load(scenario, repository, id, "the events"));
    }

    /** The aggregate after the given events alone. */
    private A afterGiven(List<E> given) {
        if (store.isEmpty()) {
            A aggregate = factory.get();
            Replay.apply(aggregate, given);
            return aggregate;
        }
        StorePath<E> path = store.get();
        AggregateRootRepository<A, E> repository = repository(path);
        String id = path.newId();
        Scenario scenario = new Scenario(given, Optional.empty(), Optional.of(repository.streamOf(id)));
        path.appendGiven(scenario, repository.streamOf(id), given);
        return load(scenario, repository, id, "the given events");
    }

    private AggregateRootRepository<A, E> repository(StorePath<E> path) {
        return AggregateRootRepository.builder(
                        path.store(), path.serializer(), StorePath.CATEGORY, factory, path.eventType())
                .build();
    }

    private static <A extends AggregateRoot<E>, E> A load(
            Scenario scenario, AggregateRootRepository<A, E> repository, String id, String which) {
        try {
            return repository.load(id);
        } catch (EventDeserializationException e) {
            throw Verdicts.broken(scenario, which + " do not read back from the store", e);
        }
    }
}
