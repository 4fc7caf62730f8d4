package io.factum.core.process;

import io.factum.core.serialization.Envelope;

/**
 * How a process manager reacts to an event of its instance: the new state, after asking for commands and
 * deadlines through {@code actions}. Must be a pure function of its inputs (no I/O): the runtime may call it
 * again for the same event after a crash.
 *
 * @param <S> the state
 * @param <E> the events
 */
@FunctionalInterface
public interface Reaction<S, E> {
    S react(S state, Envelope<E> event, ProcessActions actions);
}
