package io.factum.examples.orders.published;

import io.factum.core.serialization.EventType;
import java.math.BigDecimal;
import java.util.UUID;

/**
 * The ordering context's public integration events: a stable contract for other services, versioned on
 * its own and kept small. The private {@link io.factum.examples.orders.ordering.OrderEvent}s may change
 * with the model; these change only with a new schema version (and an upcaster).
 */
public sealed interface PublishedOrderEvent {

    /** The public stream they are published to. */
    String STREAM = "published-ordering";

    UUID orderId();

    /** A customer committed to an order (it was confirmed). */
    @EventType("ordering.OrderPlaced")
    record OrderPlaced(UUID orderId, UUID customerId, BigDecimal totalAmount) implements PublishedOrderEvent {}

    /** The order was paid and has shipped. */
    @EventType("ordering.OrderFulfilled")
    record OrderFulfilled(UUID orderId, String trackingNumber) implements PublishedOrderEvent {}

    /** The order will not be fulfilled. */
    @EventType("ordering.OrderWithdrawn")
    record OrderWithdrawn(UUID orderId, String reason) implements PublishedOrderEvent {}
}
