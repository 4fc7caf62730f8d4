package io.factum.examples.orders.readmodel;

import io.factum.core.serialization.EventSerializer;
import io.factum.core.subscription.ReadModelQuery;
import io.factum.examples.orders.app.OrdersApp;
import io.factum.examples.orders.customers.Address;
import io.factum.examples.orders.customers.CustomerEvent.CustomerForgotten;
import io.factum.examples.orders.customers.CustomerEvent.CustomerMovedHouse;
import io.factum.examples.orders.customers.CustomerEvent.CustomerRegistered;
import io.factum.examples.orders.ordering.OrderEvent.ItemAdded;
import io.factum.examples.orders.ordering.OrderEvent.ItemPriceCorrected;
import io.factum.examples.orders.ordering.OrderEvent.ItemRemoved;
import io.factum.examples.orders.ordering.OrderEvent.OrderCancelled;
import io.factum.examples.orders.ordering.OrderEvent.OrderConfirmed;
import io.factum.examples.orders.ordering.OrderEvent.OrderCreated;
import io.factum.examples.orders.ordering.OrderEvent.OrderPaid;
import io.factum.examples.orders.ordering.OrderStatus;
import io.factum.testkit.projection.ProjectionFixture;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ReadModelTest {

    static final EventSerializer SERIALIZER = OrdersApp.eventSerializer();
    static final UUID ORDER = UUID.fromString("00000000-0000-0000-0000-0000000000a1");
    static final UUID OTHER = UUID.fromString("00000000-0000-0000-0000-0000000000a2");
    static final UUID ADA = UUID.fromString("00000000-0000-0000-0000-0000000000c1");
    static final Address HOME = new Address("1 Analytical Way", "London", "N1 1AA", "GB");
    static final Address NEW_HOME = new Address("12 Engine Street", "Leeds", "LS1 4AP", "GB");
    static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    Connection connection;

    @BeforeEach
    void open() throws SQLException {
        connection = DriverManager.getConnection("jdbc:sqlite::memory:");
    }

    @AfterEach
    void close() throws SQLException {
        connection.close();
    }

    static BigDecimal eur(String amount) {
        return new BigDecimal(amount);
    }

    static String stream(UUID order) {
        return "order-" + order;
    }

    @Nested
    class Order_summary {
        ProjectionFixture.SqlFixture summaries() {
            return ProjectionFixture.forSql(SERIALIZER, new OrderSummaries(SERIALIZER), () -> connection);
        }

        @Test
        void counts_distinct_products_and_sums_the_lines() {
            summaries()
                    .given(
                            stream(ORDER),
                            new OrderCreated(ORDER, ADA),
                            new ItemAdded(ORDER, "BOOK-1", 2, eur("12.50")),
                            new ItemAdded(ORDER, "PEN-9", 3, eur("1.99")),
                            new ItemAdded(ORDER, "BOOK-1", 1, eur("12.50")))
                    .thenRows(
                            "SELECT order_id, status, item_count, total_cents, version FROM {order_summary}",
                            List.of(List.of(ORDER.toString(), "PENDING", 2, 4347, 3)))
                    .thenRows(
                            "SELECT product_id, quantity, unit_price_cents FROM {order_lines} ORDER BY first_added",
                            List.of(List.of("BOOK-1", 3, 1250), List.of("PEN-9", 3, 199)));
        }

        @Test
        void a_corrected_price_and_a_removed_item_show_in_the_total() {
            summaries()
                    .given(
                            stream(ORDER),
                            new OrderCreated(ORDER, ADA),
                            new ItemAdded(ORDER, "BOOK-1", 2, eur("12.50")),
                            new ItemAdded(ORDER, "PEN-9", 3, eur("1.99")),
                            new ItemPriceCorrected(ORDER, "BOOK-1", eur("12.50"), eur("10.00"), "typo"),
                            new ItemRemoved(ORDER, "PEN-9"),
                            new OrderConfirmed(ORDER, ADA, eur("20.00")))
                    .thenQuery(
                            OrderSummaries.byId(ORDER),
                            Optional.of(new OrderSummary(
                                    ORDER,
                                    ADA,
                                    OrderStatus.CONFIRMED,
                                    1,
                                    eur("20.00"),
                                    START.plusMillis(5), // the fixture records each event a millisecond later
                                    5,
                                    List.of(new OrderSummary.Line("BOOK-1", 2, eur("10.00"))))));
        }

        @Test
        void lists_a_customers_orders_by_status_and_counts_them() {
            ReadModelQuery<List<UUID>> cancelledOfAda = (c, context) ->
                    OrderSummaries.find(OrderSearch.all().ofCustomer(ADA).inStatus(OrderStatus.CANCELLED))
                            .run(c, context)
                            .stream()
                            .map(OrderSummary::orderId)
                            .toList();
            summaries()
                    .given(stream(ORDER), new OrderCreated(ORDER, ADA), new ItemAdded(ORDER, "BOOK-1", 1, eur("5.00")))
                    .given(stream(OTHER), new OrderCreated(OTHER, ADA), new OrderCancelled(OTHER, "changed my mind"))
                    .thenQuery(cancelledOfAda, List.of(OTHER));
        }

        @Test
        void counts_orders_by_status() {
            summaries()
                    .given(stream(ORDER), new OrderCreated(ORDER, ADA))
                    .given(stream(OTHER), new OrderCreated(OTHER, ADA), new OrderCancelled(OTHER, "changed my mind"))
                    .thenQuery(
                            OrderSummaries.countByStatus(),
                            Map.of(
                                    OrderStatus.PENDING, 1L,
                                    OrderStatus.CONFIRMED, 0L,
                                    OrderStatus.PAID, 0L,
                                    OrderStatus.SHIPPED, 0L,
                                    OrderStatus.CANCELLED, 1L));
        }
    }

    @Nested
    class Customer_directory {
        ProjectionFixture.SqlFixture directory() {
            return ProjectionFixture.forSql(SERIALIZER, new CustomerDirectory(SERIALIZER), () -> connection);
        }

        @Test
        void shows_the_current_address_and_the_customers_orders() {
            directory()
                    .given(
                            "customer-" + ADA,
                            new CustomerRegistered(ADA, "Ada Lovelace", "ada@example.com", HOME),
                            new CustomerMovedHouse(ADA, NEW_HOME))
                    .given(stream(ORDER), new OrderCreated(ORDER, ADA), new OrderConfirmed(ORDER, ADA, eur("5.00")))
                    .thenQuery(
                            CustomerDirectory.byId(ADA),
                            Optional.of(new CustomerView(
                                    ADA,
                                    "Ada Lovelace",
                                    "ada@example.com",
                                    NEW_HOME,
                                    false,
                                    List.of(new CustomerView.Order(ORDER, OrderStatus.CONFIRMED)))));
        }

        @Test
        void erases_the_personal_data_of_a_forgotten_customer_and_keeps_the_orders() {
            String erased = CustomerDirectory.ERASED;
            directory()
                    .given(
                            "customer-" + ADA,
                            new CustomerRegistered(ADA, "Ada Lovelace", "ada@example.com", HOME),
                            new CustomerForgotten(ADA))
                    .given(stream(ORDER), new OrderCreated(ORDER, ADA))
                    .thenQuery(
                            CustomerDirectory.byId(ADA),
                            Optional.of(new CustomerView(
                                    ADA,
                                    erased,
                                    erased,
                                    new Address(erased, erased, erased, erased),
                                    true,
                                    List.of(new CustomerView.Order(ORDER, OrderStatus.PENDING)))));
        }
    }

    @Nested
    class Daily_sales {
        @Test
        void adds_up_the_paid_orders_per_day() {
            var fixture = ProjectionFixture.forSql(SERIALIZER, new DailySales(SERIALIZER), () -> connection)
                    .given(stream(ORDER), new OrderCreated(ORDER, ADA), new OrderPaid(ORDER, eur("12.50")))
                    .given(stream(OTHER), new OrderPaid(OTHER, eur("7.25")));
            fixture.clock().advance(Duration.ofDays(1));
            fixture.given(stream(ORDER), new OrderPaid(ORDER, eur("1.00")))
                    .thenQuery(
                            DailySales.between(LocalDate.parse("2026-01-01"), LocalDate.parse("2026-01-31")),
                            List.of(
                                    new DailySales.Day(LocalDate.parse("2026-01-01"), 2, eur("19.75")),
                                    new DailySales.Day(LocalDate.parse("2026-01-02"), 1, eur("1.00"))));
        }
    }
}
