package io.factum.examples.orders.ordering;

import java.math.BigDecimal;
import java.util.UUID;

/** What can be asked of an order. Each names the order it is for. */
public sealed interface OrderCommand {

    UUID orderId();

    record CreateOrder(UUID orderId, UUID customerId) implements OrderCommand {}

    record AddItem(UUID orderId, String productId, int quantity, BigDecimal unitPrice) implements OrderCommand {}

    record RemoveItem(UUID orderId, String productId) implements OrderCommand {}

    /** Corrects a unit price entered wrongly: a correcting event, so history shows both prices. */
    record CorrectPrice(UUID orderId, String productId, BigDecimal unitPrice, String reason) implements OrderCommand {}

    record ConfirmOrder(UUID orderId) implements OrderCommand {}

    record CancelOrder(UUID orderId, String reason) implements OrderCommand {}

    /** Sent by the fulfilment process once the payment was approved. */
    record MarkPaid(UUID orderId, BigDecimal amount) implements OrderCommand {}

    /** Sent by the fulfilment process once the parcel left. */
    record MarkShipped(UUID orderId, String trackingNumber) implements OrderCommand {}
}
