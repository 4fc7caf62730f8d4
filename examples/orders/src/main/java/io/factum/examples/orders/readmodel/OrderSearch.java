package io.factum.examples.orders.readmodel;

import io.factum.examples.orders.ordering.OrderStatus;
import java.util.Optional;
import java.util.UUID;

/** Which orders a list shows: all, one customer's, those in one status, or both. */
public record OrderSearch(Optional<UUID> customerId, Optional<OrderStatus> status) {

    public static OrderSearch all() {
        return new OrderSearch(Optional.empty(), Optional.empty());
    }

    public OrderSearch ofCustomer(UUID customer) {
        return new OrderSearch(Optional.of(customer), status);
    }

    public OrderSearch inStatus(OrderStatus wanted) {
        return new OrderSearch(customerId, Optional.of(wanted));
    }
}
