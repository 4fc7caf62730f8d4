package io.factum.core.command;

import io.factum.core.aggregate.AggregateRoot;
import io.factum.core.aggregate.AggregateRootRepository;
import io.factum.core.aggregate.ConflictRetry;
import io.factum.core.aggregate.DcbRepository;
import io.factum.core.aggregate.DeciderRepository;
import io.factum.core.aggregate.Outcome;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Carries out one type of command, usually by loading an aggregate, deciding, and saving. It throws
 * {@link io.factum.core.aggregate.RuleViolation} (or an exception the bus is told is a rejection, {@link
 * CommandBus.Builder#rejection}) to reject the command; the bus turns that and version conflicts into
 * {@link CommandResult}s.
 *
 * @param <C> the command type
 */
@FunctionalInterface
public interface CommandHandler<C> {

    /**
     * Carries out the command.
     *
     * @return what it did to which aggregate (an {@link Outcome}, answered as {@link CommandResult.Accepted}),
     *     or a plain result of the handler's own when it touched no aggregate (answered as {@link
     *     CommandResult.Completed}; null for none)
     */
    @Nullable
    Object handle(C command, CommandContext context);

    /**
     * A handler that sends the command to the decider aggregate {@code idOf(command)}; a version conflict
     * reaches the caller (the command is not decided again).
     */
    static <C, E, S> CommandHandler<C> decide(
            DeciderRepository<? super C, E, S> repository, Function<? super C, String> idOf) {
        return decide(repository, idOf, ConflictRetry.NONE);
    }

    /**
     * A handler that sends the command to the decider aggregate {@code idOf(command)}. When the context
     * carries an expected version ({@link CommandContext#withExpectedVersion}), the command is decided only
     * at that version and a conflict is never retried; otherwise a conflict is decided again as {@code
     * retry} allows. The command's id decides its events' ids, so a retried command whose events are stored
     * is answered with its first result ({@link DeciderRepository#handle}).
     *
     * @param retry whether the command is safe to decide again on newer state after a conflict
     */
    static <C, E, S> CommandHandler<C> decide(
            DeciderRepository<? super C, E, S> repository, Function<? super C, String> idOf, ConflictRetry retry) {
        // the repository stamps the events' occurred-at time again with its clock at each decision
        return (command, context) -> {
            var metadata = context.eventMetadata(repository.clock().instant());
            return context.expectedVersion()
                    .map(expected -> repository.handle(idOf.apply(command), command, metadata, expected))
                    .orElseGet(() -> repository.handle(idOf.apply(command), command, metadata, retry));
        };
    }

    /**
     * A handler that decides the command across streams with a {@link DcbRepository}: on the state of the
     * command's query, appended on the condition that nothing matching the query came since; a lost race is
     * decided again as {@code retry} allows. An expected version in the context does not apply (there is no
     * one stream to expect it of).
     */
    static <C, E, S> CommandHandler<C> decide(DcbRepository<C, E, S> repository, ConflictRetry retry) {
        return (command, context) -> repository.handle(
                command, context.eventMetadata(repository.clock().instant()), retry);
    }

    /**
     * A handler that runs {@code action} on the classic aggregate {@code idOf(command)} and saves it, at
     * the context's expected version if it carries one (see {@link #decide(DeciderRepository, Function,
     * ConflictRetry)}).
     */
    static <C, A extends AggregateRoot<E>, E> CommandHandler<C> update(
            AggregateRootRepository<A, E> repository,
            Function<? super C, String> idOf,
            BiConsumer<? super A, ? super C> action,
            ConflictRetry retry) {
        return (command, context) -> {
            Consumer<A> run = aggregate -> action.accept(aggregate, command);
            var metadata = context.eventMetadata(repository.clock().instant());
            return context.expectedVersion()
                    .map(expected -> repository.update(idOf.apply(command), run, metadata, expected))
                    .orElseGet(() -> repository.update(idOf.apply(command), run, metadata, retry));
        };
    }
}
