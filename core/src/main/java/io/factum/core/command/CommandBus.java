package io.factum.core.command;

import io.factum.core.ConcurrencyException;
import io.factum.core.aggregate.Outcome;
import io.factum.core.aggregate.RuleViolation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Sends each command to the one handler of its type, through a chain of middleware. Built once at
 * start-up with plain Java (no classpath scanning); immutable and thread-safe, and it holds no lock: commands
 * on different aggregates run side by side, on the senders' own threads.
 *
 * <p>Commands are idempotent by their id without any middleware: the repositories derive the events' ids
 * from the command id, so a retried command whose events are stored is answered with its first result
 * ({@link CommandResult.Accepted#duplicate()}), and nothing is written twice. Only handlers that write no
 * events (that call another system, say) need {@link Deduplication} with a {@link CommandLog}.
 *
 * <pre>{@code
 * CommandBus bus = CommandBus.builder()
 *         .handle(Deposit.class, CommandHandler.decide(accounts, Deposit::accountId, ConflictRetry.DEFAULT))
 *         .handle(Withdraw.class, CommandHandler.decide(accounts, Withdraw::accountId))
 *         .use(Validation.middleware(validators))
 *         .expectHandlersFor(AccountCommand.class)  // fails at start-up if a command has none
 *         .build();
 * CommandResult result = bus.send(new Deposit("42", 100), CommandContext.create());
 * }</pre>
 */
public final class CommandBus {

    private final Map<Class<?>, CommandHandler<?>> handlers;
    private final List<Middleware> middleware;
    private final Rejections rejections;

    private CommandBus(Map<Class<?>, CommandHandler<?>> handlers, List<Middleware> middleware, Rejections rejections) {
        this.handlers = Map.copyOf(handlers);
        this.middleware = List.copyOf(middleware);
        this.rejections = rejections;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Sends a command through the middleware to its handler.
     *
     * @return accepted, rejected by a rule, invalid, forbidden, or a conflict
     * @throws NoHandlerException if no handler is registered for the command's type
     * @throws RuntimeException what the store or the handler throws for failures of the system
     */
    public CommandResult send(Object command, CommandContext context) {
        if (!handlers.containsKey(command.getClass())) {
            throw new NoHandlerException(
                    command.getClass(),
                    "no handler for command " + command.getClass().getName() + "; known commands: " + known(handlers));
        }
        return proceed(0, command, context);
    }

    private CommandResult proceed(int index, Object command, CommandContext context) {
        if (index < middleware.size()) {
            return middleware.get(index).handle(command, context, (c, ctx) -> proceed(index + 1, c, ctx));
        }
        return invoke(command, context);
    }

    @SuppressWarnings("unchecked") // the map is keyed by the command's class, checked at registration
    private CommandResult invoke(Object command, CommandContext context) {
        CommandHandler<Object> handler = (CommandHandler<Object>) handlers.get(command.getClass());
        try {
            Object result = handler.handle(command, context);
            if (result instanceof Outcome<?> outcome) {
                return new CommandResult.Accepted(
                        context.commandId(),
                        outcome.streamId(),
                        outcome.version(),
                        outcome.position(),
                        outcome.events().size(),
                        outcome.duplicate());
            }
            return new CommandResult.Completed(context.commandId(), result, false);
        } catch (ConcurrencyException conflict) {
            return new CommandResult.Conflict(context.commandId(), conflict.streamId(), conflict.getMessage());
        } catch (RuntimeException e) {
            RuleViolation violation = rejections.violation(e).orElseThrow(() -> e);
            return new CommandResult.Rejected(context.commandId(), violation.rule(), violation.getMessage(), false);
        }
    }

    private static String known(Map<Class<?>, ?> handlers) {
        TreeSet<String> names = new TreeSet<>();
        handlers.keySet().forEach(type -> names.add(type.getSimpleName()));
        return names.toString();
    }

    /** Collects handlers and middleware; {@link #build()} checks that nothing is missing. */
    public static final class Builder {
        private final Map<Class<?>, CommandHandler<?>> handlers = new LinkedHashMap<>();
        private final List<Middleware> middleware = new ArrayList<>();
        private final List<Class<?>> expected = new ArrayList<>();
        private Rejections rejections = Rejections.none();

        private Builder() {}

        /**
         * Treats exceptions of {@code type} (and its subtypes), thrown by a handler or a decider, as a
         * business rule refusing the command, like {@link RuleViolation}: answered {@link
         * CommandResult.Rejected} with the exception's message, never retried, never logged as a failure.
         * So a domain model reports broken rules with exceptions of its own and imports nothing of Factum.
         *
         * @param rule the rule's stable name, from the exception (a field of it, or a constant per type)
         * @throws IllegalArgumentException if {@code type} would take in the store's conflicts
         */
        public <T extends RuntimeException> Builder rejection(Class<T> type, Function<? super T, String> rule) {
            rejections = rejections.with(type, rule);
            return this;
        }

        /**
         * {@link #rejection(Class, Function)} with the rule named after the type: {@code
         * InsufficientFunds} becomes {@code "insufficient-funds"}.
         */
        public <T extends RuntimeException> Builder rejection(Class<T> type) {
            rejections = rejections.with(type);
            return this;
        }

        /** Adds every rejection of {@code more}: one list shared by the bus and the tests' fixtures. */
        public Builder rejections(Rejections more) {
            rejections = rejections.and(more);
            return this;
        }

        /**
         * Registers the handler of a command type.
         *
         * @throws IllegalStateException if the type already has a handler
         */
        public <C> Builder handle(Class<C> commandType, CommandHandler<? super C> handler) {
            if (handlers.putIfAbsent(commandType, handler) != null) {
                throw new IllegalStateException(
                        "command " + commandType.getName() + " has two handlers; a command type has exactly one");
            }
            return this;
        }

        /** Adds middleware; the first added is the outermost (sees the command first). */
        public Builder use(Middleware step) {
            middleware.add(step);
            return this;
        }

        /**
         * Names command types that must have a handler when the bus is built: a class, or a sealed
         * interface whose permitted records (recursively) must each have one.
         */
        public Builder expectHandlersFor(Class<?>... commandTypes) {
            for (Class<?> type : commandTypes) {
                addExpected(type);
            }
            return this;
        }

        private void addExpected(Class<?> type) {
            if (type.isSealed()) {
                for (Class<?> permitted : type.getPermittedSubclasses()) {
                    addExpected(permitted);
                }
            } else {
                expected.add(type);
            }
        }

        /**
         * The bus.
         *
         * @throws IllegalStateException if an expected command type has no handler
         */
        public CommandBus build() {
            TreeSet<String> missing = new TreeSet<>();
            for (Class<?> type : expected) {
                if (!handlers.containsKey(type)) {
                    missing.add(type.getName());
                }
            }
            if (!missing.isEmpty()) {
                throw new IllegalStateException("commands without a handler: " + missing + "; register one with"
                        + " CommandBus.builder().handle(type, handler)");
            }
            return new CommandBus(handlers, middleware, rejections);
        }
    }
}
