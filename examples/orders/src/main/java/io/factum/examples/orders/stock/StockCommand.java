package io.factum.examples.orders.stock;

import java.util.Set;
import java.util.UUID;

/** The commands that move stock, each together with the order that moves it. */
public sealed interface StockCommand {

    /**
     * Confirms the order and reserves its products' stock.
     *
     * @param productIds the products of the order as it was read to confirm it: the decision reads the
     *     stock of these, and refuses if the order has another one by then
     */
    record ConfirmWithStock(UUID orderId, Set<String> productIds) implements StockCommand {}

    /** Cancels the order and releases the stock its confirmation reserved. */
    record CancelWithStock(UUID orderId, String reason) implements StockCommand {}

    /** Adds stock of a product. */
    record AddStock(String productId, int quantity) implements StockCommand {}
}
