package io.factum.examples.orders.stock;

import java.util.UUID;

/** What happened to a product's stock. */
public sealed interface StockEvent {

    String productId();

    record StockAdded(String productId, int quantity) implements StockEvent {}

    /** Taken by a confirmed order. */
    record StockReserved(String productId, UUID orderId, int quantity) implements StockEvent {}

    /** Given back by a cancelled order. */
    record StockReleased(String productId, UUID orderId, int quantity) implements StockEvent {}
}
