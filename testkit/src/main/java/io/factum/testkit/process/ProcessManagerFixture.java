package io.factum.testkit.process;

import io.factum.core.AppendResult;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StoreOptions;
import io.factum.core.command.CommandBus;
import io.factum.core.command.CommandHandler;
import io.factum.core.command.NoHandlerException;
import io.factum.core.process.Deadline;
import io.factum.core.process.DeadlineStore;
import io.factum.core.process.ProcessManager;
import io.factum.core.serialization.EventMetadata;
import io.factum.core.serialization.EventSerializer;
import io.factum.testkit.TestClock;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.opentest4j.AssertionFailedError;

/**
 * Given-when-then scenarios for a {@link ProcessManager}: given events, then the commands it sent and the
 * deadlines it scheduled; when time passes, then the commands its deadlines sent.
 *
 * <pre>{@code
 * ProcessManagerFixture.of(serializer, OrderCommand.class, (store, events, bus, deadlines, clock) ->
 *                 OrderProcess.builder().wiring(store, events, bus, deadlines).clock(clock).build())
 *         .given("order-1", new OrderConfirmed("1", 100))
 *         .thenSent(new RequestPayment("1", 100))
 *         .thenScheduled("payment-timeout", Duration.ofMinutes(15))
 *         .whenTimePasses(Duration.ofMinutes(15))
 *         .thenSent(new CancelOrder("1"))
 *         .thenNoDeadlines();
 * }</pre>
 *
 * <p>The fixture wires a real process manager: an in-memory {@link EventStore} on the fixture's clock
 * (the given events are appended to it and its states are kept in it), an in-memory {@link
 * DeadlineStore}, a {@link TestClock} standing at 2026-01-01T00:00:00Z until {@link #whenTimePasses}
 * moves it, and a {@link CommandBus} whose handlers record each command instead of carrying it out and
 * answer {@code Accepted}. The bus knows only the command types named to {@code of} (a class, or a sealed
 * interface standing for all its records); a command of another type fails the scenario, naming it.
 *
 * <p>Each given event is appended, read back and handled at once, as a subscription would deliver it. A
 * fixture is a scenario that runs step by step: it is not thread-safe, and one fixture is one scenario. A
 * failed expectation throws an {@link AssertionFailedError} showing expected and actual side by side (and
 * carrying both, for an IDE's diff), followed by everything that happened so far.
 *
 * @param <S> the process state
 * @param <E> the events it reacts to
 */
public final class ProcessManagerFixture<S, E> {

    /** The most deadlines one {@link #whenTimePasses} fires: more means a deadline reschedules itself. */
    private static final int MAX_FIRED = 10_000;

    /**
     * Builds the process manager under test with the fixture's wiring: pass all of it to {@link
     * ProcessManager.Builder#wiring} and the clock to {@link ProcessManager.Builder#clock}.
     *
     * @param <S> the process state
     * @param <E> the events it reacts to
     */
    @FunctionalInterface
    public interface Factory<S, E> {

        /** The process manager, built on the given store, serializer, bus, deadline store and clock. */
        ProcessManager<S, E> build(
                EventStore store, EventSerializer serializer, CommandBus bus, DeadlineStore deadlines, Clock clock);
    }

    private final TestClock clock = TestClock.standard();
    private final EventStore store = EventStore.inMemory(StoreOptions.defaults().withClock(clock));
    private final DeadlineStore deadlines = DeadlineStore.inMemory();
    private final EventSerializer serializer;
    private final ProcessManager<S, E> process;
    private final List<Object> sent = new ArrayList<>();
    private final List<RecordedEvent> given = new ArrayList<>();
    private final Map<String, Long> versions = new HashMap<>();
    private final History history = new History();
    private int checked;

    private ProcessManagerFixture(EventSerializer serializer, Set<Class<?>> commandTypes, Factory<S, E> factory) {
        this.serializer = serializer;
        CommandBus.Builder bus = CommandBus.builder();
        CommandHandler<Object> recording = (command, context) -> sent.add(command);
        for (Class<?> type : commandTypes) {
            bus.handle(type, recording);
        }
        this.process = Objects.requireNonNull(
                factory.build(store, serializer, bus.build(), deadlines, clock), "the factory's process manager");
    }

    /**
     * A scenario for the process manager {@code factory} builds, whose commands are of {@code commandType}.
     *
     * @param serializer the application's serializer, with every given event's class registered
     * @param commandType the command class, or a sealed interface whose permitted classes (recursively)
     *     are the commands
     * @throws IllegalArgumentException if {@code commandType} is an interface or abstract class that is
     *     not sealed
     */
    public static <S, E> ProcessManagerFixture<S, E> of(
            EventSerializer serializer, Class<?> commandType, Factory<S, E> factory) {
        return of(serializer, List.of(commandType), factory);
    }

