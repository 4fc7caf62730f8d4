package io.factum.examples.orders.ordering;

import java.math.BigDecimal;
import java.util.UUID;

/**
 * What happened to an order: the ordering context's private domain events, free to change with the
 * model. Other contexts and services read {@link io.factum.examples.orders.published} instead.
 */
public sealed interface OrderEvent {

    UUID orderId();

    record OrderCreated(UUID orderId, UUID customerId) implements OrderEvent {}

    /** {@code quantity} more of a product at {@code unitPrice}; adding a product again raises its quantity. */
    record ItemAdded(UUID orderId, String productId, int quantity, BigDecimal unitPrice) implements OrderEvent {}

    record ItemRemoved(UUID orderId, String productId) implements OrderEvent {}

    /** A correcting event: the price entered was wrong; the old one stays in history. */
    record ItemPriceCorrected(
            UUID orderId, String productId, BigDecimal previousUnitPrice, BigDecimal unitPrice, String reason)
            implements OrderEvent {}

    record OrderConfirmed(UUID orderId, UUID customerId, BigDecimal totalAmount) implements OrderEvent {}

    record OrderCancelled(UUID orderId, String reason) implements OrderEvent {}

    record OrderPaid(UUID orderId, BigDecimal amount) implements OrderEvent {}

    record OrderShipped(UUID orderId, String trackingNumber) implements OrderEvent {}
}
