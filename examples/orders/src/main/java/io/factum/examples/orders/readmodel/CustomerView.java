package io.factum.examples.orders.readmodel;

import io.factum.examples.orders.customers.Address;
import io.factum.examples.orders.ordering.OrderStatus;
import java.util.List;
import java.util.UUID;

/**
 * A customer as the read side shows it, with their orders. After the customer was forgotten, name, email
 * and address read {@link CustomerDirectory#ERASED} and {@code forgotten} is true.
 */
public record CustomerView(
        UUID customerId, String name, String email, Address address, boolean forgotten, List<Order> orders) {

    public CustomerView {
        orders = List.copyOf(orders);
    }

    /** One order of the customer. */
    public record Order(UUID orderId, OrderStatus status) {}
}
