package io.factum.examples.orders.readmodel;

import io.factum.examples.orders.ordering.OrderStatus;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * An order as the read side shows it.
 *
 * @param itemCount the number of distinct products
 * @param totalAmount the sum of the lines, two decimal places
 * @param lastUpdated when the last event of the order was recorded
 * @param version the order stream's version the summary reflects (for {@code If-Match})
 * @param lines the products, in the order first added
 */
public record OrderSummary(
        UUID orderId,
        UUID customerId,
        OrderStatus status,
        int itemCount,
        BigDecimal totalAmount,
        Instant lastUpdated,
        long version,
        List<Line> lines) {

    public OrderSummary {
        lines = List.copyOf(lines);
    }

    /** One product of the order. */
    public record Line(String productId, int quantity, BigDecimal unitPrice) {}
}
