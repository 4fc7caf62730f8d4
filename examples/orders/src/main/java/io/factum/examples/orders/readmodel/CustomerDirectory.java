package io.factum.examples.orders.readmodel;

import static io.factum.examples.orders.readmodel.Sql.exec;
import static io.factum.examples.orders.readmodel.Sql.update;

import io.factum.core.EventFilter;
import io.factum.core.RecordedEvent;
import io.factum.core.gdpr.CryptoShredder;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.subscription.ProjectionContext;
import io.factum.core.subscription.ReadModelQuery;
import io.factum.core.subscription.SqlProjection;
import io.factum.examples.orders.customers.Address;
import io.factum.examples.orders.customers.CustomerEvent;
import io.factum.examples.orders.ordering.OrderEvent;
import io.factum.examples.orders.ordering.OrderStatus;
import io.factum.examples.orders.readmodel.Sql.Batch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Customers and their orders: {@code customers} (the current personal data) and {@code customer_orders}
 * (which orders a customer has, and their status). Reads two categories, so one projection keeps both
 * tables consistent in one transaction. When a customer is forgotten the personal columns are
 * overwritten with {@link #ERASED} at once; the orders stay. A rebuild (a higher {@link #version()}) reads
 * the events through a serializer with personal data, so a forgotten customer's events already carry
 * {@link #ERASED} in place of their name, email and address.
 */
public final class CustomerDirectory implements SqlProjection {

    /** What personal fields read after the customer was forgotten: {@value CryptoShredder#ERASED}. */
    public static final String ERASED = CryptoShredder.ERASED;

    private final EventSerializer serializer;
    private final int version;

    /** Version 1 of the read model. */
    public CustomerDirectory(EventSerializer serializer) {
        this(serializer, 1);
    }

    /** The read model at {@code version}; a version higher than the active one rebuilds it blue/green. */
    public CustomerDirectory(EventSerializer serializer, int version) {
        this.serializer = serializer;
        this.version = version;
    }

    @Override
    public String name() {
        return "customers";
    }

    @Override
    public int version() {
        return version;
    }

    @Override
    public EventFilter filter() {
        return EventFilter.categories("customer", "order");
    }

    @Override
    public void create(Connection connection, ProjectionContext context) throws SQLException {
        exec(
                connection,
                "CREATE TABLE IF NOT EXISTS " + context.table("customers")
                        + " (customer_id varchar(36) PRIMARY KEY, name varchar(400) NOT NULL, email varchar(400) NOT NULL,"
                        + " street varchar(400) NOT NULL, city varchar(200) NOT NULL, postal_code varchar(40) NOT NULL,"
                        + " country varchar(100) NOT NULL, forgotten integer NOT NULL)");
        exec(
                connection,
                "CREATE TABLE IF NOT EXISTS " + context.table("customer_orders")
                        + " (order_id varchar(36) PRIMARY KEY, customer_id varchar(36) NOT NULL, status varchar(16) NOT NULL,"
                        + " placed bigint NOT NULL)");
        exec(
                connection,
                "CREATE INDEX IF NOT EXISTS " + context.table("customer_orders_by_customer") + " ON "
                        + context.table("customer_orders") + " (customer_id)");
    }

    @Override
    public void apply(Connection connection, ProjectionContext context, RecordedEvent recorded) throws SQLException {
        applyAll(connection, context, List.of(recorded));
    }

    /**
     * Applies a batch: customer events one by one in log order (they are rare), the orders' rows as two
     * JDBC batches, new orders first, then status changes in log order.
     */
    @Override
    public void applyAll(Connection connection, ProjectionContext context, List<RecordedEvent> events)
            throws SQLException {
        String orders = context.table("customer_orders");
        try (Batch placed = new Batch(
                        connection,
                        "INSERT INTO " + orders + " (order_id, customer_id, status, placed) VALUES (?, ?, 'PENDING', ?)"
                                + " ON CONFLICT (order_id) DO NOTHING");
                Batch statuses = new Batch(connection, "UPDATE " + orders + " SET status = ? WHERE order_id = ?")) {
            for (RecordedEvent recorded : events) {
                if (recorded.category().equals("customer")) {
                    for (CustomerEvent event : serializer.deserializeEvents(recorded, CustomerEvent.class)) {
                        customer(connection, context.table("customers"), event);
                    }
                    continue;
                }
                for (OrderEvent event : serializer.deserializeEvents(recorded, OrderEvent.class)) {
                    String id = event.orderId().toString();
                    switch (event) {
                        case OrderEvent.OrderCreated created ->
                            placed.add(
                                    id,
                                    created.customerId().toString(),
                                    recorded.position().position());
                        case OrderEvent.OrderConfirmed confirmed -> statuses.add(OrderStatus.CONFIRMED.name(), id);
                        case OrderEvent.OrderCancelled cancelled -> statuses.add(OrderStatus.CANCELLED.name(), id);
                        case OrderEvent.OrderPaid paid -> statuses.add(OrderStatus.PAID.name(), id);
                        case OrderEvent.OrderShipped shipped -> statuses.add(OrderStatus.SHIPPED.name(), id);
                        default -> {}
                    }
                }
            }
            placed.flush();
            statuses.flush();
        }
    }

    private static void customer(Connection connection, String customers, CustomerEvent event) throws SQLException {
        String id = event.customerId().toString();
        switch (event) {
            case CustomerEvent.CustomerRegistered registered -> {
                Address a = registered.address();
                update(
                        connection,
                        "INSERT INTO " + customers + " (customer_id, name, email, street, city, postal_code, country,"
                                + " forgotten) VALUES (?, ?, ?, ?, ?, ?, ?, 0) ON CONFLICT (customer_id) DO NOTHING",
                        id,
                        registered.name(),
                        registered.email(),
                        a.street(),
                        a.city(),
                        a.postalCode(),
                        a.country());
            }
            case CustomerEvent.CustomerMovedHouse moved -> address(connection, customers, id, moved.address());
            case CustomerEvent.CustomerAddressCorrected corrected ->
                address(connection, customers, id, corrected.address());
            case CustomerEvent.CustomerForgotten forgotten ->
                update(
                        connection,
                        "UPDATE " + customers + " SET name = ?, email = ?, street = ?, city = ?, postal_code = ?,"
                                + " country = ?, forgotten = 1 WHERE customer_id = ?",
                        ERASED,
                        ERASED,
                        ERASED,
                        ERASED,
                        ERASED,
                        ERASED,
                        id);
        }
    }

    private static void address(Connection connection, String customers, String id, Address a) throws SQLException {
        update(
                connection,
                "UPDATE " + customers + " SET street = ?, city = ?, postal_code = ?, country = ? WHERE customer_id = ?",
                a.street(),
                a.city(),
                a.postalCode(),
                a.country(),
                id);
    }

    @Override
    public void drop(Connection connection, ProjectionContext context) throws SQLException {
        exec(connection, "DROP TABLE IF EXISTS " + context.table("customer_orders"));
        exec(connection, "DROP TABLE IF EXISTS " + context.table("customers"));
    }

    /** The customer with their orders (oldest first), if registered. */
    public static ReadModelQuery<Optional<CustomerView>> byId(UUID customerId) {
        return (connection, context) -> {
            List<CustomerView.Order> orders = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement("SELECT order_id, status FROM "
                    + context.table("customer_orders") + " WHERE customer_id = ? ORDER BY placed")) {
                statement.setString(1, customerId.toString());
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        orders.add(new CustomerView.Order(
                                UUID.fromString(rows.getString(1)), OrderStatus.valueOf(rows.getString(2))));
                    }
                }
            }
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT name, email, street, city, postal_code, country, forgotten FROM "
                            + context.table("customers") + " WHERE customer_id = ?")) {
                statement.setString(1, customerId.toString());
                try (ResultSet rows = statement.executeQuery()) {
                    if (!rows.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new CustomerView(
                            customerId,
                            rows.getString(1),
                            rows.getString(2),
                            new Address(rows.getString(3), rows.getString(4), rows.getString(5), rows.getString(6)),
                            rows.getInt(7) == 1,
                            orders));
                }
            }
        };
    }

    /** Every customer, by name (forgotten ones last, their name being erased), at most {@code limit}. */
    public static ReadModelQuery<List<CustomerListing>> all(int limit) {
        return (connection, context) -> {
            List<CustomerListing> found = new ArrayList<>();
            try (PreparedStatement statement =
                    connection.prepareStatement("SELECT customer_id, name, email, forgotten FROM "
                            + context.table("customers") + " ORDER BY forgotten, name, customer_id LIMIT ?")) {
                statement.setInt(1, limit);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        found.add(new CustomerListing(
                                UUID.fromString(rows.getString(1)),
                                rows.getString(2),
                                rows.getString(3),
                                rows.getInt(4) == 1));
                    }
                }
            }
            return found;
        };
    }
}
