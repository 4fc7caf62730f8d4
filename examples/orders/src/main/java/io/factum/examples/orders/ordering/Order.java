package io.factum.examples.orders.ordering;

import io.factum.examples.orders.ordering.OrderCommand.AddItem;
import io.factum.examples.orders.ordering.OrderCommand.CancelOrder;
import io.factum.examples.orders.ordering.OrderCommand.ConfirmOrder;
import io.factum.examples.orders.ordering.OrderCommand.CorrectPrice;
import io.factum.examples.orders.ordering.OrderCommand.CreateOrder;
import io.factum.examples.orders.ordering.OrderCommand.MarkPaid;
import io.factum.examples.orders.ordering.OrderCommand.MarkShipped;
import io.factum.examples.orders.ordering.OrderCommand.RemoveItem;
import io.factum.examples.orders.ordering.OrderEvent.ItemAdded;
import io.factum.examples.orders.ordering.OrderEvent.ItemPriceCorrected;
import io.factum.examples.orders.ordering.OrderEvent.ItemRemoved;
import io.factum.examples.orders.ordering.OrderEvent.OrderCancelled;
import io.factum.examples.orders.ordering.OrderEvent.OrderConfirmed;
import io.factum.examples.orders.ordering.OrderEvent.OrderCreated;
import io.factum.examples.orders.ordering.OrderEvent.OrderPaid;
import io.factum.examples.orders.ordering.OrderEvent.OrderShipped;
import io.factum.examples.orders.shared.RuleBroken;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The Order aggregate as a decider: a state record and three plain functions, {@code initial}, {@code
 * decide} and {@code evolve}. No I/O and no Factum type: a broken rule is the domain's own {@link
 * RuleBroken}; the application wires the functions into a Factum decider by method reference (see {@code
 * app.Deciders}).
 *
 * @param created false until {@link OrderCreated}
 * @param customerId who ordered (a zero UUID before creation)
 * @param status where the order is
 * @param lines the products ordered, in the order first added
 */
public record Order(boolean created, UUID customerId, OrderStatus status, List<Line> lines) {

    private static final UUID NOBODY = new UUID(0, 0);

    public Order {
        lines = List.copyOf(lines);
    }

    /** One product of the order. */
    public record Line(String productId, int quantity, BigDecimal unitPrice) {
        public BigDecimal amount() {
            return unitPrice.multiply(BigDecimal.valueOf(quantity));
        }
    }

    /** The state before the first event. */
    public static Order initial() {
        return new Order(false, NOBODY, OrderStatus.PENDING, List.of());
    }

    /** The sum of the lines, with two decimal places. */
    public BigDecimal total() {
        return lines.stream()
                .map(Line::amount)
                .reduce(BigDecimal.ZERO, BigDecimal::add)
                .setScale(2);
    }

    /** The line of {@code productId}, if the order has it. */
    public Optional<Line> line(String productId) {
        return lines.stream().filter(line -> line.productId().equals(productId)).findFirst();
    }

