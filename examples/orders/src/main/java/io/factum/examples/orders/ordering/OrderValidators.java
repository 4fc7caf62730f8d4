package io.factum.examples.orders.ordering;

import io.factum.core.command.Validator;
import io.factum.examples.orders.ordering.OrderCommand.AddItem;
import io.factum.examples.orders.ordering.OrderCommand.CancelOrder;
import io.factum.examples.orders.ordering.OrderCommand.CorrectPrice;
import io.factum.examples.orders.ordering.OrderCommand.CreateOrder;
import io.factum.examples.orders.ordering.OrderCommand.RemoveItem;
import java.util.List;

/**
 * The shape of order commands (fields present, product ids not blank), checked by the command bus. The
 * business rules (quantity, price, status) are the decider's: they answer with a {@code RuleViolation}.
 */
public final class OrderValidators {

    private OrderValidators() {}

    public static List<Validator<?>> all() {
        return List.of(
                Validator.of(CreateOrder.class)
                        .require("orderId", c -> c.orderId() != null, "is required")
                        .require("customerId", c -> c.customerId() != null, "is required"),
                Validator.of(AddItem.class)
                        .require(
                                "productId",
                                c -> c.productId() != null && !c.productId().isBlank(),
                                "must not be blank")
                        .require("unitPrice", c -> c.unitPrice() != null, "is required"),
                Validator.of(RemoveItem.class)
                        .require(
                                "productId",
                                c -> c.productId() != null && !c.productId().isBlank(),
                                "must not be blank"),
                Validator.of(CorrectPrice.class)
                        .require(
                                "productId",
                                c -> c.productId() != null && !c.productId().isBlank(),
                                "must not be blank")
                        .require("unitPrice", c -> c.unitPrice() != null, "is required")
                        .require("reason", c -> c.reason() != null, "is required"),
                Validator.of(CancelOrder.class).require("reason", c -> c.reason() != null, "is required"));
    }
}
