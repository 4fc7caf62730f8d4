package io.factum.examples.orders.fulfilment;

import io.factum.examples.orders.app.OrdersApp;
import io.factum.examples.orders.ordering.OrderCommand;
import io.factum.examples.orders.ordering.OrderCommand.CancelOrder;
import io.factum.examples.orders.ordering.OrderCommand.MarkPaid;
import io.factum.examples.orders.ordering.OrderCommand.MarkShipped;
import io.factum.examples.orders.ordering.OrderEvent.OrderCancelled;
import io.factum.examples.orders.ordering.OrderEvent.OrderConfirmed;
import io.factum.examples.orders.ordering.OrderEvent.OrderPaid;
import io.factum.examples.orders.ordering.OrderEvent.OrderShipped;
import io.factum.examples.orders.payments.PaymentCommand;
import io.factum.examples.orders.payments.PaymentCommand.RequestPayment;
import io.factum.examples.orders.payments.PaymentEvent.PaymentApproved;
import io.factum.examples.orders.payments.PaymentEvent.PaymentDeclined;
import io.factum.testkit.process.ProcessManagerFixture;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class FulfilmentTest {

    static final UUID ORDER = UUID.fromString("00000000-0000-0000-0000-0000000000a1");
    static final UUID CUSTOMER = UUID.fromString("00000000-0000-0000-0000-0000000000c1");
    static final BigDecimal TOTAL = new BigDecimal("37.50");
    static final String ORDER_STREAM = "order-" + ORDER;
    static final String PAYMENT_STREAM = "payment-" + ORDER;
    static final Duration TIMEOUT = Duration.ofMinutes(2);

    static ProcessManagerFixture<Fulfilment.State, Object> fulfilment() {
        return ProcessManagerFixture.of(
                OrdersApp.eventSerializer(),
                List.of(OrderCommand.class, PaymentCommand.class),
                (store, events, bus, deadlines, clock) -> Fulfilment.builder(TIMEOUT)
                        .wiring(store, events, bus, deadlines)
                        .clock(clock)
                        .build());
    }

    static ProcessManagerFixture<Fulfilment.State, Object> awaitingPayment() {
        return fulfilment()
                .given(ORDER_STREAM, new OrderConfirmed(ORDER, CUSTOMER, TOTAL))
                .thenSent(new RequestPayment(ORDER, TOTAL))
                .thenScheduled(Fulfilment.PAYMENT_TIMEOUT, TIMEOUT);
    }

    @Nested
    class When_the_payment_is_approved {
        @Test
        void marks_the_order_paid_then_ships_it_and_completes() {
            awaitingPayment()
                    .given(PAYMENT_STREAM, new PaymentApproved(ORDER, TOTAL))
                    .thenSent(new MarkPaid(ORDER, TOTAL))
                    .thenNotScheduled(Fulfilment.PAYMENT_TIMEOUT)
                    .given(ORDER_STREAM, new OrderPaid(ORDER, TOTAL))
                    .thenSent(new MarkShipped(ORDER, Fulfilment.trackingNumberOf(ORDER)))
                    .given(ORDER_STREAM, new OrderShipped(ORDER, Fulfilment.trackingNumberOf(ORDER)))
                    .thenNothingSent()
                    .thenCompleted(ORDER.toString())
                    .thenNoDeadlines();
        }

        @Test
        void a_redelivered_event_sends_nothing_again() {
            awaitingPayment()
                    .given(PAYMENT_STREAM, new PaymentApproved(ORDER, TOTAL))
                    .thenSent(new MarkPaid(ORDER, TOTAL))
                    .thenIdempotent();
        }
    }

    @Nested
    class When_the_payment_is_declined {
        @Test
        void cancels_the_order_with_a_compensating_reason() {
            awaitingPayment()
                    .given(PAYMENT_STREAM, new PaymentDeclined(ORDER, "declined by the payment provider"))
                    .thenSent(new CancelOrder(ORDER, "payment declined"))
                    .thenCompleted(ORDER.toString())
                    .thenNoDeadlines();
        }
    }

    @Nested
    class When_the_provider_never_answers {
        @Test
        void nothing_happens_before_the_deadline() {
            awaitingPayment().whenTimePasses(TIMEOUT.minusSeconds(1)).thenNothingSent();
        }

        @Test
        void cancels_the_order_when_the_deadline_passes() {
            awaitingPayment()
                    .whenTimePasses(TIMEOUT.plusSeconds(1))
                    .thenSent(new CancelOrder(ORDER, "payment not answered in time"))
                    .thenCompleted(ORDER.toString())
                    .thenNoDeadlines();
        }

        @Test
        void a_late_approval_after_the_timeout_is_ignored() {
            awaitingPayment()
                    .whenTimePasses(TIMEOUT.plusSeconds(1))
                    .thenSent(new CancelOrder(ORDER, "payment not answered in time"))
                    .given(PAYMENT_STREAM, new PaymentApproved(ORDER, TOTAL))
                    .thenNothingSent();
        }
    }

    @Nested
    class When_a_person_cancels_while_the_payment_is_open {
        @Test
        void completes_and_drops_the_deadline() {
            awaitingPayment()
                    .given(ORDER_STREAM, new OrderCancelled(ORDER, "changed my mind"))
                    .thenNothingSent()
                    .thenCompleted(ORDER.toString())
                    .thenNoDeadlines();
        }
    }
}
