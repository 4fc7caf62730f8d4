package io.factum.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.AppendResult;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StoreOptions;
import io.factum.core.subscription.ProjectionContext;
import io.factum.core.subscription.ProjectionException;
import io.factum.core.subscription.SqlProjection;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** SQL projections run inline: inside the append transaction, prepared (built, rebuilt, caught up) on open. */
class SqliteInlineProjectionTest {

    private final List<EventStore> opened = new ArrayList<>();
    private final List<WriterGate> gates = new ArrayList<>();
    private final Path file = SqliteStoreFixture.newFile();

    @AfterEach
    void closeStores() {
        gates.forEach(WriterGate::open);
        opened.forEach(EventStore::close);
    }

    /** Blocks the writer until the gate opens, so that writes queue up behind it. */
    private WriterGate block(SqliteStore store) throws InterruptedException {
        WriterGate gate = WriterGate.block(store);
        gates.add(gate);
        return gate;
    }

    private SqliteStore open(SqlProjection... projections) {
        SqliteStore store = SqliteStore.open(file, StoreOptions.defaults(), List.of(projections));
        opened.add(store);
        return store;
    }

    private static EventData event(String type, int n) {
        return EventData.of(UUID.randomUUID(), type, "{\"n\":" + n + "}");
    }

    private static List<EventData> events(int count) {
        return IntStream.range(0, count).mapToObj(i -> event("Counted", i)).toList();
    }

    /**
     * Counts events per stream in {@code order_counts_v<version>} and records every event it saw in {@code
     * order_seen_v<version>}; an event of type {@code Poison} makes it fail.
     */
    static final class Counting implements SqlProjection {
        private final int version;
        private final EventFilter filter;
        final List<ProjectionContext> applied = new CopyOnWriteArrayList<>();

        Counting(int version, EventFilter filter) {
            this.version = version;
            this.filter = filter;
        }

        Counting(int version) {
            this(version, EventFilter.all());
        }

        @Override
        public String name() {
            return "order_counts";
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
                statement.execute("CREATE TABLE IF NOT EXISTS " + context.table("order_counts")
                        + " (stream_id text primary key, n bigint)");
                statement.execute("CREATE TABLE IF NOT EXISTS " + context.table("order_seen")
                        + " (position bigint primary key, event_id text, stream_version bigint)");
            }
        }

