package io.factum.core.command;

import java.util.Optional;

/** The hook that decides whether a sender may send a command. */
@FunctionalInterface
public interface Authorization {

    /** Why the command is refused, or empty if it may run. */
    Optional<String> deny(Object command, CommandContext context);

    /** Middleware that answers {@link CommandResult.Forbidden} when this authorization denies a command. */
    default Middleware middleware() {
        return (command, context, next) -> deny(command, context)
                .<CommandResult>map(reason -> new CommandResult.Forbidden(context.commandId(), reason))
                .orElseGet(() -> next.proceed(command, context));
    }
}
