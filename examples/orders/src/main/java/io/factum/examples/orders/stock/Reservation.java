package io.factum.examples.orders.stock;

import io.factum.examples.orders.ordering.Order;
import io.factum.examples.orders.ordering.OrderCommand.CancelOrder;
import io.factum.examples.orders.ordering.OrderCommand.ConfirmOrder;
import io.factum.examples.orders.ordering.OrderEvent;
import io.factum.examples.orders.ordering.OrderStatus;
import io.factum.examples.orders.shared.RuleBroken;
import io.factum.examples.orders.stock.StockCommand.AddStock;
import io.factum.examples.orders.stock.StockCommand.CancelWithStock;
import io.factum.examples.orders.stock.StockCommand.ConfirmWithStock;
import io.factum.examples.orders.stock.StockEvent.StockAdded;
import io.factum.examples.orders.stock.StockEvent.StockReleased;
import io.factum.examples.orders.stock.StockEvent.StockReserved;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A decision on an order and the stock of its products together: confirming reserves stock, and is
 * refused if a product has less left than the order wants; cancelling a confirmed order releases what it
 * reserved. The order's own rules stay {@link Order#decide}'s. The state is folded from the order's events
 * and from the stock events of its products (of every order), so two orders confirmed at once cannot both
 * take the last items: the application appends on the condition that none of those events came since.
 *
 * @param order the order
 * @param available the stock left of each product that had stock added
 * @param reserved what each order holds reserved, by product
 */
public record Reservation(Order order, Map<String, Integer> available, Map<UUID, Map<String, Integer>> reserved) {

    public Reservation {
        available = Map.copyOf(available);
        reserved = Map.copyOf(reserved);
    }

    public static Reservation initial() {
        return new Reservation(Order.initial(), Map.of(), Map.of());
    }

    /** The events of the command: an order event first, then the stock it moves. */
    public static List<Object> decide(StockCommand command, Reservation state) {
        return switch (command) {
            case ConfirmWithStock confirm -> confirm(confirm, state);
            case CancelWithStock cancel -> cancel(cancel, state);
            case AddStock add -> {
                if (add.quantity() < 1) {
                    throw new RuleBroken(
                            "quantity-positive", "stock is added 1 or more at a time, got " + add.quantity());
                }
                yield List.of(new StockAdded(add.productId(), add.quantity()));
            }
        };
    }

    private static List<Object> confirm(ConfirmWithStock command, Reservation state) {
        List<OrderEvent> confirmed = Order.decide(new ConfirmOrder(command.orderId()), state.order());
        if (confirmed.isEmpty()) {
            return List.of();
        }
        List<Object> events = new ArrayList<>(confirmed);
        List<String> lacking = new ArrayList<>();
        for (Order.Line line : state.order().lines()) {
            if (!command.productIds().contains(line.productId())) {
                throw new RuleBroken(
                        "order-changed",
                        "order " + command.orderId() + " got product " + line.productId()
                                + " while it was being confirmed; confirm it again");
            }
            Integer left = state.available().get(line.productId());
            if (left == null) {
                continue; // not stocked: not counted
            }
            if (left < line.quantity()) {
                lacking.add(line.productId() + " (" + line.quantity() + " ordered, " + left + " left)");
            } else {
                events.add(new StockReserved(line.productId(), command.orderId(), line.quantity()));
            }
        }
        if (!lacking.isEmpty()) {
            throw new RuleBroken(
                    "out-of-stock",
                    "order " + command.orderId() + " cannot be confirmed: not enough stock of "
                            + String.join(", ", lacking));
        }
        return events;
    }

    private static List<Object> cancel(CancelWithStock command, Reservation state) {
        boolean wasConfirmed = state.order().status() == OrderStatus.CONFIRMED;
        List<OrderEvent> cancelled = Order.decide(new CancelOrder(command.orderId(), command.reason()), state.order());
        List<Object> events = new ArrayList<>(cancelled);
        if (!cancelled.isEmpty() && wasConfirmed) {
            state.reserved().getOrDefault(command.orderId(), Map.of()).forEach((product, quantity) -> {
                if (quantity > 0) {
                    events.add(new StockReleased(product, command.orderId(), quantity));
                }
            });
        }
        return events;
    }

    public static Reservation evolve(Reservation state, Object event) {
        return switch (event) {
            case OrderEvent order ->
                new Reservation(Order.evolve(state.order(), order), state.available(), state.reserved());
            case StockAdded added -> state.withStock(added.productId(), added.quantity(), Optional.empty());
            case StockReserved taken ->
                state.withStock(taken.productId(), -taken.quantity(), Optional.of(taken.orderId()));
            case StockReleased given ->
                state.withStock(given.productId(), given.quantity(), Optional.of(given.orderId()));
            default -> state;
        };
    }

    private Reservation withStock(String productId, int change, Optional<UUID> byOrder) {
        Map<String, Integer> left = new HashMap<>(available);
        left.merge(productId, change, Integer::sum);
        Map<UUID, Map<String, Integer>> held = new HashMap<>(reserved);
        if (byOrder.isPresent()) {
            UUID orderId = byOrder.get();
            Map<String, Integer> mine = new HashMap<>(held.getOrDefault(orderId, Map.of()));
            mine.merge(productId, -change, Integer::sum);
            held.put(orderId, Map.copyOf(mine));
        }
        return new Reservation(order, left, held);
    }
}
