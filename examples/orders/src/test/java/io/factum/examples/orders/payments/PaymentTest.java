package io.factum.examples.orders.payments;

import io.factum.examples.orders.app.Deciders;
import io.factum.examples.orders.payments.PaymentCommand.ApprovePayment;
import io.factum.examples.orders.payments.PaymentCommand.DeclinePayment;
import io.factum.examples.orders.payments.PaymentCommand.RequestPayment;
import io.factum.examples.orders.payments.PaymentEvent.PaymentApproved;
import io.factum.examples.orders.payments.PaymentEvent.PaymentDeclined;
import io.factum.examples.orders.payments.PaymentEvent.PaymentRequested;
import io.factum.testkit.aggregate.DeciderFixture;
import java.math.BigDecimal;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class PaymentTest {

    static final UUID ORDER = UUID.fromString("00000000-0000-0000-0000-0000000000a1");
    static final BigDecimal AMOUNT = new BigDecimal("25.00");

    final DeciderFixture<PaymentCommand, PaymentEvent, Payment> payment =
            DeciderFixture.of(Deciders.PAYMENT).rejections(Deciders.REJECTIONS);

    @Nested
    class A_payment {
        @Test
        void is_requested_once() {
            payment.when(new RequestPayment(ORDER, AMOUNT)).then(new PaymentRequested(ORDER, AMOUNT));
            payment.given(new PaymentRequested(ORDER, AMOUNT))
                    .when(new RequestPayment(ORDER, AMOUNT))
                    .thenNothing();
        }

        @Test
        void is_approved_for_the_requested_amount() {
            payment.given(new PaymentRequested(ORDER, AMOUNT))
                    .when(new ApprovePayment(ORDER))
                    .then(new PaymentApproved(ORDER, AMOUNT));
        }

        @Test
        void cannot_be_declined_once_approved() {
            payment.given(new PaymentRequested(ORDER, AMOUNT), new PaymentApproved(ORDER, AMOUNT))
                    .when(new DeclinePayment(ORDER, "no funds"))
                    .thenRejected(
                            "payment-not-requested",
                            "cannot decline the payment of order " + ORDER
                                    + ": it is APPROVED, only a REQUESTED payment can be answered");
        }

        @Test
        void the_same_answer_again_changes_nothing() {
            payment.given(new PaymentRequested(ORDER, AMOUNT), new PaymentDeclined(ORDER, "no funds"))
                    .when(new DeclinePayment(ORDER, "no funds"))
                    .thenNothing();
        }
    }
}