        @Override
        public void apply(Connection connection, ProjectionContext context, RecordedEvent event) throws SQLException {
            if (event.type().equals("Poison")) {
                throw new SQLException("poisoned");
            }
            applied.add(context);
            try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO " + context.table("order_counts")
                    + " (stream_id, n) VALUES (?, 1) ON CONFLICT (stream_id) DO UPDATE SET n = n + 1")) {
                upsert.setString(1, event.streamId());
                upsert.executeUpdate();
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + context.table("order_seen")
                    + " (position, event_id, stream_version) VALUES (?, ?, ?)")) {
                insert.setLong(1, event.position().position());
                insert.setString(2, event.eventId().toString());
                insert.setLong(3, event.streamVersion());
                insert.executeUpdate();
            }
        }

        @Override
        public void drop(Connection connection, ProjectionContext context) throws SQLException {
            try (Statement statement = connection.createStatement()) {
                statement.execute("DROP TABLE IF EXISTS " + context.table("order_counts"));
                statement.execute("DROP TABLE IF EXISTS " + context.table("order_seen"));
            }
        }
    }

    /** The counts of version {@code version}, by stream. */
    private static Map<String, Long> counts(SqliteStore store, int version) {
        return store.checkpoints().query(connection -> {
            Map<String, Long> counts = new TreeMap<>();
            try (Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("SELECT stream_id, n FROM order_counts_v" + version)) {
                while (rows.next()) {
                    counts.put(rows.getString(1), rows.getLong(2));
                }
            }
            return counts;
        });
    }

    /** The events version {@code version} saw, as "position event-id stream-version", by position. */
    private static List<String> seen(SqliteStore store, int version) {
        return store.checkpoints().query(connection -> {
            List<String> seen = new ArrayList<>();
            try (Statement statement = connection.createStatement();
                    ResultSet rows =
                            statement.executeQuery("SELECT position, event_id, stream_version FROM order_seen_v"
                                    + version + " ORDER BY position")) {
                while (rows.next()) {
                    seen.add(rows.getLong(1) + " " + rows.getString(2) + " " + rows.getLong(3));
                }
            }
            return seen;
        });
    }

    private static List<String> tables(SqliteStore store) {
        return store.checkpoints().query(connection -> {
            List<String> tables = new ArrayList<>();
            try (Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery(
                            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'order%' ORDER BY name")) {
                while (rows.next()) {
                    tables.add(rows.getString(1));
                }
            }
            return tables;
        });
    }

    private static List<String> seenInTheLog(SqliteStore store) {
        List<String> seen = new ArrayList<>();
        for (RecordedEvent event : store.readAll(Position.START, ReadDirection.FORWARD, 10_000, EventFilter.all())
                .events()) {
            seen.add(event.position().position() + " " + event.eventId() + " " + event.streamVersion());
        }
        return seen;
    }

    @Nested
    class Appending {

        @Test
        void the_read_model_and_the_checkpoint_are_current_when_the_append_returns() {
            SqliteStore store = open(new Counting(1));

            store.append("order-1", ExpectedVersion.noStream(), events(2));
            AppendResult last = store.append("order-2", ExpectedVersion.noStream(), events(1));
            store.append("order-1", ExpectedVersion.exactly(1), events(1));

            assertThat(counts(store, 1)).containsExactly(Map.entry("order-1", 3L), Map.entry("order-2", 1L));
            assertThat(store.checkpoints().load("order_counts")).isEqualTo(Position.of(4));
            assertThat(last.position()).isEqualTo(Position.of(3));
            assertThat(store.checkpoints().activeVersion("order_counts")).hasValue(1);
        }

        @Test
        void gives_each_event_the_position_version_and_id_it_has_in_the_log_also_across_insert_statements() {
            SqliteStore store = open(new Counting(1));

            store.append("order-1", ExpectedVersion.noStream(), events(3));
            store.append("order-2", ExpectedVersion.noStream(), events(WriteSession.MAX_ROWS_PER_INSERT * 2 + 5));
            store.append("order-1", ExpectedVersion.exactly(2), events(2));

            assertThat(seen(store, 1)).hasSize(3 + 133 + 2).isEqualTo(seenInTheLog(store));
        }

        @Test
        void applies_only_the_events_its_filter_matches_and_still_moves_its_checkpoint() {
            SqliteStore store = open(new Counting(1, EventFilter.categories("order")));

            store.append("order-1", ExpectedVersion.noStream(), events(2));
            store.append("customer-1", ExpectedVersion.noStream(), events(3));

            assertThat(counts(store, 1)).containsExactly(Map.entry("order-1", 2L));
            assertThat(store.checkpoints().load("order_counts")).isEqualTo(Position.of(5));
        }

        @Test
        void does_not_apply_a_retried_append_again() {
            SqliteStore store = open(new Counting(1));
            List<EventData> batch = events(2);

            store.append("order-1", ExpectedVersion.noStream(), batch);
            store.append("order-1", ExpectedVersion.noStream(), batch);
            store.append("order-1", ExpectedVersion.any(), batch);

            assertThat(counts(store, 1)).containsExactly(Map.entry("order-1", 2L));
        }

        @Test
        void marks_live_events_as_not_rebuilding() {
            Counting projection = new Counting(1);
            SqliteStore store = open(projection);

            store.append("order-1", ExpectedVersion.noStream(), events(1));

            assertThat(projection.applied).containsExactly(new ProjectionContext("order_counts", 1, false));
        }
    }

    @Nested
    class A_failing_projection {

        @Test
        void fails_the_append_with_a_projection_exception_and_keeps_nothing_of_it() {
            SqliteStore store = open(new Counting(1));
            store.append("order-1", ExpectedVersion.noStream(), events(2));

            assertThatThrownBy(() -> store.append(
                            "order-1", ExpectedVersion.exactly(1), List.of(event("Counted", 2), event("Poison", 3))))
                    .isInstanceOfSatisfying(ProjectionException.class, e -> {
                        assertThat(e.projection()).isEqualTo("order_counts");
                        assertThat(e.streamId()).isEqualTo("order-1");
                        assertThat(e.position()).isEqualTo(Position.of(4));
                    })
                    .hasMessage("projection order_counts failed on the event at 0/4 of stream order-1:"
                            + " java.sql.SQLException: poisoned")
                    .hasCauseInstanceOf(SQLException.class);

            assertThat(store.readStream("order-1", ReadDirection.FORWARD, 0, 10).events())
                    .as("events of the stream")
                    .hasSize(2);
            assertThat(store.headPosition()).isEqualTo(Position.of(2));
            assertThat(counts(store, 1)).containsExactly(Map.entry("order-1", 2L));
            assertThat(store.checkpoints().load("order_counts")).isEqualTo(Position.of(2));
            AppendResult next = store.append("order-1", ExpectedVersion.exactly(1), events(1));
            assertThat(next.position())
                    .as("the position after the failed append")
                    .isEqualTo(Position.of(3));
            assertThat(counts(store, 1)).containsExactly(Map.entry("order-1", 3L));
        }

        @Test
        void does_not_affect_the_other_appends_of_its_group_commit() throws Exception {
            SqliteStore store = open(new Counting(1));
            WriterGate gate = block(store);

            CompletableFuture<AppendResult> first =
                    CompletableFuture.supplyAsync(() -> store.append("order-1", ExpectedVersion.noStream(), events(2)));
            gate.awaitQueued(1);
            CompletableFuture<AppendResult> poisoned = CompletableFuture.supplyAsync(
                    () -> store.append("order-2", ExpectedVersion.noStream(), List.of(event("Poison", 0))));
            gate.awaitQueued(2);
            CompletableFuture<AppendResult> third =
                    CompletableFuture.supplyAsync(() -> store.append("order-3", ExpectedVersion.noStream(), events(1)));
            gate.awaitQueued(3);
            gate.open();

            assertThat(first.get(10, TimeUnit.SECONDS).position()).isEqualTo(Position.of(2));
            assertThat(third.get(10, TimeUnit.SECONDS).position()).isEqualTo(Position.of(3));
            assertThat(poisoned)
                    .failsWithin(10, TimeUnit.SECONDS)
                    .withThrowableOfType(ExecutionException.class)
                    .havingCause()
                    .isInstanceOf(ProjectionException.class)
                    .withMessage("projection order_counts failed on the event at 0/3 of stream order-2:"
                            + " java.sql.SQLException: poisoned");
            assertThat(store.writer().largestBatch()).as("largest batch").isEqualTo(3);
            assertThat(store.streamInfo("order-2")).as("the poisoned stream").isEmpty();
            assertThat(counts(store, 1)).containsExactly(Map.entry("order-1", 2L), Map.entry("order-3", 1L));
            assertThat(store.checkpoints().load("order_counts")).isEqualTo(Position.of(3));
        }
    }

    @Nested
    class Opening {

        @Test
        void a_new_projection_is_built_from_the_whole_log() {
            SqliteStore without = open();
            without.append("order-1", ExpectedVersion.noStream(), events(3));
            without.append("order-2", ExpectedVersion.noStream(), events(1));
            without.close();

            Counting projection = new Counting(1);
            SqliteStore store = open(projection);

            assertThat(counts(store, 1)).containsExactly(Map.entry("order-1", 3L), Map.entry("order-2", 1L));
            assertThat(store.checkpoints().load("order_counts")).isEqualTo(Position.of(4));
            assertThat(store.checkpoints().activeVersion("order_counts")).hasValue(1);
            assertThat(projection.applied).containsOnly(new ProjectionContext("order_counts", 1, true));
        }

        @Test
        void the_active_version_catches_up_with_events_appended_without_it() {
            SqliteStore first = open(new Counting(1));
            first.append("order-1", ExpectedVersion.noStream(), events(2));
            first.close();
            SqliteStore without = open();
            without.append("order-1", ExpectedVersion.exactly(1), events(3));
            without.append("order-2", ExpectedVersion.noStream(), events(1));
            without.close();

            Counting projection = new Counting(1);
            SqliteStore store = open(projection);

            assertThat(counts(store, 1)).containsExactly(Map.entry("order-1", 5L), Map.entry("order-2", 1L));
            assertThat(projection.applied)
                    .as("events applied on open")
                    .hasSize(4)
                    .containsOnly(new ProjectionContext("order_counts", 1, false));
            assertThat(store.checkpoints().load("order_counts")).isEqualTo(Position.of(6));
            assertThat(seen(store, 1)).isEqualTo(seenInTheLog(store));
        }

        @Test
        void reopening_with_the_same_version_and_nothing_new_applies_nothing() {
            open(new Counting(1)).append("order-1", ExpectedVersion.noStream(), events(2));
            opened.forEach(EventStore::close);

            Counting projection = new Counting(1);
            SqliteStore store = open(projection);

            assertThat(projection.applied).isEmpty();
            assertThat(counts(store, 1)).containsExactly(Map.entry("order-1", 2L));
        }

        @Test
        void a_new_version_is_rebuilt_into_new_tables_and_the_old_ones_are_dropped() {
            SqliteStore first = open(new Counting(1));
            first.append("order-1", ExpectedVersion.noStream(), events(2));
            first.append("order-2", ExpectedVersion.noStream(), events(1));
            first.close();

            Counting projection = new Counting(2);
            SqliteStore store = open(projection);

            assertThat(tables(store)).containsExactly("order_counts_v2", "order_seen_v2");
            assertThat(counts(store, 2)).containsExactly(Map.entry("order-1", 2L), Map.entry("order-2", 1L));
            assertThat(projection.applied).hasSize(3).containsOnly(new ProjectionContext("order_counts", 2, true));
            assertThat(store.checkpoints().activeVersion("order_counts")).hasValue(2);
            assertThat(store.checkpoints().load("order_counts")).isEqualTo(Position.of(3));

            store.append("order-2", ExpectedVersion.exactly(0), events(1));
            assertThat(counts(store, 2)).containsExactly(Map.entry("order-1", 2L), Map.entry("order-2", 2L));
        }

        @Test
        void refuses_two_projections_with_the_same_name() {
            assertThatThrownBy(() -> open(new Counting(1), new Counting(2)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("two inline projections are named order_counts; names must be unique");
        }

        @Test
        void fails_with_a_projection_exception_if_the_rebuild_fails_and_keeps_the_old_version() {
            SqliteStore first = open(new Counting(1));
            first.append("order-1", ExpectedVersion.noStream(), events(1));
            first.append("order-1", ExpectedVersion.exactly(0), List.of(event("Counted", 1)));
            first.close();
            SqliteStore without = open();
            without.append("order-2", ExpectedVersion.noStream(), List.of(event("Poison", 0)));
            without.close();

            assertThatThrownBy(() -> open(new Counting(2)))
                    .isInstanceOf(ProjectionException.class)
                    .hasMessage("projection order_counts failed on the event at 0/3 of stream order-2:"
                            + " java.sql.SQLException: poisoned");

            SqliteStore store = open();
            assertThat(tables(store)).containsExactly("order_counts_v1", "order_seen_v1");
            assertThat(store.checkpoints().activeVersion("order_counts")).hasValue(1);
            assertThat(store.checkpoints().load("order_counts")).isEqualTo(Position.of(2));
        }
    }
}
