package io.factum.core.aggregate;

import io.factum.core.FactumException;

/**
 * A command broke a business rule: nothing was written. A distinct outcome, not an error of the system:
 * the command bus reports it as a rejection (HTTP 422), never retries it, and never logs it as a failure.
 */
public class RuleViolation extends FactumException {

    private final String rule;

    /**
     * @param rule a short stable name of the rule, for clients and metrics ({@code "no-overdraft"})
     * @param message what was asked and why it is refused, for people
     */
    public RuleViolation(String rule, String message) {
        super(message);
        this.rule = rule;
    }

    /** The rule's stable name. */
    public String rule() {
        return rule;
    }
}
