package io.factum.examples.orders.readmodel;

import static io.factum.examples.orders.readmodel.Sql.amount;
import static io.factum.examples.orders.readmodel.Sql.cents;
import static io.factum.examples.orders.readmodel.Sql.exec;
import static io.factum.examples.orders.readmodel.Sql.text;
import static io.factum.examples.orders.readmodel.Sql.update;

import io.factum.core.EventFilter;
import io.factum.core.RecordedEvent;
import io.factum.core.serialization.Envelope;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.subscription.ProjectionContext;
import io.factum.core.subscription.ReadModelQuery;
import io.factum.core.subscription.SqlProjection;
import io.factum.examples.orders.ordering.OrderEvent;
import io.factum.examples.orders.ordering.OrderStatus;
import io.factum.examples.orders.readmodel.Sql.Batch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The OrderSummary read model: one row per order ({@code order_summary}) and its lines ({@code
 * order_lines}), kept exactly once in the store's database. After every batch of events the item count
 * and total of each order it touched are recomputed from the lines in SQL, so a corrected price shows in
 * the total at once. The SQL is the common dialect of SQLite and PostgreSQL.
 */
public final class OrderSummaries implements SqlProjection {

    private final EventSerializer serializer;
    private final int version;

    /** Version 1 of the read model. */
    public OrderSummaries(EventSerializer serializer) {
        this(serializer, 1);
    }

    /**
     * The read model at {@code version}. Started with a version higher than the active one, it builds its
     * own tables beside the active ones while queries keep reading those, then takes over and drops them
     * (blue/green, see docs/read-side.md).
     */
    public OrderSummaries(EventSerializer serializer, int version) {
        this.serializer = serializer;
        this.version = version;
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
        return EventFilter.categories("order");
    }

    @Override
    public void create(Connection connection, ProjectionContext context) throws SQLException {
        String summary = context.table("order_summary");
        String lines = context.table("order_lines");
        exec(
                connection,
                "CREATE TABLE IF NOT EXISTS " + summary + " (order_id varchar(36) PRIMARY KEY,"
                        + " customer_id varchar(36) NOT NULL, status varchar(16) NOT NULL, item_count integer NOT NULL,"
                        + " total_cents bigint NOT NULL, last_updated varchar(40) NOT NULL, version bigint NOT NULL)");
        exec(
                connection,
                "CREATE INDEX IF NOT EXISTS " + context.table("order_summary_by_customer") + " ON " + summary
                        + " (customer_id)");
        exec(
                connection,
                "CREATE INDEX IF NOT EXISTS " + context.table("order_summary_by_status") + " ON " + summary
                        + " (status)");
        exec(
                connection,
                "CREATE TABLE IF NOT EXISTS " + lines + " (order_id varchar(36) NOT NULL,"
                        + " product_id varchar(200) NOT NULL, quantity integer NOT NULL, unit_price_cents bigint NOT NULL,"
                        + " first_added bigint NOT NULL, PRIMARY KEY (order_id, product_id))");
    }

    @Override
    public void apply(Connection connection, ProjectionContext context, RecordedEvent recorded) throws SQLException {
        applyAll(connection, context, List.of(recorded));
    }

    /**
     * Applies a batch in four JDBC batches instead of two statements per event: the new orders' rows, the
     * line changes (in log order), the status changes (in log order), then each touched order's count and
     * total once, from its lines, with its last event's time and version. The steps touch different
     * tables or columns, so the rows end as they would event by event.
     */
    @Override
    public void applyAll(Connection connection, ProjectionContext context, List<RecordedEvent> events)
            throws SQLException {
        String summary = context.table("order_summary");
        String lines = context.table("order_lines");
        // one statement per row of a batch: with pgjdbc's reWriteBatchedInserts=true, two ItemAdded of one
        // product in a batch would become one INSERT ... ON CONFLICT touching a row twice, which fails (and
        // the runtime falls back to one event at a time)
        Map<String, Envelope<OrderEvent>> touched = new LinkedHashMap<>();
        try (Batch created = new Batch(
                        connection,
                        "INSERT INTO " + summary + " (order_id, customer_id, status, item_count, total_cents,"
                                + " last_updated, version) VALUES (?, ?, 'PENDING', 0, 0, ?, ?)"
                                + " ON CONFLICT (order_id) DO NOTHING");
                Batch added = new Batch(
                        connection,
                        "INSERT INTO " + lines + " (order_id, product_id, quantity, unit_price_cents, first_added)"
                                + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (order_id, product_id)"
                                + " DO UPDATE SET quantity = " + lines + ".quantity + excluded.quantity");
                Batch statuses = new Batch(connection, "UPDATE " + summary + " SET status = ? WHERE order_id = ?");
                Batch totals = new Batch(
                        connection,
                        "UPDATE " + summary + " SET"
                                + " item_count = (SELECT COUNT(*) FROM " + lines + " l WHERE l.order_id = ?),"
                                + " total_cents = (SELECT COALESCE(SUM(l.quantity * l.unit_price_cents), 0) FROM "
                                + lines
                                + " l WHERE l.order_id = ?), last_updated = ?, version = ? WHERE order_id = ?")) {
            for (RecordedEvent recorded : events) {
                for (Envelope<OrderEvent> envelope : serializer.deserialize(recorded, OrderEvent.class)) {
                    String orderId = envelope.event().orderId().toString();
                    switch (envelope.event()) {
                        case OrderEvent.OrderCreated c ->
                            created.add(
                                    orderId,
                                    c.customerId().toString(),
                                    text(envelope.recordedAt()),
                                    envelope.streamVersion());
                        case OrderEvent.ItemAdded a ->
                            added.add(
                                    orderId,
                                    a.productId(),
                                    a.quantity(),
                                    cents(a.unitPrice()),
                                    envelope.streamVersion());
                        case OrderEvent.ItemRemoved removed -> {
                            added.flush(); // line changes stay in log order
                            update(
                                    connection,
                                    "DELETE FROM " + lines + " WHERE order_id = ? AND product_id = ?",
                                    orderId,
                                    removed.productId());
                        }
                        case OrderEvent.ItemPriceCorrected corrected -> {
                            added.flush();
                            update(
                                    connection,
                                    "UPDATE " + lines
                                            + " SET unit_price_cents = ? WHERE order_id = ? AND product_id = ?",
                                    cents(corrected.unitPrice()),
                                    orderId,
                                    corrected.productId());
                        }
                        case OrderEvent.OrderConfirmed confirmed -> statuses.add(OrderStatus.CONFIRMED.name(), orderId);
                        case OrderEvent.OrderCancelled cancelled -> statuses.add(OrderStatus.CANCELLED.name(), orderId);
                        case OrderEvent.OrderPaid paid -> statuses.add(OrderStatus.PAID.name(), orderId);
                        case OrderEvent.OrderShipped shipped -> statuses.add(OrderStatus.SHIPPED.name(), orderId);
                    }
                    touched.put(orderId, envelope);
                }
            }
            created.flush();
            added.flush();
            statuses.flush();
            for (Map.Entry<String, Envelope<OrderEvent>> order : touched.entrySet()) {
                String orderId = order.getKey();
                Envelope<OrderEvent> last = order.getValue();
                totals.add(orderId, orderId, text(last.recordedAt()), last.streamVersion(), orderId);
            }
            totals.flush();
        }
    }

