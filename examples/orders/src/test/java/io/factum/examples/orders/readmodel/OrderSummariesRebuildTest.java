package io.factum.examples.orders.readmodel;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.serialization.EventMetadata;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.subscription.ProjectionContext;
import io.factum.core.subscription.ProjectionSubscription;
import io.factum.core.subscription.SqlCheckpointStore;
import io.factum.core.subscription.SqlProjection;
import io.factum.core.subscription.Subscription;
import io.factum.examples.orders.app.OrdersApp;
import io.factum.examples.orders.ordering.OrderEvent;
import io.factum.examples.orders.ordering.OrderStatus;
import io.factum.store.sqlite.SqliteEventStore;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A blue/green rebuild of the OrderSummary read model on a SQLite file: version 2 builds its own tables
 * beside version 1's while queries keep reading version 1, then takes over and version 1's tables and
 * checkpoint are removed (docs/read-side.md, "Rebuilds without downtime").
 */
class OrderSummariesRebuildTest {

    static final Duration WAIT = Duration.ofSeconds(10);
    static final EventSerializer SERIALIZER = OrdersApp.eventSerializer();

    @TempDir
    Path dir;

    SqliteEventStore store;
    SqlCheckpointStore checkpoints;
    final List<UUID> orders = new ArrayList<>();

    @BeforeEach
    void open() {
        store = SqliteEventStore.open(dir.resolve("orders.db"));
        checkpoints = store.checkpoints();
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** Appends a pending order of {@code quantity} books at 10.00. */
    void placeOrder(int quantity) {
        UUID orderId = UUID.randomUUID();
        UUID customerId = UUID.randomUUID();
        store.append(
                "order-" + orderId,
                ExpectedVersion.noStream(),
                event(new OrderEvent.OrderCreated(orderId, customerId)),
                event(new OrderEvent.ItemAdded(orderId, "BOOK-1", quantity, new BigDecimal("10.00"))));
        orders.add(orderId);
    }

    static EventData event(OrderEvent event) {
        UUID id = UUID.randomUUID();
        return SERIALIZER.serialize(event, id, EventMetadata.startingWith(id, Instant.parse("2026-01-01T00:00:00Z")));
    }

    Map<OrderStatus, Long> pendingCount(long count) {
        return Map.of(
                OrderStatus.PENDING,
                count,
                OrderStatus.CONFIRMED,
                0L,
                OrderStatus.PAID,
                0L,
                OrderStatus.SHIPPED,
                0L,
                OrderStatus.CANCELLED,
                0L);
    }

    List<String> tables() {
        return checkpoints.query(connection -> {
            List<String> names = new ArrayList<>();
            try (Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery(
                            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'order_%' ORDER BY name")) {
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
            }
            return names;
        });
    }

    @Test
    void version_2_builds_beside_version_1_and_takes_over_when_it_has_caught_up() throws Exception {
        // given version 1 has built the read model of three orders
        for (int quantity = 1; quantity <= 3; quantity++) {
            placeOrder(quantity);
        }
        try (ProjectionSubscription v1 = Subscription.sqlProjection(store, checkpoints, new OrderSummaries(SERIALIZER))
                .start()) {
            assertThat(v1.awaitPosition(store.headPosition(), WAIT)).isTrue();
        }
        assertThat(tables()).containsExactly("order_lines_v1", "order_summary_v1");

        // when version 2 starts and is held in the middle of its replay
        Gated v2code = new Gated(new OrderSummaries(SERIALIZER, 2));
        try (ProjectionSubscription v2 =
                Subscription.sqlProjection(store, checkpoints, v2code).start()) {
            assertThat(v2code.started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

            // then queries read version 1, complete, while version 2 builds its own tables
            assertThat(v2code.rebuilding).isTrue();
            assertThat(v2.active().version()).isEqualTo(1);
            assertThat(v2.query(OrderSummaries.countByStatus())).isEqualTo(pendingCount(3));
            assertThat(v2.query(OrderSummaries.byId(orders.get(2)))
                            .orElseThrow()
                            .totalAmount())
                    .isEqualByComparingTo("30.00");
            assertThat(tables()).contains("order_summary_v1", "order_summary_v2");

            // when it is let go (the held replay holds the store's one write transaction, so the next
            // order can only be appended after that) and another order arrives
            v2code.release.countDown();
            placeOrder(4);
            assertThat(v2.awaitPosition(store.headPosition(), WAIT)).isTrue();

            // then version 2 is active and complete, version 1's tables and checkpoint are gone
            assertThat(v2.active().version()).isEqualTo(2);
            assertThat(checkpoints.activeVersion("order_summary")).hasValue(2);
            assertThat(v2.query(OrderSummaries.countByStatus())).isEqualTo(pendingCount(4));
            assertThat(v2.query(OrderSummaries.byId(orders.get(3)))
                            .orElseThrow()
                            .totalAmount())
                    .isEqualByComparingTo("40.00");
            assertThat(tables()).containsExactly("order_lines_v2", "order_summary_v2");
            assertThat(checkpoints.load("order_summary@v1")).isEqualTo(Position.START);
        }
    }

    /** A projection that waits, at its first event, until the test lets it go on. */
    static final class Gated implements SqlProjection {
        final SqlProjection code;
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean rebuilding;

        Gated(SqlProjection code) {
            this.code = code;
        }

        @Override
        public String name() {
            return code.name();
        }

        @Override
        public int version() {
            return code.version();
        }

        @Override
        public EventFilter filter() {
            return code.filter();
        }

        @Override
        public void create(Connection connection, ProjectionContext context) throws SQLException {
            code.create(connection, context);
        }

        @Override
        public void apply(Connection connection, ProjectionContext context, RecordedEvent recorded)
                throws SQLException {
            rebuilding = context.rebuilding();
            started.countDown();
            try {
                if (!release.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test did not let the rebuild go on");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while held", e);
            }
            code.apply(connection, context, recorded);
        }

        @Override
        public void drop(Connection connection, ProjectionContext context) throws SQLException {
            code.drop(connection, context);
        }
    }
}
