package io.factum.testkit.process;

import io.factum.core.process.ProcessManager;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.serialization.EventTypes;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The example process of the tests: a confirmed order asks for payment and waits 15 minutes for it,
 * reminding the customer after 10; paid, it is shipped; not paid in time, it is cancelled.
 */
final class OrderPayment {

    private OrderPayment() {}

    sealed interface OrderEvent {
        String orderId();
    }

    record OrderConfirmed(String orderId, int amount) implements OrderEvent {}

    record PaymentApproved(String orderId) implements OrderEvent {}

    record OrderShipped(String orderId) implements OrderEvent {}

    sealed interface OrderCommand {}

    record RequestPayment(String orderId, int amount) implements OrderCommand {}

    record RemindCustomer(String orderId) implements OrderCommand {}

    record ShipOrder(String orderId) implements OrderCommand {}

    record CancelOrder(String orderId, Instant at) implements OrderCommand {}

    record Payment(String status, int amount) {}

    static final EventSerializer SERIALIZER = EventSerializer.of(
            EventTypes.builder().registerSealed(OrderEvent.class).build());

    static ProcessManager.Builder<Payment, OrderEvent> builder() {
        return ProcessManager.builder("order_payment", OrderEvent.class, Payment.class, () -> new Payment("new", 0))
                .correlateBy(envelope -> Optional.of(envelope.event().orderId()))
                .on((state, envelope, actions) -> switch (envelope.event()) {
                    case OrderConfirmed confirmed -> {
                        actions.send(new RequestPayment(confirmed.orderId(), confirmed.amount()));
                        actions.schedule("payment-reminder", Duration.ofMinutes(10), "{}");
                        actions.schedule("payment-timeout", Duration.ofMinutes(15), "{}");
                        yield new Payment("awaiting-payment", confirmed.amount());
                    }
                    case PaymentApproved approved -> {
                        actions.cancel("payment-reminder");
                        actions.cancel("payment-timeout");
                        actions.send(new ShipOrder(approved.orderId()));
                        yield new Payment("paid", state.amount());
                    }
                    case OrderShipped shipped -> {
                        actions.complete();
                        yield new Payment("shipped", state.amount());
                    }
                })
                .onDeadline((state, deadline, actions) -> {
                    if (deadline.name().equals("payment-reminder")) {
                        actions.send(new RemindCustomer(deadline.correlationId()));
                        return state;
                    }
                    actions.send(new CancelOrder(deadline.correlationId(), actions.now()));
                    actions.complete();
                    return new Payment("cancelled", state.amount());
                });
    }
}
