package io.factum.examples.orders.payments;

import io.factum.examples.orders.payments.PaymentCommand.ApprovePayment;
import io.factum.examples.orders.payments.PaymentCommand.DeclinePayment;
import io.factum.examples.orders.payments.PaymentCommand.RequestPayment;
import io.factum.examples.orders.payments.PaymentEvent.PaymentApproved;
import io.factum.examples.orders.payments.PaymentEvent.PaymentDeclined;
import io.factum.examples.orders.payments.PaymentEvent.PaymentRequested;
import io.factum.examples.orders.shared.RuleBroken;
import java.math.BigDecimal;
import java.util.List;

/**
 * The payment of one order as a decider: requested once, then answered once. A repeated request or the
 * same answer again changes nothing (the provider and the process may repeat themselves); a different
 * answer to an answered payment is refused.
 */
public record Payment(Status status, BigDecimal amount) {

    public enum Status {
        NONE,
        REQUESTED,
        APPROVED,
        DECLINED
    }

    public static Payment initial() {
        return new Payment(Status.NONE, BigDecimal.ZERO);
    }

    public static List<PaymentEvent> decide(PaymentCommand command, Payment payment) {
        return switch (command) {
            case RequestPayment request ->
                payment.status() == Status.NONE
                        ? List.of(new PaymentRequested(request.orderId(), request.amount()))
                        : List.of();
            case ApprovePayment approve ->
                switch (payment.status()) {
                    case REQUESTED -> List.of(new PaymentApproved(approve.orderId(), payment.amount()));
                    case APPROVED -> List.of();
                    case NONE, DECLINED ->
                        throw cannotAnswer(payment, "approve", approve.orderId().toString());
                };
            case DeclinePayment decline ->
                switch (payment.status()) {
                    case REQUESTED -> List.of(new PaymentDeclined(decline.orderId(), decline.reason()));
                    case DECLINED -> List.of();
                    case NONE, APPROVED ->
                        throw cannotAnswer(payment, "decline", decline.orderId().toString());
                };
        };
    }

    public static Payment evolve(Payment payment, PaymentEvent event) {
        return switch (event) {
            case PaymentRequested requested -> new Payment(Status.REQUESTED, requested.amount());
            case PaymentApproved approved -> new Payment(Status.APPROVED, payment.amount());
            case PaymentDeclined declined -> new Payment(Status.DECLINED, payment.amount());
        };
    }

    private static RuleBroken cannotAnswer(Payment payment, String answer, String orderId) {
        return new RuleBroken(
                "payment-not-requested",
                "cannot " + answer + " the payment of order " + orderId + ": it is " + payment.status()
                        + ", only a REQUESTED payment can be answered");
    }
}
