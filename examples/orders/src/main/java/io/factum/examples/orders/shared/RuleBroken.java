package io.factum.examples.orders.shared;

/**
 * A command broke a business rule of the domain: nothing changes. The domain's own exception, so the
 * domain packages import nothing of Factum; the application tells the command bus that it is a rejection
 * ({@code CommandBus.Builder.rejection(RuleBroken.class, RuleBroken::rule)}), which answers it as a 422
 * with the rule's name, never retries it and never logs it as a failure.
 */
public final class RuleBroken extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String rule;

    /**
     * @param rule a short stable name of the rule, for clients ({@code "order-not-open"})
     * @param message what was asked and why it is refused, for people
     */
    public RuleBroken(String rule, String message) {
        super(message);
        this.rule = rule;
    }

    /** The rule's stable name. */
    public String rule() {
        return rule;
    }
}