    /** The events {@code command} causes in {@code order}; throws {@link RuleBroken} to refuse it. */
    public static List<OrderEvent> decide(OrderCommand command, Order order) {
        UUID id = command.orderId();
        if (command instanceof CreateOrder create) {
            if (order.created()) {
                throw new RuleBroken("order-exists", "order " + id + " already exists");
            }
            return List.of(new OrderCreated(id, create.customerId()));
        }
        if (!order.created()) {
            throw new RuleBroken("order-unknown", "order " + id + " does not exist; create it first");
        }
        return switch (command) {
            case CreateOrder create -> throw new IllegalStateException("handled above");
            case AddItem add -> {
                order.requirePending(id, "items can be added");
                requireQuantity(add.quantity());
                BigDecimal price = requirePrice(add.unitPrice());
                Optional<Line> existing = order.line(add.productId());
                if (existing.isPresent() && existing.get().unitPrice().compareTo(price) != 0) {
                    throw new RuleBroken(
                            "price-differs",
                            "product " + add.productId() + " is in the order at "
                                    + existing.get().unitPrice() + ", not " + price + "; correct its price instead");
                }
                yield List.of(new ItemAdded(id, add.productId(), add.quantity(), price));
            }
            case RemoveItem remove -> {
                order.requirePending(id, "items can be removed");
                order.requireLine(remove.productId());
                yield List.of(new ItemRemoved(id, remove.productId()));
            }
            case CorrectPrice correct -> {
                order.requirePending(id, "prices can be corrected");
                Line line = order.requireLine(correct.productId());
                BigDecimal price = requirePrice(correct.unitPrice());
                requireReason(correct.reason(), "correcting a price needs a reason");
                if (line.unitPrice().compareTo(price) == 0) {
                    yield List.of();
                }
                yield List.of(new ItemPriceCorrected(
                        id,
                        correct.productId(),
                        line.unitPrice(),
                        price,
                        correct.reason().strip()));
            }
            case ConfirmOrder confirm -> {
                order.requirePending(id, "it can be confirmed");
                if (order.lines().isEmpty()) {
                    throw new RuleBroken(
                            "order-empty", "order " + id + " has no items; add at least one before confirming");
                }
                yield List.of(new OrderConfirmed(id, order.customerId(), order.total()));
            }
            case CancelOrder cancel -> {
                requireReason(cancel.reason(), "cancelling an order needs a reason");
                yield switch (order.status()) {
                    case PENDING, CONFIRMED ->
                        List.of(new OrderCancelled(id, cancel.reason().strip()));
                    case CANCELLED -> List.of();
                    case PAID, SHIPPED ->
                        throw new RuleBroken(
                                "order-not-cancellable",
                                "order " + id + " is " + order.status() + " and can no longer be cancelled");
                };
            }
            case MarkPaid paid ->
                switch (order.status()) {
                    case CONFIRMED -> List.of(new OrderPaid(id, paid.amount()));
                    case PAID, SHIPPED -> List.of();
                    case PENDING, CANCELLED ->
                        throw new RuleBroken(
                                "order-not-confirmed",
                                "order " + id + " is " + order.status() + "; only a CONFIRMED order can be paid");
                };
            case MarkShipped shipped ->
                switch (order.status()) {
                    case PAID -> List.of(new OrderShipped(id, shipped.trackingNumber()));
                    case SHIPPED -> List.of();
                    case PENDING, CONFIRMED, CANCELLED ->
                        throw new RuleBroken(
                                "order-not-paid",
                                "order " + id + " is " + order.status() + "; only a PAID order can be shipped");
                };
        };
    }

    /** The order after {@code event}. */
    public static Order evolve(Order order, OrderEvent event) {
        return switch (event) {
            case OrderCreated created -> new Order(true, created.customerId(), OrderStatus.PENDING, List.of());
            case ItemAdded added ->
                order.withLines(order.line(added.productId())
                        .map(line -> order.replace(
                                new Line(line.productId(), line.quantity() + added.quantity(), line.unitPrice())))
                        .orElseGet(() -> {
                            List<Line> more = new ArrayList<>(order.lines());
                            more.add(new Line(added.productId(), added.quantity(), added.unitPrice()));
                            return more;
                        }));
            case ItemRemoved removed ->
                order.withLines(order.lines().stream()
                        .filter(line -> !line.productId().equals(removed.productId()))
                        .toList());
            case ItemPriceCorrected corrected ->
                order.withLines(order.line(corrected.productId())
                        .map(line -> order.replace(new Line(line.productId(), line.quantity(), corrected.unitPrice())))
                        .orElse(order.lines()));
            case OrderConfirmed confirmed -> order.withStatus(OrderStatus.CONFIRMED);
            case OrderCancelled cancelled -> order.withStatus(OrderStatus.CANCELLED);
            case OrderPaid paid -> order.withStatus(OrderStatus.PAID);
            case OrderShipped shipped -> order.withStatus(OrderStatus.SHIPPED);
        };
    }

    private void requirePending(UUID id, String what) {
        if (status != OrderStatus.PENDING) {
            throw new RuleBroken(
                    "order-not-pending", "order " + id + " is " + status + "; only while it is PENDING " + what);
        }
    }

    private Line requireLine(String productId) {
        return line(productId)
                .orElseThrow(
                        () -> new RuleBroken("product-not-in-order", "product " + productId + " is not in the order"));
    }

    private static void requireQuantity(int quantity) {
        if (quantity < 1) {
            throw new RuleBroken("quantity-positive", "quantity must be at least 1, got " + quantity);
        }
    }

    private static BigDecimal requirePrice(BigDecimal price) {
        if (price.signum() <= 0) {
            throw new RuleBroken("price-positive", "unit price must be greater than 0, got " + price);
        }
        if (price.stripTrailingZeros().scale() > 2) {
            throw new RuleBroken("price-in-cents", "unit price must have at most two decimal places, got " + price);
        }
        return price.setScale(2);
    }

    private static void requireReason(String reason, String message) {
        if (reason.isBlank()) {
            throw new RuleBroken("reason-required", message);
        }
    }

    private List<Line> replace(Line changed) {
        return lines.stream()
                .map(line -> line.productId().equals(changed.productId()) ? changed : line)
                .toList();
    }

    private Order withLines(List<Line> changed) {
        return new Order(created, customerId, status, changed);
    }

    private Order withStatus(OrderStatus changed) {
        return new Order(created, customerId, changed, lines);
    }
}