    /**
     * A scenario for the process manager {@code factory} builds, whose commands are of {@code commandTypes}.
     *
     * @param serializer the application's serializer, with every given event's class registered
     * @param commandTypes command classes, or sealed interfaces standing for their permitted classes
     * @throws IllegalArgumentException if a command type is an interface or abstract class that is not
     *     sealed, or no command type is given
     */
    public static <S, E> ProcessManagerFixture<S, E> of(
            EventSerializer serializer, List<Class<?>> commandTypes, Factory<S, E> factory) {
        Objects.requireNonNull(serializer, "serializer");
        Objects.requireNonNull(factory, "factory");
        if (commandTypes.isEmpty()) {
            throw new IllegalArgumentException(
                    "name the process manager's command types (a class or a sealed interface), got none");
        }
        Set<Class<?>> concrete = new LinkedHashSet<>();
        for (Class<?> type : commandTypes) {
            addConcrete(type, concrete);
        }
        return new ProcessManagerFixture<>(serializer, concrete, factory);
    }

    /**
     * A scenario for the process manager {@code builder} makes: the fixture gives it its wiring and clock
     * and builds it. The builder must not be used again.
     *
     * @param commandType the command class, or a sealed interface whose permitted classes are the commands
     * @throws IllegalArgumentException if {@code commandType} is an interface or abstract class that is
     *     not sealed
     */
    public static <S, E> ProcessManagerFixture<S, E> of(
            EventSerializer serializer, Class<?> commandType, ProcessManager.Builder<S, E> builder) {
        Objects.requireNonNull(builder, "builder");
        return of(serializer, commandType, (store, events, bus, deadlines, clock) -> builder.wiring(
                        store, events, bus, deadlines)
                .clock(clock)
                .build());
    }

