package io.factum.core.command;

/**
 * A step around every command: it may look at the command and its context, answer by itself (refuse,
 * return a remembered result), or pass it on and look at the result. Implementations are thread-safe.
 */
@FunctionalInterface
public interface Middleware {

    /** Handles the command, usually by calling {@code next.proceed(command, context)}. */
    CommandResult handle(Object command, CommandContext context, Next next);

    /** The rest of the chain, ending at the command's handler. */
    @FunctionalInterface
    interface Next {
        CommandResult proceed(Object command, CommandContext context);
    }
}
