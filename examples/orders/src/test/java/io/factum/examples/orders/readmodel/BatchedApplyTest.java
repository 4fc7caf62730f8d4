package io.factum.examples.orders.readmodel;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventData;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.serialization.EventMetadata;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.subscription.ProjectionContext;
import io.factum.core.subscription.SqlProjection;
import io.factum.examples.orders.app.OrdersApp;
import io.factum.examples.orders.customers.Address;
import io.factum.examples.orders.customers.CustomerEvent;
import io.factum.examples.orders.ordering.OrderEvent;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The read models apply a batch of events with a few JDBC batches whose statements run in another order
 * than the events (new rows first, each order's total once at the end): the tables must end as they end
 * when the same log is applied one event per transaction.
 */
class BatchedApplyTest {

    static final EventSerializer SERIALIZER = OrdersApp.eventSerializer();
    static final List<String> PRODUCTS = List.of("BOOK-1", "PEN-9", "MUG-3");

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void a_log_applied_in_batches_of_any_size_ends_as_one_applied_event_by_event(long seed) throws SQLException {
        List<RecordedEvent> log = randomLog(new Random(seed), 40);
        for (SqlProjection projection : List.of(
                new OrderSummaries(SERIALIZER), new CustomerDirectory(SERIALIZER), new DailySales(SERIALIZER))) {
            List<RecordedEvent> matching =
                    log.stream().filter(projection.filter()::matches).toList();
            try (Connection oneByOne = DriverManager.getConnection("jdbc:sqlite::memory:");
                    Connection batched = DriverManager.getConnection("jdbc:sqlite::memory:")) {
                ProjectionContext context = new ProjectionContext(projection.name(), projection.version(), false);
                projection.create(oneByOne, context);
                projection.create(batched, context);
                for (RecordedEvent event : matching) {
                    projection.apply(oneByOne, context, event);
                }
                Random sizes = new Random(seed * 31);
                for (int from = 0; from < matching.size(); ) {
                    int to = Math.min(matching.size(), from + 1 + sizes.nextInt(60));
                    projection.applyAll(batched, context, matching.subList(from, to));
                    from = to;
                }
                List<String> tables = tables(oneByOne);
                assertThat(tables).isNotEmpty();
                for (String table : tables) {
                    List<Map<String, Object>> expected = rows(oneByOne, table);
                    assertThat(rows(batched, table))
                            .as("%s of %s, seed %d", table, projection.name(), seed)
                            .isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void the_random_log_makes_orders_in_every_status_with_lines() throws SQLException {
        // the comparison above means something only if the log exercises every kind of row
        List<RecordedEvent> log = randomLog(new Random(7), 40);
        SqlProjection summaries = new OrderSummaries(SERIALIZER);
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite::memory:")) {
            ProjectionContext context = new ProjectionContext(summaries.name(), summaries.version(), false);
            summaries.create(connection, context);
            summaries.applyAll(
                    connection,
                    context,
                    log.stream().filter(summaries.filter()::matches).toList());
            List<Map<String, Object>> orders = rows(connection, "order_summary_v1");
            assertThat(orders).hasSize(40);
            assertThat(orders).extracting(row -> row.get("status")).contains("PENDING", "SHIPPED", "CANCELLED");
            assertThat(orders).anySatisfy(row -> assertThat(((Number) row.get("total_cents")).longValue())
                    .isPositive());
        }
    }

    /** Orders of a few customers, their events interleaved at random, with removals and corrections. */
    static List<RecordedEvent> randomLog(Random random, int orders) {
        List<UUID> customers = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        List<List<Object>> pending = new ArrayList<>();
        List<RecordedEvent> log = new ArrayList<>();
        Map<String, Long> versions = new HashMap<>();
        Instant[] clock = {Instant.parse("2026-03-01T10:00:00Z")};
        for (UUID customer : customers) {
            record(
                    log,
                    versions,
                    clock,
                    "customer-" + customer,
                    new CustomerEvent.CustomerRegistered(
                            customer, "Ada", "ada@example.com", new Address("1 Way", "London", "N1", "GB")));
        }
        for (int i = 0; i < orders; i++) {
            UUID order = UUID.randomUUID();
            List<Object> events = new ArrayList<>();
            events.add(new OrderEvent.OrderCreated(order, customers.get(random.nextInt(customers.size()))));
            for (int change = random.nextInt(6); change >= 0; change--) {
                String product = PRODUCTS.get(random.nextInt(PRODUCTS.size()));
                BigDecimal price = BigDecimal.valueOf(100 + random.nextInt(900), 2);
                events.add(
                        switch (random.nextInt(5)) {
                            case 0 -> new OrderEvent.ItemRemoved(order, product);
                            case 1 -> new OrderEvent.ItemPriceCorrected(order, product, BigDecimal.ONE, price, "typo");
                            default -> new OrderEvent.ItemAdded(order, product, 1 + random.nextInt(3), price);
                        });
            }
            switch (i % 4) {
                case 0 -> events.add(new OrderEvent.OrderCancelled(order, "changed my mind"));
                case 1 -> {}
                default -> {
                    events.add(new OrderEvent.OrderConfirmed(order, customers.get(0), BigDecimal.TEN));
                    events.add(new OrderEvent.OrderPaid(order, BigDecimal.TEN));
                    if (i % 4 == 3) {
                        events.add(new OrderEvent.OrderShipped(order, "TRACK-" + i));
                    }
                }
            }
            pending.add(events);
        }
        while (!pending.isEmpty()) {
            int pick = random.nextInt(pending.size());
            List<Object> events = pending.get(pick);
            Object event = events.remove(0);
            record(log, versions, clock, "order-" + ((OrderEvent) event).orderId(), event);
            if (events.isEmpty()) {
                pending.remove(pick);
            }
        }
        return log;
    }

    private static void record(
            List<RecordedEvent> log, Map<String, Long> versions, Instant[] clock, String stream, Object event) {
        long version = versions.merge(stream, 0L, (old, zero) -> old + 1);
        UUID id = UUID.randomUUID();
        EventData data = SERIALIZER.serialize(event, id, EventMetadata.startingWith(id, clock[0]));
        log.add(new RecordedEvent(
                id,
                stream,
                version,
                Position.of(log.size() + 1L),
                data.type(),
                data.schemaVersion(),
                data.data(),
                data.metadata(),
                clock[0]));
        clock[0] = clock[0].plus(Duration.ofSeconds(1));
    }

    private static List<String> tables(Connection connection) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows =
                        statement.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
            while (rows.next()) {
                tables.add(rows.getString(1));
            }
        }
        return tables;
    }

    private static List<Map<String, Object>> rows(Connection connection, String table) throws SQLException {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT * FROM " + table + " ORDER BY 1, 2")) {
            ResultSetMetaData columns = result.getMetaData();
            while (result.next()) {
                Map<String, Object> row = new HashMap<>();
                for (int i = 1; i <= columns.getColumnCount(); i++) {
                    row.put(columns.getColumnName(i), result.getObject(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }
}
