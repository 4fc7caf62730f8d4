package io.factum.core.process;

/**
 * How a process manager reacts when one of its deadlines is due: the new state, after asking for commands
 * and deadlines through {@code actions}. Must be free of I/O, like {@link Reaction}.
 *
 * @param <S> the state
 */
@FunctionalInterface
public interface DeadlineReaction<S> {
    S react(S state, Deadline deadline, ProcessActions actions);
}
