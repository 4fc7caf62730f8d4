package io.factum.core.command;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Middleware that measures, traces and logs every command. */
public final class Observability {

    private static final Logger LOG = LoggerFactory.getLogger("io.factum.commands");

    private Observability() {}

    /**
     * Micrometer timers {@code factum.commands} tagged with the command type and the outcome ({@code
     * accepted}, {@code rejected}, {@code invalid}, {@code forbidden}, {@code conflict}, {@code duplicate}
     * or {@code failed}); a timer also counts.
     */
    public static Middleware metrics(MeterRegistry registry) {
        return (command, context, next) -> {
            long start = System.nanoTime();
            String outcome = "failed";
            try {
                CommandResult result = next.proceed(command, context);
                outcome = result.outcome();
                return result;
            } finally {
                Timer.builder("factum.commands")
                        .description("commands handled, by type and outcome")
                        .tag("command", command.getClass().getSimpleName())
                        .tag("outcome", outcome)
                        .register(registry)
                        .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            }
        };
    }

    /** The hook a tracing library plugs into: wraps the handling of one command in a span. */
    @FunctionalInterface
    public interface Tracer {
        CommandResult inSpan(String name, CommandContext context, Supplier<CommandResult> work);
    }

    /** Middleware that runs every command inside a span named {@code command <Type>}. */
    public static Middleware tracing(Tracer tracer) {
        return (command, context, next) -> tracer.inSpan(
                "command " + command.getClass().getSimpleName(), context, () -> next.proceed(command, context));
    }

    /**
     * Middleware that puts the correlation and command ids in the SLF4J MDC ({@code correlationId},
     * {@code commandId}) while the command runs and logs its outcome: debug for accepted, info for
     * refused, warn for failures.
     */
    @SuppressWarnings("try") // the MDC entries are closed by the try, not used in it
    public static Middleware logging() {
        return (command, context, next) -> {
            String type = command.getClass().getSimpleName();
            try (var correlation = MDC.putCloseable(
                            "correlationId", context.correlationId().toString());
                    var id = MDC.putCloseable("commandId", context.commandId().toString())) {
                CommandResult result;
                try {
                    result = next.proceed(command, context);
                } catch (RuntimeException e) {
                    LOG.warn("command {} failed: {}", type, e.toString());
                    throw e;
                }
                switch (result) {
                    case CommandResult.Accepted accepted ->
                        LOG.debug(
                                "command {} accepted: {} at version {}", type, accepted.streamId(), accepted.version());
                    case CommandResult.Rejected rejected ->
                        LOG.info("command {} rejected by rule {}: {}", type, rejected.rule(), rejected.message());
                    default -> LOG.info("command {}: {}", type, result);
                }
                return result;
            }
        };
    }
}
