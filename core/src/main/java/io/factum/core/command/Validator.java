package io.factum.core.command;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Checks the fields of one command type and names every field that is wrong, not only the first.
 *
 * <pre>{@code
 * Validator<Deposit> deposit = Validator.of(Deposit.class)
 *         .require("accountId", d -> !d.accountId().isBlank(), "must not be blank")
 *         .require("amount", d -> d.amount() > 0, d -> "must be more than 0, got " + d.amount());
 * }</pre>
 *
 * @param <C> the command type
 */
public final class Validator<C> {

    private record Rule<C>(String field, Predicate<? super C> valid, Function<? super C, String> message) {}

    private final Class<C> type;
    private final List<Rule<C>> rules;

    private Validator(Class<C> type, List<Rule<C>> rules) {
        this.type = type;
        this.rules = List.copyOf(rules);
    }

    /** A validator of {@code type} with no rules yet. */
    public static <C> Validator<C> of(Class<C> type) {
        return new Validator<>(type, List.of());
    }

    /** The command type it checks. */
    public Class<C> type() {
        return type;
    }

    /** This validator with one more rule for a field. */
    public Validator<C> require(String field, Predicate<? super C> valid, String message) {
        return require(field, valid, command -> message);
    }

    /** This validator with one more rule whose message can show the value found. */
    public Validator<C> require(String field, Predicate<? super C> valid, Function<? super C, String> message) {
        List<Rule<C>> more = new ArrayList<>(rules);
        more.add(new Rule<>(field, valid, message));
        return new Validator<>(type, more);
    }

    /** Every violated rule, in the order the rules were added. */
    public List<FieldViolation> validate(C command) {
        List<FieldViolation> violations = new ArrayList<>();
        for (Rule<C> rule : rules) {
            if (!rule.valid().test(command)) {
                violations.add(new FieldViolation(rule.field(), rule.message().apply(command)));
            }
        }
        return violations;
    }
}
