package io.factum.testkit.aggregate;

import io.factum.core.EventStore;
import io.factum.core.aggregate.ConflictRetry;
import io.factum.core.aggregate.Decider;
import io.factum.core.aggregate.DeciderRepository;
import io.factum.core.aggregate.Outcome;
import io.factum.core.aggregate.RuleViolation;
import io.factum.core.command.Rejections;
import io.factum.core.serialization.EventDeserializationException;
import io.factum.core.serialization.EventSerializer;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.opentest4j.AssertionFailedError;

/**
 * Given-when-then scenarios for a {@link Decider}: given past events, when a command, then the events it
 * decides, its rejection, or the state.
 *
 * <pre>{@code
 * DeciderFixture.of(Account.DECIDER)
 *         .given(new Opened("ada"), new Deposited(100))
 *         .when(new Withdraw(30))
 *         .then(new Withdrawn(30));
 * DeciderFixture.of(Account.DECIDER)
 *         .given(new Opened("ada"), new Deposited(100))
 *         .when(new Withdraw(500))
 *         .thenRejected("no-overdraft", "cannot withdraw 500 from a balance of 100");
 * }</pre>
 *
 * <p>In memory, the given events are folded with {@code evolve} and the command decided on the result.
 * After {@link DeciderFixture#onStore}, each scenario runs on a new stream of a real store through a {@link
 * DeciderRepository}: the given events are serialized and appended, the command is handled (load,
 * deserialize and upcast, decide, append), and the then-checks read the appended events back from the
 * store, so a passing scenario also proves that its events survive serialization.
 *
 * <p>Immutable and thread-safe; every then-method runs its scenario afresh.
 *
 * @param <C> the commands
 * @param <E> the events
 * @param <S> the state
 */
public final class DeciderFixture<C, E, S> {

    private final Decider<C, E, S> decider;
    private final Optional<StorePath<E>> store;
    private final Rejections rejections;

    private DeciderFixture(Decider<C, E, S> decider, Optional<StorePath<E>> store, Rejections rejections) {
        this.decider = decider;
        this.store = store;
        this.rejections = rejections;
    }

    /** A fixture that runs the decider's scenarios in memory. */
    public static <C, E, S> DeciderFixture<C, E, S> of(Decider<C, E, S> decider) {
        return new DeciderFixture<>(decider, Optional.empty(), Rejections.none());
    }

    /**
     * This fixture treating exceptions of {@code type} as rejections, as the command bus is told with
     * {@code CommandBus.Builder.rejection}: {@code thenRejected} checks their rule and message.
     */
    public <T extends RuntimeException> DeciderFixture<C, E, S> rejection(
            Class<T> type, Function<? super T, String> rule) {
        return new DeciderFixture<>(decider, store, rejections.with(type, rule));
    }

    /** {@link #rejection(Class, Function)} with the rule named after the type, as the bus names it. */
    public <T extends RuntimeException> DeciderFixture<C, E, S> rejection(Class<T> type) {
        return new DeciderFixture<>(decider, store, rejections.with(type));
    }

    /** This fixture with every rejection of {@code more}, the list the application gives its command bus. */
    public DeciderFixture<C, E, S> rejections(Rejections more) {
        return new DeciderFixture<>(decider, store, rejections.and(more));
    }

    /**
     * This fixture running its scenarios through a real store instead: each on a new stream named {@code
     * scenario-<uuid>}, so one store can be shared by many tests. The fixture does not close the store.
     *
     * @param store the store, for example {@code EventStore.inMemory()} or a store on a temporary file
     * @param serializer the application's serializer, with every event class registered
     * @param eventType the decider's event type
     */
    public DeciderFixture<C, E, S> onStore(EventStore store, EventSerializer serializer, Class<E> eventType) {
        return new DeciderFixture<>(decider, Optional.of(new StorePath<>(store, serializer, eventType)), rejections);
    }

    /** The events that happened before the command, oldest first; none for a new aggregate. */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only copied into a list, never stored or exposed
    public final Given<C, E, S> given(E... events) {
        return given(List.of(events));
    }

    /** The events that happened before the command, oldest first. */
    public Given<C, E, S> given(List<? extends E> events) {
        return new Given<>(this, List.copyOf(events));
    }

    /** A scenario with no past events; the same as {@code given().when(command)}. */
    public When<C, E, S> when(C command) {
        return new When<>(this, List.of(), command);
    }

    /**
     * The first part of a scenario: the past.
     *
     * @param <C> the commands
     * @param <E> the events
     * @param <S> the state
     */
    public static final class Given<C, E, S> {
        private final DeciderFixture<C, E, S> fixture;
        private final List<E> events;

        private Given(DeciderFixture<C, E, S> fixture, List<E> events) {
            this.fixture = fixture;
            this.events = events;
        }

        /** The command to decide after the given events. */
        public When<C, E, S> when(C command) {
            return new When<>(fixture, events, command);
        }

        /**
         * Checks the state after the given events (loaded from the store, after {@link DeciderFixture#onStore}).
         *
         * @throws AssertionFailedError if it does not equal {@code expected}, or the given events cannot
         *     be written to or read back from the store
         */
        public void thenState(S expected) {
            fixture.checkState(events, expected);
        }
    }

