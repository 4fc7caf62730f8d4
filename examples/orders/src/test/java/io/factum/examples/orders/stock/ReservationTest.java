package io.factum.examples.orders.stock;

import io.factum.examples.orders.app.Boundaries;
import io.factum.examples.orders.app.Deciders;
import io.factum.examples.orders.app.OrdersApp;
import io.factum.examples.orders.ordering.OrderEvent.ItemAdded;
import io.factum.examples.orders.ordering.OrderEvent.OrderCancelled;
import io.factum.examples.orders.ordering.OrderEvent.OrderConfirmed;
import io.factum.examples.orders.ordering.OrderEvent.OrderCreated;
import io.factum.examples.orders.stock.StockCommand.CancelWithStock;
import io.factum.examples.orders.stock.StockCommand.ConfirmWithStock;
import io.factum.examples.orders.stock.StockEvent.StockAdded;
import io.factum.examples.orders.stock.StockEvent.StockReleased;
import io.factum.examples.orders.stock.StockEvent.StockReserved;
import io.factum.testkit.aggregate.DcbFixture;
import java.math.BigDecimal;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The stock decision, given-when-then through a store: the events land in their streams with their tags. */
class ReservationTest {

    static final UUID ORDER = UUID.fromString("00000000-0000-0000-0000-00000000000a");
    static final UUID OTHER = UUID.fromString("00000000-0000-0000-0000-00000000000b");
    static final UUID CUSTOMER = UUID.fromString("00000000-0000-0000-0000-0000000000c1");

    final DcbFixture<StockCommand, Object, Reservation> stock = DcbFixture.of(
                    Boundaries.STOCK, OrdersApp.eventSerializer(), Object.class)
            .rejections(Deciders.REJECTIONS);

    @Test
    void confirming_reserves_the_stock_of_each_stocked_product() {
        stock.given(
                        new StockAdded("LAMP-1", 3),
                        new OrderCreated(ORDER, CUSTOMER),
                        new ItemAdded(ORDER, "LAMP-1", 2, new BigDecimal("10.00")))
                .when(new ConfirmWithStock(ORDER, Set.of("LAMP-1")))
                .then(
                        new OrderConfirmed(ORDER, CUSTOMER, new BigDecimal("20.00")),
                        new StockReserved("LAMP-1", ORDER, 2));
    }

    @Test
    void another_order_s_reservation_counts() {
        stock.given(
                        new StockAdded("LAMP-1", 3),
                        new StockReserved("LAMP-1", OTHER, 2),
                        new OrderCreated(ORDER, CUSTOMER),
                        new ItemAdded(ORDER, "LAMP-1", 2, new BigDecimal("10.00")))
                .when(new ConfirmWithStock(ORDER, Set.of("LAMP-1")))
                .thenRejected(
                        "out-of-stock",
                        "order " + ORDER + " cannot be confirmed: not enough stock of LAMP-1 (2 ordered, 1 left)");
    }

    @Test
    void cancelling_a_confirmed_order_releases_what_it_reserved() {
        stock.given(
                        new StockAdded("LAMP-1", 3),
                        new OrderCreated(ORDER, CUSTOMER),
                        new ItemAdded(ORDER, "LAMP-1", 2, new BigDecimal("10.00")),
                        new OrderConfirmed(ORDER, CUSTOMER, new BigDecimal("20.00")),
                        new StockReserved("LAMP-1", ORDER, 2))
                .when(new CancelWithStock(ORDER, "changed my mind"))
                .then(new OrderCancelled(ORDER, "changed my mind"), new StockReleased("LAMP-1", ORDER, 2));
    }
}
