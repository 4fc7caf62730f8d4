package io.factum.core.command;

/**
 * The middleware that makes commands idempotent by their id: a command whose id has a remembered result
 * is answered with that result (marked as a duplicate) and not run again.
 *
 * <p>Two runs of one id at the very same moment can both pass the check; for deciders, the second then
 * usually fails its append with a version conflict. Put this middleware after validation and
 * authorization, so refused commands are not remembered.
 */
public final class Deduplication {

    private Deduplication() {}

    /** Middleware that answers retries from {@code log} and remembers accepted and rejected results. */
    public static Middleware middleware(CommandLog log) {
        return (command, context, next) -> {
            var remembered = log.find(context.commandId());
            if (remembered.isPresent()) {
                return switch (remembered.get()) {
                    case CommandResult.Accepted accepted -> accepted.asDuplicate();
                    case CommandResult.Rejected rejected -> rejected.asDuplicate();
                    default -> remembered.get();
                };
            }
            CommandResult result = next.proceed(command, context);
            if (result instanceof CommandResult.Accepted || result instanceof CommandResult.Rejected) {
                log.record(result);
            }
            return result;
        };
    }
}
