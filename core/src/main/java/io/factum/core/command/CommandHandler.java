package io.factum.core.command;

import io.factum.core.aggregate.AggregateRoot;
import io.factum.core.aggregate.AggregateRootRepository;
import io.factum.core.aggregate.ConflictRetry;
import io.factum.core.aggregate.DeciderRepository;
import io.factum.core.aggregate.Outcome;
import java.time.Instant;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Carries out one type of command, usually by loading an aggregate, deciding, and saving. It throws
 * {@link io.factum.core.aggregate.RuleViolation} to reject the command; the bus turns that and version
 * conflicts into {@link CommandResult}s.
 *
 * @param <C> the command type
 */
@FunctionalInterface
public interface CommandHandler<C> {

    /** Carries out the command; returns what it did to which aggregate. */
    Outcome<?> handle(C command, CommandContext context);

    /**
     * A handler that sends the command to the decider aggregate {@code idOf(command)}; a version conflict
     * reaches the caller (the command is not decided again).
     */
    static <C, E, S> CommandHandler<C> decide(
            DeciderRepository<? super C, E, S> repository, Function<? super C, String> idOf) {
        return decide(repository, idOf, ConflictRetry.NONE);
    }

    /**
     * A handler that sends the command to the decider aggregate {@code idOf(command)}.
     *
     * @param retry whether the command is safe to decide again on newer state after a conflict
     */
    static <C, E, S> CommandHandler<C> decide(
            DeciderRepository<? super C, E, S> repository, Function<? super C, String> idOf, ConflictRetry retry) {
        // the repository stamps the events' occurred-at time with its own clock
        return (command, context) ->
                repository.handle(idOf.apply(command), command, context.eventMetadata(Instant.EPOCH), retry);
    }

    /** A handler that runs {@code action} on the classic aggregate {@code idOf(command)} and saves it. */
    static <C, A extends AggregateRoot<E>, E> CommandHandler<C> update(
            AggregateRootRepository<A, E> repository,
            Function<? super C, String> idOf,
            BiConsumer<? super A, ? super C> action,
            ConflictRetry retry) {
        return (command, context) -> repository.update(
                idOf.apply(command),
                aggregate -> action.accept(aggregate, command),
                context.eventMetadata(Instant.EPOCH),
                retry);
    }
}
