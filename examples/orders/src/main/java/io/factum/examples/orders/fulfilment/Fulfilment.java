package io.factum.examples.orders.fulfilment;

import io.factum.core.EventFilter;
import io.factum.core.process.Deadline;
import io.factum.core.process.ProcessActions;
import io.factum.core.process.ProcessManager;
import io.factum.core.serialization.Envelope;
import io.factum.examples.orders.ordering.OrderCommand.CancelOrder;
import io.factum.examples.orders.ordering.OrderCommand.MarkPaid;
import io.factum.examples.orders.ordering.OrderCommand.MarkShipped;
import io.factum.examples.orders.ordering.OrderEvent;
import io.factum.examples.orders.ordering.OrderEvent.OrderCancelled;
import io.factum.examples.orders.ordering.OrderEvent.OrderConfirmed;
import io.factum.examples.orders.ordering.OrderEvent.OrderPaid;
import io.factum.examples.orders.ordering.OrderEvent.OrderShipped;
import io.factum.examples.orders.payments.PaymentCommand.RequestPayment;
import io.factum.examples.orders.payments.PaymentEvent;
import io.factum.examples.orders.payments.PaymentEvent.PaymentApproved;
import io.factum.examples.orders.payments.PaymentEvent.PaymentDeclined;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * The fulfilment process manager: one instance per confirmed order, driving it through payment and
 * shipment.
 *
 * <pre>
 * OrderConfirmed   → RequestPayment, deadline "payment-timeout"
 * PaymentApproved  → MarkPaid (deadline cancelled)
 * OrderPaid        → MarkShipped (the simulated shipment: a tracking number derived from the order)
 * OrderShipped     → complete
 * PaymentDeclined  → CancelOrder "payment declined", complete       (compensation)
 * deadline passed  → CancelOrder "payment not answered in time", complete
 * OrderCancelled   → complete (a person cancelled while the payment was open)
 * </pre>
 *
 * The reactions are pure: the provider is called by the {@link PaymentGateway}, not from here.
 */
public final class Fulfilment {

    /** The process manager's name (its checkpoint and its streams {@code factumprocess-fulfilment.*}). */
    public static final String NAME = "fulfilment";

    /** The deadline by which the provider must have answered. */
    public static final String PAYMENT_TIMEOUT = "payment-timeout";

    public static final String DECLINED = "payment declined";

    public static final String NOT_ANSWERED = "payment not answered in time";

    /** Where an order's fulfilment is. */
    public enum Stage {
        STARTED,
        AWAITING_PAYMENT,
        PAID,
        SHIPPING,
        SHIPPED,
        CANCELLED
    }

    /** The state of one instance. */
    public record State(Stage stage) {
        static State started() {
            return new State(Stage.STARTED);
        }
    }

    private Fulfilment() {}

    /**
     * The process manager's settings; the caller adds the wiring ({@code wiring(store, serializer, bus,
     * deadlines)}, and a clock) and builds it.
     */
    public static ProcessManager.Builder<State, Object> builder(Duration paymentTimeout) {
        return ProcessManager.builder(NAME, Object.class, State.class, State::started)
                .filter(EventFilter.categories("order", "payment")
                        .andEventTypes(
                                "OrderConfirmed",
                                "OrderPaid",
                                "OrderShipped",
                                "OrderCancelled",
                                "PaymentApproved",
                                "PaymentDeclined"))
                .correlateBy(Fulfilment::orderOf)
                .on((state, event, actions) -> react(state, event, actions, paymentTimeout))
                .onDeadline(Fulfilment::onDeadline);
    }

    /** The tracking number of the simulated shipment. */
    public static String trackingNumberOf(UUID orderId) {
        return "TRACK-" + orderId.toString().substring(0, 8).toUpperCase(java.util.Locale.ROOT);
    }

    private static Optional<String> orderOf(Envelope<Object> envelope) {
        return switch (envelope.event()) {
            case OrderEvent order -> Optional.of(order.orderId().toString());
            case PaymentEvent payment -> Optional.of(payment.orderId().toString());
            default -> Optional.empty();
        };
    }

    private static State react(State state, Envelope<Object> envelope, ProcessActions actions, Duration timeout) {
        return switch (envelope.event()) {
            case OrderConfirmed confirmed -> {
                actions.send(new RequestPayment(confirmed.orderId(), confirmed.totalAmount()));
                actions.schedule(PAYMENT_TIMEOUT, timeout, "{}");
                yield new State(Stage.AWAITING_PAYMENT);
            }
            case PaymentApproved approved
            when state.stage() == Stage.AWAITING_PAYMENT -> {
                actions.cancel(PAYMENT_TIMEOUT);
                actions.send(new MarkPaid(approved.orderId(), approved.amount()));
                yield new State(Stage.PAID);
            }
            case PaymentDeclined declined
            when state.stage() == Stage.AWAITING_PAYMENT -> {
                actions.send(new CancelOrder(declined.orderId(), DECLINED));
                actions.complete();
                yield new State(Stage.CANCELLED);
            }
            case OrderPaid paid -> {
                actions.send(new MarkShipped(paid.orderId(), trackingNumberOf(paid.orderId())));
                yield new State(Stage.SHIPPING);
            }
            case OrderShipped shipped -> {
                actions.complete();
                yield new State(Stage.SHIPPED);
            }
            case OrderCancelled cancelled
            when state.stage() != Stage.STARTED -> {
                actions.complete();
                yield new State(Stage.CANCELLED);
            }
            default -> state;
        };
    }

    private static State onDeadline(State state, Deadline deadline, ProcessActions actions) {
        if (!deadline.name().equals(PAYMENT_TIMEOUT) || state.stage() != Stage.AWAITING_PAYMENT) {
            return state;
        }
        actions.send(new CancelOrder(UUID.fromString(deadline.correlationId()), NOT_ANSWERED));
        actions.complete();
        return new State(Stage.CANCELLED);
    }
}