    /**
     * A scenario's past and command, waiting for its expectation.
     *
     * @param <C> the commands
     * @param <E> the events
     * @param <S> the state
     */
    public static final class When<C, E, S> {
        private final DeciderFixture<C, E, S> fixture;
        private final List<E> given;
        private final C command;

        private When(DeciderFixture<C, E, S> fixture, List<E> given, C command) {
            this.fixture = fixture;
            this.given = given;
            this.command = command;
        }

        /**
         * Checks that the command is accepted and decides exactly these events, in this order (read back
         * from the store, after {@link DeciderFixture#onStore}). No events is the same as {@link #thenNothing()}.
         *
         * @throws AssertionFailedError if the command is rejected or decides other events; the message
         *     shows expected and actual side by side and marks the first difference
         */
        @SafeVarargs
        @SuppressWarnings("varargs") // the array is only copied into a list, never stored or exposed
        public final void then(E... expected) {
            then(List.of(expected));
        }

        /**
         * Checks that the command is accepted and decides exactly these events, in this order.
         *
         * @throws AssertionFailedError if the command is rejected or decides other events
         */
        public void then(List<? extends E> expected) {
            Run<E, S> run = fixture.run(given, command);
            Verdicts.events(run.scenario(), List.copyOf(expected), run.result());
        }

        /**
         * Checks that the command is accepted and changes nothing: it decides no events.
         *
         * @throws AssertionFailedError if the command is rejected or decides events
         */
        public void thenNothing() {
            then(List.of());
        }

        /**
         * Checks that the command is rejected with a {@link RuleViolation} of this rule and message (or an
         * exception of a type the fixture was told is a rejection, {@link DeciderFixture#rejection}).
         *
         * @throws AssertionFailedError if the command is accepted, or rejected with another rule or message
         */
        public void thenRejected(String rule, String message) {
            Run<E, S> run = fixture.run(given, command);
            Verdicts.rejected(run.scenario(), rule, message, run.result());
        }

        /**
         * Checks that the command is accepted and the state after its events equals {@code expected}
         * (loaded from the store, after {@link DeciderFixture#onStore}).
         *
         * @throws AssertionFailedError if the command is rejected or the state differs
         */
        public void thenState(S expected) {
            Run<E, S> run = fixture.run(given, command);
            Verdicts.accepted(run.scenario(), run.result(), "a state after it");
            Verdicts.state(run.scenario(), expected, run.state().get());
        }
    }

    private Run<E, S> run(List<E> given, C command) {
        if (store.isEmpty()) {
            Scenario scenario = new Scenario(given, Optional.of(command.toString()), Optional.empty());
            S state = decider.fold(decider.initialState().get(), given);
            try {
                List<E> events = decider.decide(command, state);
                return new Run<>(scenario, new Result.Accepted<>(events, events), () -> decider.fold(state, events));
            } catch (RuntimeException e) {
                RuleViolation violation = rejections.violation(e).orElseThrow(() -> e);
                return new Run<>(scenario, new Result.Rejected<>(violation), () -> state);
            }
        }
        StorePath<E> path = store.get();
        DeciderRepository<C, E, S> repository = repository(path);
        String id = path.newId();
        String stream = repository.streamOf(id);
        Scenario scenario = new Scenario(given, Optional.of(command.toString()), Optional.of(stream));
        path.appendGiven(scenario, stream, given);
        Outcome<E> outcome;
        try {
            outcome = repository.handle(id, command, path.metadata(), ConflictRetry.NONE);
        } catch (EventDeserializationException e) {
            throw Verdicts.broken(scenario, "the given events do not read back from the store", e);
        } catch (RuntimeException e) {
            RuleViolation violation = rejections.violation(e).orElseThrow(() -> e);
            return new Run<>(
                    scenario,
                    new Result.Rejected<>(violation),
                    () -> load(scenario, repository, id, "the given events"));
        }
        List<E> readBack;
        try {
            readBack = path.readFrom(stream, given.size());
        } catch (EventDeserializationException e) {
            throw Verdicts.broken(scenario, "the events " + command + " decided do not read back from the store", e);
        }
        return new Run<>(
                scenario,
                new Result.Accepted<>(readBack, outcome.events()),
                () -> load(scenario, repository, id, "the events"));
    }

    private void checkState(List<E> given, S expected) {
        if (store.isEmpty()) {
            Scenario scenario = new Scenario(given, Optional.empty(), Optional.empty());
            Verdicts.state(
                    scenario, expected, decider.fold(decider.initialState().get(), given));
            return;
        }
        StorePath<E> path = store.get();
        DeciderRepository<C, E, S> repository = repository(path);
        String id = path.newId();
        Scenario scenario = new Scenario(given, Optional.empty(), Optional.of(repository.streamOf(id)));
        path.appendGiven(scenario, repository.streamOf(id), given);
        Verdicts.state(scenario, expected, load(scenario, repository, id, "the given events"));
    }

    private DeciderRepository<C, E, S> repository(StorePath<E> path) {
        return DeciderRepository.builder(path.store(), path.serializer(), StorePath.CATEGORY, decider, path.eventType())
                .build();
    }

    private static <C, E, S> S load(Scenario scenario, DeciderRepository<C, E, S> repository, String id, String which) {
        try {
            return repository.load(id).state();
        } catch (EventDeserializationException e) {
            throw Verdicts.broken(scenario, which + " do not read back from the store", e);
        }
    }
}