    private static void addConcrete(Class<?> type, Set<Class<?>> into) {
        if (type.isSealed()) {
            for (Class<?> permitted : type.getPermittedSubclasses()) {
                addConcrete(permitted, into);
            }
        } else if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
            throw new IllegalArgumentException("command type " + type.getName() + " is an interface or abstract"
                    + " class that is not sealed, so its commands cannot be known; name the command classes");
        } else {
            into.add(type);
        }
    }

    /**
     * Appends {@code events} to stream {@code streamId} and has the process manager handle each, in order,
     * as its subscription would. Repeatable: later events of a stream continue its versions.
     *
     * @throws AssertionFailedError if the process manager fails on an event, or sends a command of a type
     *     not named to {@code of}
     * @throws io.factum.core.serialization.EventDeserializationException if an event's class is not
     *     registered with the serializer (from the serializer, unchanged)
     */
    public ProcessManagerFixture<S, E> given(String streamId, Object... events) {
        for (Object event : events) {
            // ids derived from stream and version keep the command ids the process derives reproducible
            long version = versions.merge(streamId, 0L, (old, zero) -> old + 1);
            UUID id = UUID.nameUUIDFromBytes(
                    ("given\u0000" + streamId + "\u0000" + version).getBytes(StandardCharsets.UTF_8));
            AppendResult appended = store.append(
                    streamId,
                    ExpectedVersion.any(),
                    serializer.serialize(event, id, EventMetadata.startingWith(id, clock.instant())));
            RecordedEvent recorded = store.readStream(streamId, ReadDirection.FORWARD, appended.streamVersion(), 1)
                    .events()
                    .get(0);
            String step = streamId + "@" + recorded.streamVersion() + "  " + event;
            history.add(step);
            given.add(recorded);
            handle(recorded, step);
        }
        return this;
    }

    /**
     * Moves the clock forward by {@code duration} and fires every deadline that falls due meanwhile, in
     * the order they are due: the clock stands at each deadline's time while it fires (so a deadline
     * scheduled by a firing deadline fires too, if it is due before the end), then at now + {@code
     * duration}. Deadlines are handed to {@link ProcessManager#fire} directly, not through a {@link
     * io.factum.core.process.DeadlineScheduler}, so that a failure fails the scenario instead of being
     * logged and retried.
     *
     * @throws AssertionFailedError if the process manager fails on a deadline, or its deadlines keep
     *     rescheduling themselves for the same moment
     * @throws IllegalArgumentException if {@code duration} is negative
     */
    public ProcessManagerFixture<S, E> whenTimePasses(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("time passes forward only, got " + duration);
        }
        Instant end = clock.instant().plus(duration);
        history.add(duration + " passed, until " + end);
        int fired = 0;
        while (true) {
            Optional<Deadline> next = deadlines.pending(process.name()).stream().findFirst();
            if (next.isEmpty() || next.get().dueAt().isAfter(end)) {
                break;
            }
            Deadline deadline = next.get();
            if (++fired > MAX_FIRED) {
                throw history.failure(
                        "more than " + MAX_FIRED + " deadlines fell due in " + duration + "; the last, "
                                + describe(deadline) + ", looks like it reschedules itself for the same moment",
                        null,
                        null,
                        null);
            }
            if (deadline.dueAt().isAfter(clock.instant())) {
                clock.set(deadline.dueAt());
            }
            String step =
                    "deadline " + deadline.name() + " of " + deadline.correlationId() + " fired at " + clock.instant();
            history.add(step);
            try {
                process.fire(deadline);
            } catch (NoHandlerException e) {
                throw unknownCommand(e, step);
            } catch (RuntimeException e) {
                throw history.failure("process " + process.name() + " failed on " + step + ": " + e, null, null, e);
            }
        }
        clock.set(end);
        return this;
    }

    /**
     * Checks that the commands sent since the last {@code thenSent} or {@link #thenNothingSent} (or since
     * the start) are exactly {@code expected}, in this order, compared by {@code equals}.
     *
     * @throws AssertionFailedError if other commands were sent; expected and actual side by side
     */
    public ProcessManagerFixture<S, E> thenSent(Object... expected) {
        List<Object> wanted = List.of(expected);
        List<Object> actual = List.copyOf(sent.subList(checked, sent.size()));
        checked = sent.size();
        int difference = History.firstDifference(wanted, actual);
        if (difference < 0) {
            return this;
        }
        String message;
        if (actual.isEmpty()) {
            message = "the process sent no commands, but these were expected:\n" + History.numbered(wanted, "   ");
        } else if (wanted.isEmpty()) {
            message = "the process was expected to send nothing, but it sent:\n" + History.numbered(actual, "   ");
        } else {
            message = "the process sent other commands than expected; first difference at #" + (difference + 1) + "\n"
                    + History.table(wanted, actual, difference);
        }
        throw history.failure(
                message, History.listing(wanted, "no commands"), History.listing(actual, "no commands"), null);
    }

    /**
     * Checks that no command was sent since the last {@link #thenSent} or {@code thenNothingSent}.
     *
     * @throws AssertionFailedError if one was
     */
    public ProcessManagerFixture<S, E> thenNothingSent() {
        return thenSent();
    }

    /**
     * Checks that a deadline named {@code deadlineName} is pending (for any instance), due {@code fromNow}
     * after the fixture's clock (to the microsecond, as deadlines are kept).
     *
     * @throws AssertionFailedError if none is pending, or it is due at another time
     */
    public ProcessManagerFixture<S, E> thenScheduled(String deadlineName, Duration fromNow) {
        Instant due = clock.instant().plus(fromNow).truncatedTo(ChronoUnit.MICROS);
        List<Deadline> pending = deadlines.pending(process.name());
        List<Deadline> named =
                pending.stream().filter(d -> d.name().equals(deadlineName)).toList();
        if (named.stream().anyMatch(d -> d.dueAt().equals(due))) {
            return this;
        }
        String wanted = deadlineName + " due " + due + " (in " + fromNow + ")";
        String message = named.isEmpty()
                ? "expected the deadline " + wanted + ", but no deadline " + deadlineName + " is pending"
                : "expected the deadline " + wanted + ", but it is due at another time";
        throw history.failure(message + "\n  pending: " + describe(pending), wanted, describeLines(pending), null);
    }

    /**
     * Checks that no deadline named {@code deadlineName} is pending, for any instance.
     *
     * @throws AssertionFailedError if one is
     */
    public ProcessManagerFixture<S, E> thenNotScheduled(String deadlineName) {
        List<Deadline> pending = deadlines.pending(process.name());
        if (pending.stream().anyMatch(d -> d.name().equals(deadlineName))) {
            throw history.failure(
                    "expected no deadline " + deadlineName + " to be pending, but it is\n  pending: "
                            + describe(pending),
                    null,
                    null,
                    null);
        }
        return this;
    }

    /**
     * Checks that the process manager has no pending deadlines.
     *
     * @throws AssertionFailedError if it has
     */
    public ProcessManagerFixture<S, E> thenNoDeadlines() {
        List<Deadline> pending = deadlines.pending(process.name());
        if (!pending.isEmpty()) {
            throw history.failure(
                    "expected no pending deadlines, but there are:\n  pending: " + describe(pending),
                    "no deadlines",
                    describeLines(pending),
                    null);
        }
        return this;
    }

    /**
     * Checks the state of the instance {@code correlationId}, as the process manager loads it.
     *
     * @throws AssertionFailedError if it differs, or the instance has handled nothing yet
     */
    public ProcessManagerFixture<S, E> thenState(String correlationId, S expected) {
        Optional<S> actual = process.state(correlationId);
        if (actual.isEmpty()) {
            throw history.failure(
                    "the instance " + correlationId + " has handled nothing, so it has no state; expected: " + expected,
                    expected,
                    "no state",
                    null);
        }
        if (!actual.get().equals(expected)) {
            throw history.failure(
                    "the state of instance " + correlationId + " is not as expected\n  expected: " + expected
                            + "\n  actual:   " + actual.get(),
                    expected,
                    actual.get(),
                    null);
        }
        return this;
    }

    /**
     * Checks that the instance {@code correlationId} completed.
     *
     * @throws AssertionFailedError if it did not
     */
    public ProcessManagerFixture<S, E> thenCompleted(String correlationId) {
        if (!process.completed(correlationId)) {
            throw history.failure(
                    "expected instance " + correlationId + " to be completed, but it is "
                            + process.state(correlationId)
                                    .map(state -> "still running in state " + state)
                                    .orElse("not started"),
                    null,
                    null,
                    null);
        }
        return this;
    }

    /**
     * Has the process manager handle every event given so far once more, in order, as a subscription
     * does after a crash, and checks that this sends no command and changes no deadline.
     *
     * @throws AssertionFailedError if a command was sent or a deadline changed
     */
    public ProcessManagerFixture<S, E> thenIdempotent() {
        int before = sent.size();
        List<Deadline> pending = deadlines.pending(process.name());
        history.add("every event given was delivered again");
        for (RecordedEvent recorded : given) {
            handle(recorded, "the redelivered " + recorded.streamId() + "@" + recorded.streamVersion());
        }
        List<Object> again = List.copyOf(sent.subList(before, sent.size()));
        if (!again.isEmpty()) {
            throw history.failure(
                    "the process sent commands again when the events were delivered again; it must recognise"
                            + " an event it handled:\n" + History.numbered(again, "   "),
                    "no commands",
                    History.listing(again, "no commands"),
                    null);
        }
        List<Deadline> after = deadlines.pending(process.name());
        if (!after.equals(pending)) {
            throw history.failure(
                    "the deadlines changed when the events were delivered again\n  before: " + describe(pending)
                            + "\n  after:  " + describe(after),
                    describeLines(pending),
                    describeLines(after),
                    null);
        }
        return this;
    }

    /** The process manager under test. */
    public ProcessManager<S, E> processManager() {
        return process;
    }

    /** Every command the process manager sent since the start, in order. */
    public List<Object> sent() {
        return List.copyOf(sent);
    }

    /** The pending deadlines of the process manager, earliest first. */
    public List<Deadline> deadlines() {
        return deadlines.pending(process.name());
    }

    /** The fixture's clock; {@link #whenTimePasses} moves it. */
    public TestClock clock() {
        return clock;
    }

    private void handle(RecordedEvent recorded, String step) {
        try {
            process.handle(recorded);
        } catch (NoHandlerException e) {
            throw unknownCommand(e, step);
        } catch (RuntimeException e) {
            throw history.failure("process " + process.name() + " failed on " + step + ": " + e, null, null, e);
        }
    }

    private AssertionFailedError unknownCommand(NoHandlerException e, String step) {
        return history.failure(
                "on " + step + " the process sent a " + e.commandType().getName() + ", which is not one of the"
                        + " command types named to ProcessManagerFixture.of; name it (or its sealed interface)",
                null,
                null,
                e);
    }

    private String describe(Deadline deadline) {
        return deadline.name() + " of " + deadline.correlationId() + " due " + deadline.dueAt() + " (in "
                + Duration.between(clock.instant(), deadline.dueAt()) + ")";
    }

    private String describe(List<Deadline> pending) {
        return pending.isEmpty()
                ? "none"
                : String.join(", ", pending.stream().map(this::describe).toList());
    }

    private String describeLines(List<Deadline> pending) {
        return History.listing(pending.stream().map(this::describe).toList(), "no deadlines");
    }
}