    @Override
    public void drop(Connection connection, ProjectionContext context) throws SQLException {
        exec(connection, "DROP TABLE IF EXISTS " + context.table("order_lines"));
        exec(connection, "DROP TABLE IF EXISTS " + context.table("order_summary"));
    }

    /** One order with its lines, if the read model has it. */
    public static ReadModelQuery<Optional<OrderSummary>> byId(UUID orderId) {
        return (connection, context) -> {
            List<OrderSummary> found =
                    select(connection, context, " WHERE s.order_id = ?", List.of(orderId.toString()));
            return found.stream().findFirst();
        };
    }

    /** The orders {@code search} asks for, newest change first, each with its lines. */
    public static ReadModelQuery<List<OrderSummary>> find(OrderSearch search) {
        return (connection, context) -> {
            List<String> conditions = new ArrayList<>();
            List<Object> parameters = new ArrayList<>();
            search.customerId().ifPresent(customer -> {
                conditions.add("s.customer_id = ?");
                parameters.add(customer.toString());
            });
            search.status().ifPresent(status -> {
                conditions.add("s.status = ?");
                parameters.add(status.name());
            });
            String where = conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
            return select(connection, context, where, parameters);
        };
    }

    /** How many orders are in each status (every status listed, 0 if none). */
    public static ReadModelQuery<Map<OrderStatus, Long>> countByStatus() {
        return (connection, context) -> {
            Map<OrderStatus, Long> counts = new EnumMap<>(OrderStatus.class);
            for (OrderStatus status : OrderStatus.values()) {
                counts.put(status, 0L);
            }
            try (PreparedStatement statement = connection.prepareStatement(
                            "SELECT status, COUNT(*) FROM " + context.table("order_summary") + " GROUP BY status");
                    ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    counts.put(OrderStatus.valueOf(rows.getString(1)), rows.getLong(2));
                }
            }
            return counts;
        };
    }

    /** The summaries the condition selects and, in a second query, all their lines. */
    private static List<OrderSummary> select(
            Connection connection, ProjectionContext context, String where, List<?> parameters) throws SQLException {
        String summary = context.table("order_summary");
        Map<String, List<OrderSummary.Line>> lines = new LinkedHashMap<>();
        try (PreparedStatement statement = prepare(
                        connection,
                        "SELECT l.order_id, l.product_id, l.quantity, l.unit_price_cents FROM "
                                + context.table("order_lines") + " l JOIN " + summary
                                + " s ON s.order_id = l.order_id" + where + " ORDER BY l.order_id, l.first_added",
                        parameters);
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                lines.computeIfAbsent(rows.getString(1), id -> new ArrayList<>())
                        .add(new OrderSummary.Line(rows.getString(2), rows.getInt(3), amount(rows.getLong(4))));
            }
        }
        List<OrderSummary> summaries = new ArrayList<>();
        try (PreparedStatement statement = prepare(
                        connection,
                        "SELECT s.order_id, s.customer_id, s.status, s.item_count, s.total_cents, s.last_updated,"
                                + " s.version FROM " + summary + " s" + where
                                + " ORDER BY s.last_updated DESC, s.order_id",
                        parameters);
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                String orderId = rows.getString(1);
                summaries.add(new OrderSummary(
                        UUID.fromString(orderId),
                        UUID.fromString(rows.getString(2)),
                        OrderStatus.valueOf(rows.getString(3)),
                        rows.getInt(4),
                        amount(rows.getLong(5)),
                        Instant.parse(rows.getString(6)),
                        rows.getLong(7),
                        lines.getOrDefault(orderId, List.of())));
            }
        }
        return summaries;
    }

    private static PreparedStatement prepare(Connection connection, String sql, List<?> parameters)
            throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < parameters.size(); i++) {
            statement.setObject(i + 1, parameters.get(i));
        }
        return statement;
    }
}
