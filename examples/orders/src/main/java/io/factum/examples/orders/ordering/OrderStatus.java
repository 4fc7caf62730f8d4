package io.factum.examples.orders.ordering;

/** Where an order is in its life. */
public enum OrderStatus {
    PENDING,
    CONFIRMED,
    PAID,
    SHIPPED,
    CANCELLED
}
