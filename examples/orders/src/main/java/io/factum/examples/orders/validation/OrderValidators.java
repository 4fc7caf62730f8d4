package io.factum.examples.orders.validation;

import io.factum.core.command.Validator;
import io.factum.examples.orders.ordering.OrderCommand.AddItem;
import io.factum.examples.orders.ordering.OrderCommand.CancelOrder;
import io.factum.examples.orders.ordering.OrderCommand.CorrectPrice;
import io.factum.examples.orders.ordering.OrderCommand.CreateOrder;
import io.factum.examples.orders.ordering.OrderCommand.RemoveItem;
import java.math.BigDecimal;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The shape of order commands (fields present, product ids not blank, every number and text within the
 * bounds the read models can keep), checked by the command bus. The business rules (a positive quantity and
 * price, cents, status) are the decider's: they refuse with a {@code RuleBroken}.
 */
public final class OrderValidators {

    /** The highest unit price an order takes: its cents, times {@link #MAX_QUANTITY}, fit a long with room. */
    public static final BigDecimal MAX_UNIT_PRICE = new BigDecimal("1000000.00");

    /** The most of one product an order line takes. */
    public static final int MAX_QUANTITY = 10_000;

    /** The longest product id (the read models keep up to 200 characters). */
    public static final int MAX_PRODUCT_ID = 100;

    /** The longest reason for a correction or a cancellation. */
    public static final int MAX_REASON = 500;

    private OrderValidators() {}

    public static List<Validator<?>> all() {
        return List.of(
                Validator.of(CreateOrder.class)
                        .require("orderId", c -> c.orderId() != null, "is required")
                        .require("customerId", c -> c.customerId() != null, "is required"),
                unitPrice(productId(Validator.of(AddItem.class), AddItem::productId), AddItem::unitPrice)
                        .require(
                                "quantity",
                                c -> c.quantity() <= MAX_QUANTITY,
                                c -> "must be at most " + MAX_QUANTITY + ", got " + c.quantity()),
                productId(Validator.of(RemoveItem.class), RemoveItem::productId),
                reason(
                        unitPrice(
                                productId(Validator.of(CorrectPrice.class), CorrectPrice::productId),
                                CorrectPrice::unitPrice),
                        CorrectPrice::reason),
                reason(Validator.of(CancelOrder.class), CancelOrder::reason));
    }

    private static <C> Validator<C> unitPrice(Validator<C> validator, Function<C, @Nullable BigDecimal> price) {
        return validator
                .require("unitPrice", c -> price.apply(c) != null, "is required")
                .require(
                        "unitPrice",
                        c -> price.apply(c) == null || price.apply(c).compareTo(MAX_UNIT_PRICE) <= 0,
                        c -> "must be at most " + MAX_UNIT_PRICE + ", got " + price.apply(c));
    }

    private static <C> Validator<C> reason(Validator<C> validator, Function<C, @Nullable String> reason) {
        return validator
                .require("reason", c -> reason.apply(c) != null, "is required")
                .require(
                        "reason",
                        c -> reason.apply(c) == null || reason.apply(c).length() <= MAX_REASON,
                        c -> "must be at most " + MAX_REASON + " characters, got "
                                + reason.apply(c).length());
    }

    private static <C> Validator<C> productId(Validator<C> validator, Function<C, @Nullable String> productId) {
        return validator
                .require(
                        "productId",
                        c -> productId.apply(c) != null && !productId.apply(c).isBlank(),
                        "must not be blank")
                .require(
                        "productId",
                        c -> productId.apply(c) == null || productId.apply(c).length() <= MAX_PRODUCT_ID,
                        c -> "must be at most " + MAX_PRODUCT_ID + " characters, got "
                                + productId.apply(c).length());
    }
}
