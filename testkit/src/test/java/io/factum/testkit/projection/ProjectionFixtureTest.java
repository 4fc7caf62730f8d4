package io.factum.testkit.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.EventFilter;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.subscription.EventHandler;
import io.factum.testkit.projection.Orders.ItemAdded;
import io.factum.testkit.projection.Orders.OrderCancelled;
import io.factum.testkit.projection.Orders.OrderPlaced;
import io.factum.testkit.projection.Orders.OrderSummary;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class ProjectionFixtureTest {

    /** Totals by order; an added item counts once per position, so a redelivery changes nothing. */
    static final class Totals implements EventHandler {
        final Map<String, Integer> totals = new HashMap<>();
        private final Set<Position> seen = new HashSet<>();

        @Override
        public void handle(RecordedEvent event) {
            if (!seen.add(event.position())) {
                return;
            }
            switch (Orders.read(event)) {
                case OrderPlaced placed -> totals.put(placed.orderId(), placed.total());
                case ItemAdded added -> totals.merge(added.orderId(), added.amount(), Integer::sum);
                case OrderCancelled cancelled -> totals.remove(cancelled.orderId());
            }
        }

        Map<String, Integer> view() {
            return Map.copyOf(totals);
        }
    }

    @Nested
    class An_event_handler {

        @Test
        void passes_when_the_read_model_is_as_expected() {
            Totals totals = new Totals();
            ProjectionFixture.forHandler(Orders.SERIALIZER, totals)
                    .given("order-1", new OrderPlaced("1", 100), new ItemAdded("1", 20))
                    .given("order-2", new OrderPlaced("2", 5))
                    .then(totals::view, Map.of("1", 120, "2", 5))
                    .given("order-2", new OrderCancelled("2"))
                    .then(totals::view, Map.of("1", 120));
        }

        @Test
        void delivers_consecutive_versions_per_stream_and_increasing_positions() {
            List<RecordedEvent> delivered = new ArrayList<>();
            ProjectionFixture.HandlerFixture fixture = ProjectionFixture.forHandler(Orders.SERIALIZER, delivered::add)
                    .given("order-1", new OrderPlaced("1", 100))
                    .given("order-2", new OrderPlaced("2", 5))
                    .given("order-1", new ItemAdded("1", 20));

            assertThat(delivered)
                    .extracting(e -> e.streamId() + "@" + e.streamVersion() + " #"
                            + e.position().position())
                    .containsExactly("order-1@0 #1", "order-2@0 #2", "order-1@1 #3");
            assertThat(delivered.get(0).recordedAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
            assertThat(delivered.get(2).recordedAt()).isBefore(fixture.clock().instant());
            assertThat(delivered).extracting(RecordedEvent::eventId).doesNotHaveDuplicates();
            assertThat(Orders.read(delivered.get(2))).isEqualTo(new ItemAdded("1", 20));
        }

        @Test
        void fails_showing_expected_actual_and_the_given_events() {
            Totals totals = new Totals();
            ProjectionFixture.HandlerFixture fixture = ProjectionFixture.forHandler(Orders.SERIALIZER, totals)
                    .given("order-1", new OrderPlaced("1", 100), new ItemAdded("1", 20));

            assertThatThrownBy(() -> fixture.then(totals::view, Map.of("1", 100)))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageContaining("the read model is not as expected\n  expected: {1=100}\n  actual:   {1=120}")
                    .hasMessageContaining("given:\n   1  order-1@0  OrderPlaced[orderId=1, total=100]\n"
                            + "   2  order-1@1  ItemAdded[orderId=1, amount=20]");
        }

        @Test
        void passes_the_idempotency_check_when_a_redelivery_changes_nothing() {
            Totals totals = new Totals();
            ProjectionFixture.forHandler(Orders.SERIALIZER, totals)
                    .given("order-1", new OrderPlaced("1", 100), new ItemAdded("1", 20))
                    .thenIdempotent(totals::view)
                    .then(totals::view, Map.of("1", 120));
        }

        @Test
        void fails_the_idempotency_check_of_a_handler_that_counts_twice() {
            Map<String, Integer> totals = new HashMap<>();
            EventHandler naive = event -> {
                if (Orders.read(event) instanceof ItemAdded added) {
                    totals.merge(added.orderId(), added.amount(), Integer::sum);
                }
            };
            ProjectionFixture.HandlerFixture fixture =
                    ProjectionFixture.forHandler(Orders.SERIALIZER, naive).given("order-1", new ItemAdded("1", 20));

            // the query returns the live map, not a copy: the check still sees the change
            assertThatThrownBy(() -> fixture.thenIdempotent(() -> totals))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageContaining("the read model changed when every event was delivered again")
                    .hasMessageContaining("before: {1=20}\n  after:  {1=40}")
                    .hasMessageContaining("then every event was delivered again");
        }

        @Test
        void delivers_everything_again_on_request() {
            Map<String, Integer> totals = new HashMap<>();
            EventHandler naive = event -> {
                if (Orders.read(event) instanceof ItemAdded added) {
                    totals.merge(added.orderId(), added.amount(), Integer::sum);
                }
            };
            ProjectionFixture.forHandler(Orders.SERIALIZER, naive)
                    .given("order-1", new ItemAdded("1", 20))
                    .givenDeliveredTwice()
                    .then(() -> Map.copyOf(totals), Map.of("1", 40));
        }

        @Test
        void runs_assertion_checks_and_reports_their_failure_with_the_given_events() {
            Totals totals = new Totals();
            ProjectionFixture.HandlerFixture fixture = ProjectionFixture.forHandler(Orders.SERIALIZER, totals)
                    .given("order-1", new OrderPlaced("1", 100))
                    .thenSatisfies(totals::view, view -> assertThat(view).containsKey("1"));

            assertThatThrownBy(() -> fixture.thenSatisfies(
                            totals::view, view -> assertThat(view).containsKey("2")))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageContaining("the read model does not pass the check")
                    .hasMessageContaining("read model: {1=100}")
                    .hasMessageContaining("1  order-1@0  OrderPlaced[orderId=1, total=100]")
                    .cause()
                    .isInstanceOf(AssertionError.class);
        }

        @Test
        void names_the_event_a_handler_fails_on() {
            EventHandler failing = event -> {
                throw new IllegalStateException("index is down");
            };
            assertThatThrownBy(() -> ProjectionFixture.forHandler(Orders.SERIALIZER, failing)
                            .given("order-1", new OrderPlaced("1", 100)))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageContaining("the handler failed on order-1@0  OrderPlaced[orderId=1, total=100]:"
                            + " java.lang.IllegalStateException: index is down")
                    .hasRootCauseInstanceOf(IllegalStateException.class);
        }
    }

    @Nested
    class A_sql_projection {

        Connection connection;

        @BeforeEach
        void open() throws SQLException {
            connection = DriverManager.getConnection("jdbc:sqlite::memory:");
        }

        @AfterEach
        void close() throws SQLException {
            connection.close();
        }

        ProjectionFixture.SqlFixture fixture() {
            return ProjectionFixture.forSql(Orders.SERIALIZER, new OrderSummary(), () -> connection);
        }

        @Test
        void passes_when_the_rows_are_as_expected_as_lists_or_maps() {
            fixture()
                    .given("order-1", new OrderPlaced("1", 100), new ItemAdded("1", 20))
                    .given("order-2", new OrderPlaced("2", 5))
                    .thenRows(
                            "SELECT order_id, total, items FROM {order_summary} ORDER BY order_id",
                            List.of(List.of("1", 120L, 1), List.of("2", 5, 0)))
                    .thenRows(
                            "SELECT order_id, total FROM {order_summary} WHERE order_id = '2'",
                            List.of(Map.of("order_id", "2", "total", 5)))
                    .given("order-2", new OrderCancelled("2"))
                    .thenRows("SELECT order_id FROM {order_summary} WHERE order_id = '2'", List.of());
        }

        @Test
        void names_the_tables_of_the_projections_version() {
            ProjectionFixture.SqlFixture fixture = ProjectionFixture.forSql(
                            Orders.SERIALIZER, new OrderSummary(2, EventFilter.all()), () -> connection)
                    .given("order-1", new OrderPlaced("1", 100))
                    .thenRows("SELECT count(*) FROM order_summary_v2", List.of(List.of(1)))
                    .thenRows("SELECT count(*) FROM {order_summary}", List.of(List.of(1)));

            assertThat(fixture.context().table("order_summary")).isEqualTo("order_summary_v2");
        }

        @Test
        void fails_showing_expected_and_actual_rows_side_by_side() {
            ProjectionFixture.SqlFixture fixture = fixture()
                    .given("order-1", new OrderPlaced("1", 100), new ItemAdded("1", 20))
                    .given("order-2", new OrderPlaced("2", 5));

            assertThatThrownBy(() -> fixture.thenRows(
                            "SELECT order_id, total FROM {order_summary} ORDER BY order_id",
                            List.of(List.of("1", 120), List.of("2", 7))))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageContaining("the rows of SELECT order_id, total FROM order_summary_v1 ORDER BY order_id"
                            + " are not as expected; first difference at row #2\n")
                    .hasMessageContaining("      expected    actual\n"
                            + "   1  ['1', 120]  ['1', 120]\n"
                            + ">  2  ['2', 7]    ['2', 5]\n")
                    .hasMessageContaining("   3  order-2@0  OrderPlaced[orderId=2, total=5]");
        }

        @Test
        void fails_when_there_are_more_rows_than_expected() {
            ProjectionFixture.SqlFixture fixture =
                    fixture().given("order-1", new OrderPlaced("1", 100)).given("order-2", new OrderPlaced("2", 5));

            assertThatThrownBy(() -> fixture.thenRows(
                            "SELECT order_id, total FROM {order_summary} ORDER BY order_id",
                            List.of(Map.of("total", 100, "order_id", "1"))))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageContaining("first difference at row #2; expected 1 row, got 2 rows")
                    .hasMessageContaining("   1  {order_id='1', total=100}  {order_id='1', total=100}\n"
                            + ">  2  (none)                     {order_id='2', total=5}\n");
        }

        @Test
        void tells_text_from_numbers_that_print_alike() {
            ProjectionFixture.SqlFixture fixture = fixture().given("order-1", new OrderPlaced("1", 100));

            assertThatThrownBy(() -> fixture.thenRows("SELECT order_id FROM {order_summary}", List.of(List.of(1))))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageContaining(">  1  [1]       ['1']");
        }

        @Test
        void checks_a_read_model_query() {
            ProjectionFixture.SqlFixture fixture = fixture().given("order-1", new OrderPlaced("1", 100));

            fixture.thenQuery(
                    (connection, active) -> total(connection, active.table("order_summary"), "1"), Optional.of(100));
            assertThatThrownBy(() -> fixture.thenQuery(
                            (connection, active) -> total(connection, active.table("order_summary"), "1"),
                            Optional.of(99)))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageContaining("the query of order_summary returned another result than expected\n"
                            + "  expected: Optional[99]\n  actual:   Optional[100]");
        }

        @Test
        void rolls_back_a_given_the_projection_fails_on_and_names_the_event() {
            ProjectionFixture.SqlFixture fixture = fixture().given("order-1", new OrderPlaced("1", 100));

            assertThatThrownBy(() -> fixture.given("order-1", new ItemAdded("1", 20), new ItemAdded("1", -1)))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageContaining("projection order_summary failed on order-1@2  ItemAdded[orderId=1,"
                            + " amount=-1]: java.sql.SQLException: negative amount -1; the events of this given"
                            + " were rolled back");
            fixture.thenRows("SELECT total, items FROM {order_summary}", List.of(List.of(100, 0)));
        }

        @Test
        void applies_only_the_events_its_filter_matches() {
            ProjectionFixture.forSql(
                            Orders.SERIALIZER,
                            new OrderSummary(1, EventFilter.eventTypes("OrderPlaced")),
                            () -> connection)
                    .given("order-1", new OrderPlaced("1", 100), new ItemAdded("1", 20))
                    .thenRows("SELECT total FROM {order_summary}", List.of(List.of(100)));
        }

        @Test
        void reports_a_failing_query() {
            ProjectionFixture.SqlFixture fixture = fixture();

            assertThatThrownBy(() -> fixture.thenRows("SELECT nothing FROM {order_summary}", List.of()))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageContaining("the query SELECT nothing FROM order_summary_v1 failed:")
                    .hasMessageContaining("given: no events");
        }

        @Test
        void refuses_expected_rows_that_mix_maps_and_lists() {
            ProjectionFixture.SqlFixture fixture = fixture();

            assertThatThrownBy(() -> fixture.thenRows(
                            "SELECT order_id FROM {order_summary}", List.of(List.of("1"), Map.of("order_id", "2"))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("expected rows must be all maps (column -> value) or all lists of values");
        }

        private static Optional<Integer> total(Connection connection, String table, String orderId)
                throws SQLException {
            try (PreparedStatement statement =
                    connection.prepareStatement("SELECT total FROM " + table + " WHERE order_id = ?")) {
                statement.setString(1, orderId);
                try (ResultSet results = statement.executeQuery()) {
                    return results.next() ? Optional.of(results.getInt(1)) : Optional.empty();
                }
            }
        }
    }
}
