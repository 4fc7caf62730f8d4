package io.factum.core.aggregate;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * A functional aggregate: three plain functions of the user's own types, wired by method reference.
 *
 * <pre>{@code
 * Decider<AccountCommand, AccountEvent, Account> account =
 *         Decider.of(Account::initial, Account::decide, Account::evolve);
 * }</pre>
 *
 * <p>{@code decide} checks the business rules against the current state and returns the events that
 * follow (none if nothing changes); it throws {@link RuleViolation}, or an exception of the domain's own
 * that the command bus is told to treat as one ({@code CommandBus.Builder.rejection}), to reject the
 * command: the domain code then needs no Factum import at all. {@code evolve} applies one event to the
 * state and never fails. Neither does I/O.
 *
 * @param initialState the state before the first event
 * @param decide what a command produces in a state
 * @param evolve the state after an event
 * @param <C> the commands
 * @param <E> the events
 * @param <S> the state
 */
public record Decider<C, E, S>(
        Supplier<S> initialState,
        BiFunction<? super C, ? super S, ? extends List<? extends E>> decide,
        BiFunction<? super S, ? super E, ? extends S> evolve) {

    /** A decider from three functions. */
    public static <C, E, S> Decider<C, E, S> of(
            Supplier<S> initialState,
            BiFunction<? super C, ? super S, ? extends List<? extends E>> decide,
            BiFunction<? super S, ? super E, ? extends S> evolve) {
        return new Decider<>(initialState, decide, evolve);
    }

    /** The state after the events, starting from {@code state}. */
    public S fold(S state, Iterable<? extends E> events) {
        S current = state;
        for (E event : events) {
            current = evolve(current, event);
        }
        return current;
    }

    /** The state after one event: {@code evolve} applied. */
    public S evolve(S state, E event) {
        return evolve.apply(state, event);
    }

    /** The events a command produces in a state, as an unmodifiable list. */
    public List<E> decide(C command, S state) {
        return List.copyOf(decide.apply(command, state));
    }
}
