package io.factum.core.command;

import io.factum.core.DuplicateEventException;
import io.factum.core.WrongExpectedVersionException;
import io.factum.core.aggregate.RuleViolation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Which exceptions of the domain's own mean that a business rule refused a command, and the rule's name for
 * each: what {@link CommandBus.Builder#rejection} and the test fixtures are told, so that a domain model
 * reports broken rules with exceptions of its own and imports nothing of Factum. {@link RuleViolation} is
 * always one. Immutable.
 */
public final class Rejections {

    private record Mapping<T extends RuntimeException>(Class<T> type, Function<? super T, String> rule) {
        String ruleOf(RuntimeException e) {
            return rule.apply(type.cast(e));
        }
    }

    private static final Rejections NONE = new Rejections(List.of());

    private final List<Mapping<?>> mappings;

    private Rejections(List<Mapping<?>> mappings) {
        this.mappings = List.copyOf(mappings);
    }

    /** Only {@link RuleViolation}. */
    public static Rejections none() {
        return NONE;
    }

    /**
     * These rejections and exceptions of {@code type} (and its subtypes), the rule named by {@code rule}.
     *
     * @throws IllegalArgumentException if {@code type} would take in the store's conflicts (a supertype of
     *     {@link WrongExpectedVersionException}), which are not rejections
     */
    public <T extends RuntimeException> Rejections with(Class<T> type, Function<? super T, String> rule) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(rule, "rule");
        if (type.isAssignableFrom(WrongExpectedVersionException.class)
                || type.isAssignableFrom(DuplicateEventException.class)) {
            throw new IllegalArgumentException("exceptions of type " + type.getName()
                    + " include the store's conflicts; name the domain's own rejection type");
        }
        List<Mapping<?>> more = new ArrayList<>(mappings);
        more.add(new Mapping<>(type, rule));
        return new Rejections(more);
    }

    /**
     * {@link #with(Class, Function)} with the rule named after the type: {@code InsufficientFunds} becomes
     * {@code "insufficient-funds"}.
     */
    public <T extends RuntimeException> Rejections with(Class<T> type) {
        String rule = ruleName(type.getSimpleName());
        return with(type, e -> rule);
    }

    /** These rejections and then those of {@code more}. */
    public Rejections and(Rejections more) {
        List<Mapping<?>> all = new ArrayList<>(mappings);
        all.addAll(more.mappings);
        return new Rejections(all);
    }

    /**
     * {@code e} as a rule violation if it is one: a {@link RuleViolation} itself, or an exception of a
     * type named here (the first that fits), with its message and {@code e} as the cause.
     */
    public Optional<RuleViolation> violation(RuntimeException e) {
        if (e instanceof RuleViolation violation) {
            return Optional.of(violation);
        }
        for (Mapping<?> mapping : mappings) {
            if (mapping.type().isInstance(e)) {
                RuleViolation violation = new RuleViolation(mapping.ruleOf(e), String.valueOf(e.getMessage()));
                violation.initCause(e);
                return Optional.of(violation);
            }
        }
        return Optional.empty();
    }

    /** {@code InsufficientFunds} → {@code insufficient-funds}. */
    static String ruleName(String typeName) {
        return typeName.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
