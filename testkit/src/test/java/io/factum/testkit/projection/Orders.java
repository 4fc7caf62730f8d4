package io.factum.testkit.projection;

import io.factum.core.EventFilter;
import io.factum.core.RecordedEvent;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.serialization.EventTypes;
import io.factum.core.subscription.ProjectionContext;
import io.factum.core.subscription.SqlProjection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/** The events and read models of the projection tests: orders with a running total. */
final class Orders {

    private Orders() {}

    sealed interface OrderEvent {}

    record OrderPlaced(String orderId, int total) implements OrderEvent {}

    record ItemAdded(String orderId, int amount) implements OrderEvent {}

    record OrderCancelled(String orderId) implements OrderEvent {}

    static final EventSerializer SERIALIZER = EventSerializer.of(
            EventTypes.builder().registerSealed(OrderEvent.class).build());

    static OrderEvent read(RecordedEvent recorded) {
        return SERIALIZER.deserializeEvents(recorded, OrderEvent.class).get(0);
    }

    /** Order totals in the table {@code order_summary}: one row per order, cancelled orders deleted. */
    static final class OrderSummary implements SqlProjection {
        private final int version;
        private final EventFilter filter;

        OrderSummary() {
            this(1, EventFilter.all());
        }

        OrderSummary(int version, EventFilter filter) {
            this.version = version;
            this.filter = filter;
        }

        @Override
        public String name() {
            return "order_summary";
        }

        @Override
        public int version() {
            return version;
        }

        @Override
        public EventFilter filter() {
            return filter;
        }

        @Override
        public void create(Connection connection, ProjectionContext context) throws SQLException {
            try (Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE IF NOT EXISTS " + context.table("order_summary")
                        + " (order_id TEXT PRIMARY KEY, total INTEGER NOT NULL, items INTEGER NOT NULL)");
            }
        }

        @Override
        public void apply(Connection connection, ProjectionContext context, RecordedEvent event) throws SQLException {
            String table = context.table("order_summary");
            switch (read(event)) {
                case OrderPlaced placed ->
                    update(
                            connection,
                            "INSERT INTO " + table + " (order_id, total, items) VALUES (?, ?, 0)",
                            placed.orderId(),
                            placed.total());
                case ItemAdded added -> {
                    if (added.amount() < 0) {
                        throw new SQLException("negative amount " + added.amount());
                    }
                    update(
                            connection,
                            "UPDATE " + table + " SET total = total + ?, items = items + 1 WHERE order_id = ?",
                            added.amount(),
                            added.orderId());
                }
                case OrderCancelled cancelled ->
                    update(connection, "DELETE FROM " + table + " WHERE order_id = ?", cancelled.orderId());
            }
        }

        @Override
        public void drop(Connection connection, ProjectionContext context) throws SQLException {
            try (Statement statement = connection.createStatement()) {
                statement.execute("DROP TABLE IF EXISTS " + context.table("order_summary"));
            }
        }

        private static void update(Connection connection, String sql, Object... values) throws SQLException {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                for (int i = 0; i < values.length; i++) {
                    statement.setObject(i + 1, values[i]);
                }
                statement.executeUpdate();
            }
        }
    }
}
