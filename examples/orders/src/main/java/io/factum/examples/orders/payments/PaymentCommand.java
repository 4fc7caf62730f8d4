package io.factum.examples.orders.payments;

import java.math.BigDecimal;
import java.util.UUID;

/** What can be asked of an order's payment (one payment per order, named by the order's id). */
public sealed interface PaymentCommand {

    UUID orderId();

    record RequestPayment(UUID orderId, BigDecimal amount) implements PaymentCommand {}

    record ApprovePayment(UUID orderId) implements PaymentCommand {}

    record DeclinePayment(UUID orderId, String reason) implements PaymentCommand {}
}
