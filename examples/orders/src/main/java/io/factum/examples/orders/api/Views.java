package io.factum.examples.orders.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.factum.examples.orders.customers.Address;
import io.factum.examples.orders.ordering.Order;
import io.factum.examples.orders.ordering.OrderStatus;
import io.factum.examples.orders.readmodel.CustomerView;
import io.factum.examples.orders.readmodel.OrderSummary;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.UUID;

/** The JSON shapes of the API's answers: records Jackson writes as they are (amounts with two places). */
final class Views {

    private Views() {}

    record CommandAnswer(long version, String position) {}

    record CustomerCreated(UUID customerId, long version, String position) {}

    record OrderCreated(UUID orderId, long version, String position) {}

    record Line(String productId, int quantity, BigDecimal unitPrice) {}

    record OrderView(
            UUID orderId,
            UUID customerId,
            OrderStatus status,
            int itemCount,
            BigDecimal totalAmount,
            String lastUpdated,
            long version,
            List<Line> lines) {}

    record OrderList(List<OrderView> orders) {}

    record OrderAsOf(
            UUID orderId,
            UUID customerId,
            OrderStatus status,
            int itemCount,
            BigDecimal totalAmount,
            long version,
            List<Line> lines) {}

    record CustomerOrder(UUID orderId, OrderStatus status) {}

    record CustomerDetails(
            UUID customerId,
            String name,
            String email,
            Address address,
            boolean forgotten,
            List<CustomerOrder> orders) {}

    record HistoryEntry(long version, String type, String recordedAt, JsonNode data, JsonNode metadata) {}

    record History(UUID orderId, List<HistoryEntry> events) {}

    static OrderView of(OrderSummary summary) {
        return new OrderView(
                summary.orderId(),
                summary.customerId(),
                summary.status(),
                summary.itemCount(),
                amount(summary.totalAmount()),
                summary.lastUpdated().toString(),
                summary.version(),
                summary.lines().stream()
                        .map(line -> new Line(line.productId(), line.quantity(), amount(line.unitPrice())))
                        .toList());
    }

    static OrderAsOf of(UUID orderId, Order order, long version) {
        return new OrderAsOf(
                orderId,
                order.customerId(),
                order.status(),
                order.lines().size(),
                amount(order.total()),
                version,
                order.lines().stream()
                        .map(line -> new Line(line.productId(), line.quantity(), amount(line.unitPrice())))
                        .toList());
    }

    static CustomerDetails of(CustomerView view) {
        return new CustomerDetails(
                view.customerId(),
                view.name(),
                view.email(),
                view.address(),
                view.forgotten(),
                view.orders().stream()
                        .map(order -> new CustomerOrder(order.orderId(), order.status()))
                        .toList());
    }

    /** Two decimal places always: 12.5 is written as 12.50. */
    static BigDecimal amount(BigDecimal value) {
        return value.setScale(2, RoundingMode.UNNECESSARY);
    }
}
