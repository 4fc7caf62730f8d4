package io.factum.core.command;

import java.util.Set;

/**
 * Middleware that makes the commands of handlers that write no events idempotent by their id, with a
 * {@link CommandLog}: a command whose id has a remembered result is answered with that result (marked as a
 * duplicate) and not run again.
 *
 * <p>Commands handled by a repository need none of this: their id decides the ids of the events they
 * append, so the store's idempotent append deduplicates them atomically with their events, at no extra
 * write (see {@link CommandHandler#decide}). A log is for the others, such as a handler that calls another
 * system and records nothing: name their command types, and only those pay for a lookup and a write.
 *
 * <p>The lookup and the record are two steps around the handler: two runs of one id at the very same
 * moment can both pass the check, and a crash between the handler and the record runs the handler again on
 * a retry. Put this middleware after validation and authorization, so refused commands are not remembered.
 */
public final class Deduplication {

    private Deduplication() {}

    /**
     * Middleware that answers retries of the given command types from {@code log} and remembers their
     * accepted and rejected results; other commands pass through untouched.
     *
     * @param commandTypes the command classes whose handlers write no events (at least one)
     * @throws IllegalArgumentException if no command type is given
     */
    public static Middleware middleware(CommandLog log, Class<?>... commandTypes) {
        if (commandTypes.length == 0) {
            throw new IllegalArgumentException("name the command types whose handlers write no events;"
                    + " commands handled by a repository are deduplicated by their events' ids and need no log");
        }
        Set<Class<?>> logged = Set.of(commandTypes);
        return (command, context, next) -> {
            if (!logged.contains(command.getClass())) {
                return next.proceed(command, context);
            }
            var remembered = log.find(context.commandId());
            if (remembered.isPresent()) {
                return switch (remembered.get()) {
                    case CommandResult.Accepted accepted -> accepted.asDuplicate();
                    case CommandResult.Completed completed -> completed.asDuplicate();
                    case CommandResult.Rejected rejected -> rejected.asDuplicate();
                    default -> remembered.get();
                };
            }
            CommandResult result = next.proceed(command, context);
            if (result instanceof CommandResult.Accepted
                    || result instanceof CommandResult.Completed
                    || result instanceof CommandResult.Rejected) {
                log.record(result);
            }
            return result;
        };
    }
}
