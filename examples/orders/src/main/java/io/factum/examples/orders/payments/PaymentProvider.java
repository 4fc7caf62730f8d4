package io.factum.examples.orders.payments;

import java.math.BigDecimal;
import java.util.UUID;

/**
 * The payment provider the app talks to. The app ships only simulated ones; which answer they give is the
 * strategy ({@link #byAmount}, {@link #always}, or a lambda in a test).
 */
@FunctionalInterface
public interface PaymentProvider {

    /** What a provider answers to a charge. */
    enum Answer {
        APPROVE,
        DECLINE,
        /** The provider never answers: the fulfilment process's deadline cancels the order. */
        NEVER_ANSWER
    }

    /** Charges {@code amount} for the order; may be called again for the same order after a crash. */
    Answer charge(UUID orderId, BigDecimal amount);

    /** Always the same answer. */
    static PaymentProvider always(Answer answer) {
        return (orderId, amount) -> answer;
    }

    /**
     * Approves amounts below {@code declineFrom}, declines those from it up to {@code neverAnswerFrom}, and
     * does not answer larger ones: a demo can choose the outcome by the order's total.
     */
    static PaymentProvider byAmount(BigDecimal declineFrom, BigDecimal neverAnswerFrom) {
        return (orderId, amount) -> amount.compareTo(neverAnswerFrom) >= 0
                ? Answer.NEVER_ANSWER
                : amount.compareTo(declineFrom) >= 0 ? Answer.DECLINE : Answer.APPROVE;
    }
}
