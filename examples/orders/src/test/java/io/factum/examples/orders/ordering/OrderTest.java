package io.factum.examples.orders.ordering;

import io.factum.core.EventStore;
import io.factum.examples.orders.app.Deciders;
import io.factum.examples.orders.app.OrdersApp;
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
import io.factum.testkit.aggregate.DeciderFixture;
import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class OrderTest {

    static final UUID ORDER = UUID.fromString("00000000-0000-0000-0000-0000000000a1");
    static final UUID CUSTOMER = UUID.fromString("00000000-0000-0000-0000-0000000000c1");

    final DeciderFixture<OrderCommand, OrderEvent, Order> order =
            DeciderFixture.of(Deciders.ORDER).rejections(Deciders.REJECTIONS);

    static BigDecimal eur(String amount) {
        return new BigDecimal(amount);
    }

    static OrderCreated created() {
        return new OrderCreated(ORDER, CUSTOMER);
    }

    static ItemAdded book(int quantity) {
        return new ItemAdded(ORDER, "BOOK-1", quantity, eur("12.50"));
    }

    static OrderConfirmed confirmed(String total) {
        return new OrderConfirmed(ORDER, CUSTOMER, eur(total));
    }

    @Nested
    class Creating {
        @Test
        void creates_an_order_for_a_customer() {
            order.when(new CreateOrder(ORDER, CUSTOMER)).then(created());
        }

        @Test
        void refuses_to_create_an_order_twice() {
            order.given(created())
                    .when(new CreateOrder(ORDER, CUSTOMER))
                    .thenRejected("order-exists", "order " + ORDER + " already exists");
        }

        @Test
        void refuses_any_other_command_before_the_order_exists() {
            order.when(new ConfirmOrder(ORDER))
                    .thenRejected("order-unknown", "order " + ORDER + " does not exist; create it first");
        }
    }

    @Nested
    class Adding_items {
        @Test
        void adds_a_product_with_its_price_in_cents() {
            order.given(created())
                    .when(new AddItem(ORDER, "BOOK-1", 2, eur("12.5")))
                    .then(new ItemAdded(ORDER, "BOOK-1", 2, eur("12.50")));
        }

        @Test
        void adding_a_product_already_in_the_order_raises_its_quantity() {
            order.given(created(), book(2))
                    .when(new AddItem(ORDER, "BOOK-1", 3, eur("12.50")))
                    .thenState(new Order(
                            true, CUSTOMER, OrderStatus.PENDING, List.of(new Order.Line("BOOK-1", 5, eur("12.50")))));
        }

        @Test
        void refuses_a_quantity_below_one() {
            order.given(created())
                    .when(new AddItem(ORDER, "BOOK-1", 0, eur("12.50")))
                    .thenRejected("quantity-positive", "quantity must be at least 1, got 0");
        }

        @Test
        void refuses_a_price_of_zero_or_less() {
            order.given(created())
                    .when(new AddItem(ORDER, "BOOK-1", 1, eur("0.00")))
                    .thenRejected("price-positive", "unit price must be greater than 0, got 0.00");
        }

        @Test
        void refuses_a_price_with_more_than_two_decimal_places() {
            order.given(created())
                    .when(new AddItem(ORDER, "BOOK-1", 1, eur("1.005")))
                    .thenRejected("price-in-cents", "unit price must have at most two decimal places, got 1.005");
        }

        @Test
        void refuses_the_same_product_at_another_price() {
            order.given(created(), book(1))
                    .when(new AddItem(ORDER, "BOOK-1", 1, eur("9.99")))
                    .thenRejected(
                            "price-differs",
                            "product BOOK-1 is in the order at 12.50, not 9.99; correct its price instead");
        }

        @Test
        void removes_a_product() {
            order.given(created(), book(1))
                    .when(new RemoveItem(ORDER, "BOOK-1"))
                    .then(new ItemRemoved(ORDER, "BOOK-1"));
        }

        @Test
        void refuses_to_remove_a_product_that_is_not_in_the_order() {
            order.given(created())
                    .when(new RemoveItem(ORDER, "PEN-9"))
                    .thenRejected("product-not-in-order", "product PEN-9 is not in the order");
        }
    }

    @Nested
    class Correcting_a_price {
        @Test
        void records_the_old_and_the_new_price_and_the_reason() {
            order.given(created(), book(2))
                    .when(new CorrectPrice(ORDER, "BOOK-1", eur("10"), " typo "))
                    .then(new ItemPriceCorrected(ORDER, "BOOK-1", eur("12.50"), eur("10.00"), "typo"));
        }

        @Test
        void the_correction_shows_in_the_total() {
            order.given(created(), book(2), new ItemPriceCorrected(ORDER, "BOOK-1", eur("12.50"), eur("10.00"), "typo"))
                    .when(new ConfirmOrder(ORDER))
                    .then(confirmed("20.00"));
        }

        @Test
        void needs_a_reason() {
            order.given(created(), book(2))
                    .when(new CorrectPrice(ORDER, "BOOK-1", eur("10.00"), " "))
                    .thenRejected("reason-required", "correcting a price needs a reason");
        }

        @Test
        void the_same_price_changes_nothing() {
            order.given(created(), book(2))
                    .when(new CorrectPrice(ORDER, "BOOK-1", eur("12.5"), "typo"))
                    .thenNothing();
        }
    }

    @Nested
    class Confirming {
        @Test
        void confirms_with_the_total_of_the_lines() {
            order.given(created(), book(2), new ItemAdded(ORDER, "PEN-9", 3, eur("1.99")))
                    .when(new ConfirmOrder(ORDER))
                    .then(confirmed("30.97"));
        }

        @Test
        void needs_at_least_one_item() {
            order.given(created())
                    .when(new ConfirmOrder(ORDER))
                    .thenRejected(
                            "order-empty", "order " + ORDER + " has no items; add at least one before confirming");
        }

        @Test
        void allows_no_changes_to_the_items_after_confirmation() {
            order.given(created(), book(1), confirmed("12.50"))
                    .when(new AddItem(ORDER, "PEN-9", 1, eur("1.99")))
                    .thenRejected(
                            "order-not-pending",
                            "order " + ORDER + " is CONFIRMED; only while it is PENDING items can be added");
        }

        @Test
        void allows_no_price_correction_after_confirmation() {
            order.given(created(), book(1), confirmed("12.50"))
                    .when(new CorrectPrice(ORDER, "BOOK-1", eur("1.00"), "typo"))
                    .thenRejected(
                            "order-not-pending",
                            "order " + ORDER + " is CONFIRMED; only while it is PENDING prices can be corrected");
        }
    }

    @Nested
    class Cancelling {
        @Test
        void cancels_a_confirmed_order_with_its_reason() {
            order.given(created(), book(1), confirmed("12.50"))
                    .when(new CancelOrder(ORDER, "changed my mind"))
                    .then(new OrderCancelled(ORDER, "changed my mind"));
        }

        @Test
        void needs_a_reason() {
            order.given(created())
                    .when(new CancelOrder(ORDER, "  "))
                    .thenRejected("reason-required", "cancelling an order needs a reason");
        }

        @Test
        void cannot_cancel_a_paid_order() {
            order.given(created(), book(1), confirmed("12.50"), new OrderPaid(ORDER, eur("12.50")))
                    .when(new CancelOrder(ORDER, "too late"))
                    .thenRejected(
                            "order-not-cancellable", "order " + ORDER + " is PAID and can no longer be cancelled");
        }

        @Test
        void cancelling_again_changes_nothing() {
            order.given(created(), new OrderCancelled(ORDER, "first"))
                    .when(new CancelOrder(ORDER, "again"))
                    .thenNothing();
        }
    }

    @Nested
    class Fulfilling {
        @Test
        void a_confirmed_order_is_paid_then_shipped() {
            order.given(created(), book(1), confirmed("12.50"))
                    .when(new MarkPaid(ORDER, eur("12.50")))
                    .then(new OrderPaid(ORDER, eur("12.50")));
            order.given(created(), book(1), confirmed("12.50"), new OrderPaid(ORDER, eur("12.50")))
                    .when(new MarkShipped(ORDER, "TRACK-1"))
                    .then(new OrderShipped(ORDER, "TRACK-1"));
        }

        @Test
        void a_pending_order_cannot_be_paid() {
            order.given(created(), book(1))
                    .when(new MarkPaid(ORDER, eur("12.50")))
                    .thenRejected(
                            "order-not-confirmed",
                            "order " + ORDER + " is PENDING; only a CONFIRMED order can be paid");
        }

        @Test
        void an_unpaid_order_cannot_be_shipped() {
            order.given(created(), book(1), confirmed("12.50"))
                    .when(new MarkShipped(ORDER, "TRACK-1"))
                    .thenRejected(
                            "order-not-paid", "order " + ORDER + " is CONFIRMED; only a PAID order can be shipped");
        }
    }

    @Nested
    class Through_a_real_store {
        @Test
        void the_events_survive_serialization() {
            try (EventStore store = EventStore.inMemory()) {
                order.onStore(store, OrdersApp.eventSerializer(), OrderEvent.class)
                        .given(created(), book(2))
                        .when(new CorrectPrice(ORDER, "BOOK-1", eur("10.00"), "typo"))
                        .then(new ItemPriceCorrected(ORDER, "BOOK-1", eur("12.50"), eur("10.00"), "typo"));
            }
        }
    }
}
