package io.factum.examples.orders.readmodel;

import static io.factum.examples.orders.readmodel.Sql.amount;
import static io.factum.examples.orders.readmodel.Sql.cents;
import static io.factum.examples.orders.readmodel.Sql.exec;

import io.factum.core.EventFilter;
import io.factum.core.RecordedEvent;
import io.factum.core.serialization.Envelope;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.subscription.ProjectionContext;
import io.factum.core.subscription.ReadModelQuery;
import io.factum.core.subscription.SqlProjection;
import io.factum.examples.orders.ordering.OrderEvent;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * A small daily sales report: per day (UTC, of the payment) the number of paid orders and their revenue.
 * Each payment only adds to its day's row, so the upserts of a batch do not depend on each other and
 * {@link #applyAll} sends them as one JDBC batch.
 */
public final class DailySales implements SqlProjection {

    /** One day of the report. */
    public record Day(LocalDate day, long ordersPaid, BigDecimal revenue) {}

    private final EventSerializer serializer;

    public DailySales(EventSerializer serializer) {
        this.serializer = serializer;
    }

    @Override
    public String name() {
        return "daily_sales";
    }

    @Override
    public EventFilter filter() {
        return EventFilter.categories("order").andEventTypes("OrderPaid");
    }

    @Override
    public void create(Connection connection, ProjectionContext context) throws SQLException {
        exec(
                connection,
                "CREATE TABLE IF NOT EXISTS " + context.table("daily_sales")
                        + " (day varchar(10) PRIMARY KEY, orders_paid bigint NOT NULL, revenue_cents bigint NOT NULL)");
    }

    @Override
    public void apply(Connection connection, ProjectionContext context, RecordedEvent event) throws SQLException {
        applyAll(connection, context, List.of(event));
    }

    @Override
    public void applyAll(Connection connection, ProjectionContext context, List<RecordedEvent> events)
            throws SQLException {
        String table = context.table("daily_sales");
        try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO " + table
                + " (day, orders_paid, revenue_cents) VALUES (?, 1, ?) ON CONFLICT (day) DO UPDATE SET"
                + " orders_paid = " + table + ".orders_paid + 1,"
                + " revenue_cents = " + table + ".revenue_cents + excluded.revenue_cents")) {
            int batched = 0;
            for (RecordedEvent recorded : events) {
                for (Envelope<OrderEvent> envelope : serializer.deserialize(recorded, OrderEvent.class)) {
                    if (envelope.event() instanceof OrderEvent.OrderPaid paid) {
                        upsert.setString(
                                1,
                                LocalDate.ofInstant(envelope.recordedAt(), ZoneOffset.UTC)
                                        .toString());
                        upsert.setLong(2, cents(paid.amount()));
                        upsert.addBatch();
                        batched++;
                    }
                }
            }
            if (batched > 0) {
                upsert.executeBatch();
            }
        }
    }

    @Override
    public void drop(Connection connection, ProjectionContext context) throws SQLException {
        exec(connection, "DROP TABLE IF EXISTS " + context.table("daily_sales"));
    }

    /** The days from {@code from} to {@code to} (both included) that had sales, oldest first. */
    public static ReadModelQuery<List<Day>> between(LocalDate from, LocalDate to) {
        return (connection, context) -> {
            List<Day> days = new ArrayList<>();
            try (PreparedStatement statement =
                    connection.prepareStatement("SELECT day, orders_paid, revenue_cents FROM "
                            + context.table("daily_sales") + " WHERE day >= ? AND day <= ? ORDER BY day")) {
                statement.setString(1, from.toString());
                statement.setString(2, to.toString());
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        days.add(new Day(LocalDate.parse(rows.getString(1)), rows.getLong(2), amount(rows.getLong(3))));
                    }
                }
            }
            return days;
        };
    }
}
