package io.factum.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventData;
import io.factum.core.ExpectedVersion;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StoreOptions;
import io.factum.testkit.TestClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The SQL recipes of docs/operations.md ("PostgreSQL: a growing log"), read from the document and run as
 * written against a store's tables, so that what the document shows is what was tested.
 */
class PostgresStorageRecipesTest {

    private static final Path OPERATIONS = Path.of("..", "docs", "operations.md");

    /** The SQL of the recipe marked {@code <!-- recipe: name -->}, its statements one by one. */
    private static List<String> recipe(String name) throws IOException {
        String text = Files.readString(OPERATIONS, StandardCharsets.UTF_8);
        int marker = text.indexOf("<!-- recipe: " + name + " -->");
        assertThat(marker).as("the recipe %s in %s", name, OPERATIONS).isNotNegative();
        int start = text.indexOf("```sql\n", marker) + "```sql\n".length();
        int end = text.indexOf("```", start);
        String sql = Pattern.compile("^ {2}", Pattern.MULTILINE)
                .matcher(text.substring(start, end))
                .replaceAll("");
        List<String> statements = new ArrayList<>();
        for (String statement : sql.split(";\n")) {
            if (!statement.isBlank()) {
                statements.add(statement.strip());
            }
        }
        return statements;
    }

    private static Connection connect(String schema) throws SQLException {
        Connection connection = DriverManager.getConnection(EmbeddedServer.jdbcUrl());
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET search_path = " + schema);
        }
        return connection;
    }

    @Test
    void the_storage_report_splits_the_events_table_into_table_toast_and_index_bytes() throws Exception {
        String schema = EmbeddedServer.newSchema();
        try (PgEventStore store = PostgresEventStore.builder()
                .jdbcUrl(EmbeddedServer.jdbcUrl())
                .schema(schema)
                .openStore()) {
            for (int n = 0; n < 200; n++) {
                store.append("order-" + (n % 10), ExpectedVersion.any(), EventData.of("Placed", "{\"n\": " + n + "}"));
            }
            // one event too large to keep in its row, and too random to compress: it goes to TOAST
            byte[] noise = new byte[16_000];
            new Random(42).nextBytes(noise);
            String large = java.util.HexFormat.of().formatHex(noise);
            store.append(
                    "order-large",
                    ExpectedVersion.noStream(),
                    EventData.of("Scanned", "{\"page\": \"" + large + "\"}"));

            try (Connection connection = connect(schema);
                    Statement statement = connection.createStatement()) {
                statement.execute("ANALYZE factum_events");
                List<String> report = recipe("storage-report");
                assertThat(report).hasSize(1);
                try (ResultSet rs = statement.executeQuery(report.get(0))) {
                    assertThat(rs.next()).isTrue();
                    long events = rs.getLong("events_estimate");
                    long table = rs.getLong("table_bytes");
                    long toast = rs.getLong("toast_bytes");
                    long indexes = rs.getLong("index_bytes");
                    assertThat(events).isEqualTo(201);
                    assertThat(table).isPositive();
                    assertThat(toast).as("the large event's data").isGreaterThanOrEqualTo(16_000);
                    assertThat(indexes).isPositive();
                    assertThat(rs.getLong("bytes_per_event"))
                            .isGreaterThanOrEqualTo((table + toast + indexes) / events);
                }
            }
        }
    }

    @Test
    void a_brin_index_by_recorded_at_serves_audits_by_time_and_the_store_goes_on_with_it() throws Exception {
        String schema = EmbeddedServer.newSchema();
        TestClock clock = TestClock.at(Instant.parse("2026-02-15T12:00:00Z"));
        PostgresEventStore.Builder builder = PostgresEventStore.builder()
                .jdbcUrl(EmbeddedServer.jdbcUrl())
                .schema(schema)
                .options(StoreOptions.defaults().withClock(clock));
        try (PgEventStore store = builder.openStore()) {
            // two events in February, three in March (mid-month: the recipe's dates are in the session's
            // time zone), one in April
            appendAt(store, clock, "2026-02-15T12:00:00Z", "2026-02-16T12:00:00Z");
            appendAt(store, clock, "2026-03-14T12:00:00Z", "2026-03-15T12:00:00Z", "2026-03-16T12:00:00Z");
            appendAt(store, clock, "2026-04-15T12:00:00Z");

            List<String> brin = recipe("brin-recorded-at");
            assertThat(brin).hasSize(2);
            try (Connection connection = connect(schema);
                    Statement statement = connection.createStatement()) {
                statement.execute(brin.get(0));
                List<Instant> march = new ArrayList<>();
                try (ResultSet rs = statement.executeQuery(brin.get(1))) {
                    while (rs.next()) {
                        march.add(rs.getObject("recorded_at", java.time.OffsetDateTime.class)
                                .toInstant());
                    }
                }
                assertThat(march)
                        .containsExactlyInAnyOrder(
                                Instant.parse("2026-03-14T12:00:00Z"),
                                Instant.parse("2026-03-15T12:00:00Z"),
                                Instant.parse("2026-03-16T12:00:00Z"));
                // the planner can take the index (on six rows it would rather scan, so it is told not to)
                statement.execute("SET enable_seqscan = off");
                StringBuilder plan = new StringBuilder();
                try (ResultSet rs = statement.executeQuery("EXPLAIN " + brin.get(1))) {
                    while (rs.next()) {
                        plan.append(rs.getString(1)).append('\n');
                    }
                }
                assertThat(plan.toString()).contains("factum_events_recorded_at_brin");
            }
        }
        // the store opens again (its migrations leave the index alone) and appends and reads with it
        try (PgEventStore store = builder.openStore()) {
            clock.set(Instant.parse("2026-05-15T12:00:00Z"));
            store.append("audit-1", ExpectedVersion.exactly(5), EventData.of("Noted", "{}"));
            assertThat(store.readStream("audit-1", ReadDirection.FORWARD, 0, 10).events())
                    .extracting(RecordedEvent::streamVersion)
                    .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
            try (Connection connection = connect(schema);
                    Statement statement = connection.createStatement();
                    ResultSet rs = statement.executeQuery(
                            "SELECT count(*) FROM pg_indexes WHERE indexname = 'factum_events_recorded_at_brin'"
                                    + " AND schemaname = '" + schema + "'")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(1);
            }
        }
    }

    private static void appendAt(PgEventStore store, TestClock clock, String... instants) {
        for (String instant : instants) {
            clock.set(Instant.parse(instant));
            store.append("audit-1", ExpectedVersion.any(), EventData.of("Noted", "{}"));
        }
    }
}
