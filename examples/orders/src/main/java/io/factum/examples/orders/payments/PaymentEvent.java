package io.factum.examples.orders.payments;

import java.math.BigDecimal;
import java.util.UUID;

/** What happened to an order's payment. */
public sealed interface PaymentEvent {

    UUID orderId();

    record PaymentRequested(UUID orderId, BigDecimal amount) implements PaymentEvent {}

    record PaymentApproved(UUID orderId, BigDecimal amount) implements PaymentEvent {}

    record PaymentDeclined(UUID orderId, String reason) implements PaymentEvent {}
}
