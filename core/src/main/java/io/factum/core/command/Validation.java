package io.factum.core.command;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The middleware that refuses invalid commands before any handler runs. */
public final class Validation {

    private Validation() {}

    /**
     * Middleware that checks each command with the validator of its type (commands without one pass) and
     * answers {@link CommandResult.Invalid} naming every violated field.
     *
     * @throws IllegalArgumentException if two validators are for the same type
     */
    public static Middleware middleware(List<Validator<?>> validators) {
        Map<Class<?>, Validator<?>> byType = new HashMap<>();
        for (Validator<?> validator : validators) {
            if (byType.put(validator.type(), validator) != null) {
                throw new IllegalArgumentException(
                        "two validators for " + validator.type().getName());
            }
        }
        return (command, context, next) -> {
            List<FieldViolation> violations = check(byType.get(command.getClass()), command);
            return violations.isEmpty()
                    ? next.proceed(command, context)
                    : new CommandResult.Invalid(context.commandId(), violations);
        };
    }

    @SuppressWarnings("unchecked") // validators are keyed by the class they check
    private static List<FieldViolation> check(@Nullable Validator<?> validator, Object command) {
        return validator == null ? List.of() : ((Validator<Object>) validator).validate(command);
    }
}
