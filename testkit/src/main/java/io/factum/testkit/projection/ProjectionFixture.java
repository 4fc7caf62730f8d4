package io.factum.testkit.projection;

import io.factum.core.RecordedEvent;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.subscription.EventHandler;
import io.factum.core.subscription.ProjectionContext;
import io.factum.core.subscription.ReadModelQuery;
import io.factum.core.subscription.SqlProjection;
import io.factum.core.subscription.SqlWork;
import io.factum.testkit.TestClock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.opentest4j.AssertionFailedError;

/**
 * Given-when-then scenarios for read models: given events of some streams, then what a query of the read
 * model returns. Two kinds of read model are covered:
 *
 * <ul>
 *   <li>{@link #forHandler}: an {@link EventHandler} that fills something of the test's (a map, a fake
 *       index). Its events are delivered at least once in production, so {@link HandlerFixture#thenIdempotent}
 *       and {@link HandlerFixture#givenDeliveredTwice} check that a redelivery changes nothing.
 *   <li>{@link #forSql}: a {@link SqlProjection} on a JDBC connection the test supplies; {@link
 *       SqlFixture#thenRows} compares the rows of a query, naming tables as {@code {order_summary}} so the
 *       test does not depend on the version suffix.
 * </ul>
 *
 * <pre>{@code
 * Map<String, Integer> totals = new HashMap<>();
 * ProjectionFixture.forHandler(serializer, event -> ...)
 *         .given("order-1", new OrderPlaced("1", 100), new ItemAdded("1", 20))
 *         .then(() -> Map.copyOf(totals), Map.of("1", 120))
 *         .thenIdempotent(() -> Map.copyOf(totals));
 *
 * ProjectionFixture.forSql(serializer, new OrderSummary(), () -> connection)
 *         .given("order-1", new OrderPlaced("1", 100))
 *         .thenRows("SELECT id, total FROM {order_summary} ORDER BY id", List.of(List.of("1", 100)));
 * }</pre>
 *
 * <p>The given events are recorded as a store would record them: consecutive versions per stream from 0,
 * increasing global positions from 1 in the order given across all streams, ids derived from stream and
 * version, and recording times from the fixture's {@link TestClock} (2026-01-01T00:00:00Z, one millisecond
 * later for each event). Each {@code given} delivers its events at once, in order, so a fixture is a
 * scenario that runs step by step: it is not thread-safe, and one fixture is one scenario.
 *
 * <p>A failed expectation throws an {@link AssertionFailedError} showing expected and actual side by side
 * (and carrying both, for an IDE's diff), followed by every event given.
 */
public final class ProjectionFixture {

    private ProjectionFixture() {}

    /**
     * A scenario for a read model kept by {@code handler}: each given event is passed to it, and the
     * then-methods query whatever it fills.
     *
     * @param serializer the application's serializer, with every given event's class registered
     */
    public static HandlerFixture forHandler(EventSerializer serializer, EventHandler handler) {
        return new HandlerFixture(
                Objects.requireNonNull(serializer, "serializer"), Objects.requireNonNull(handler, "handler"));
    }

    /**
     * A scenario for {@code projection} on the database of {@code connections}: the fixture calls {@link
     * SqlProjection#create} at once, in a transaction, then applies the events of each {@code given} in one
     * transaction, skipping those the projection's {@link SqlProjection#filter() filter} does not match (as
     * the runtime does). The projection writes its {@link SqlProjection#version() version}'s tables.
     *
     * <p>The fixture asks {@code connections} for a connection for each step and never closes one: the
     * test owns them. With SQLite in memory ({@code jdbc:sqlite::memory:}) every new connection is a new,
     * empty database, so supply one connection and close it after the test, or use a temporary file.
     *
     * @param serializer the application's serializer, with every given event's class registered
     * @throws AssertionFailedError if the projection cannot create its tables
     */
    public static SqlFixture forSql(
            EventSerializer serializer, SqlProjection projection, Supplier<Connection> connections) {
        return new SqlFixture(
                Objects.requireNonNull(serializer, "serializer"),
                Objects.requireNonNull(projection, "projection"),
                Objects.requireNonNull(connections, "connections"));
    }

    /** A scenario for a read model kept by an {@link EventHandler}; see {@link ProjectionFixture}. */
    public static final class HandlerFixture {
        private final EventHandler handler;
        private final TestClock clock = TestClock.standard();
        private final GivenLog log;

        private HandlerFixture(EventSerializer serializer, EventHandler handler) {
            this.handler = handler;
            this.log = new GivenLog(serializer, clock);
        }

        /**
         * Delivers {@code events} of stream {@code streamId} to the handler, in order. Repeatable: later
         * events of the same stream continue its versions.
         *
         * @throws AssertionFailedError if the handler throws; the message names the event
         * @throws io.factum.core.serialization.EventDeserializationException if an event's class is not
         *     registered with the serializer (from the serializer, unchanged)
         */
        public HandlerFixture given(String streamId, Object... events) {
            for (GivenLog.Given given : log.append(streamId, events)) {
                deliver(given);
            }
            return this;
        }

        /**
         * Delivers every event given so far once more, in the same order, as a subscription does after it
         * lost its checkpoint; the then-methods that follow check the read model after the redelivery.
         *
         * @throws AssertionFailedError if the handler throws
         */
        public HandlerFixture givenDeliveredTwice() {
            log.redelivered();
            for (GivenLog.Given given : log.all()) {
                deliver(given);
            }
            return this;
        }

        /**
         * Checks that {@code query} returns {@code expected} (by {@code equals}).
         *
         * @throws AssertionFailedError if it returns something else
         */
        public <T> HandlerFixture then(Supplier<T> query, T expected) {
            T actual = query.get();
            if (!Objects.equals(expected, actual)) {
                throw Rows.failure(
                        "the read model is not as expected\n  expected: " + expected + "\n  actual:   " + actual,
                        log,
                        expected,
                        actual,
                        null);
            }
            return this;
        }

        /**
         * Runs {@code check} (AssertJ assertions, say) on what {@code query} returns.
         *
         * @throws AssertionFailedError if the check fails; the check's failure is the cause and its
         *     message is repeated, followed by the given events
         */
        public <T> HandlerFixture thenSatisfies(Supplier<T> query, Consumer<? super T> check) {
            T actual = query.get();
            try {
                check.accept(actual);
            } catch (AssertionError failed) {
                throw Rows.failure(
                        "the read model does not pass the check: " + failed.getMessage() + "\n  read model: " + actual,
                        log,
                        null,
                        null,
                        failed);
            }
            return this;
        }

        /**
         * Delivers every event given so far once more, in order, and checks that {@code query} returns the
         * same as before: a handler delivered at least once must be idempotent. The result is compared by
         * {@code equals} and by its text, so a query that returns the live, mutable read model (rather
         * than a copy) is still checked.
         *
         * @throws AssertionFailedError if the read model changed, or the handler throws
         */
        public HandlerFixture thenIdempotent(Supplier<?> query) {
            Object before = query.get();
            String beforeText = String.valueOf(before);
            givenDeliveredTwice();
            Object after = query.get();
            if (!Objects.equals(before, after) || !beforeText.equals(String.valueOf(after))) {
                throw Rows.failure(
                        "the read model changed when every event was delivered again; a handler is delivered"
                                + " events at least once, so it must be idempotent (key its writes by the event's"
                                + " position or id)\n  before: " + beforeText + "\n  after:  " + after,
                        log,
                        beforeText,
                        String.valueOf(after),
                        null);
            }
            return this;
        }

        /** The clock the events' recording times come from; move it to give later events later times. */
        public TestClock clock() {
            return clock;
        }

        private void deliver(GivenLog.Given given) {
            try {
                handler.handle(given.recorded());
            } catch (Exception e) {
                throw Rows.failure("the handler failed on " + given + ": " + e, log, null, null, e);
            }
        }
    }

    /** A scenario for a {@link SqlProjection}; see {@link ProjectionFixture}. */
    public static final class SqlFixture {
        private static final Pattern TABLE = Pattern.compile("\\{([A-Za-z0-9_]+)}");

        private final SqlProjection projection;
        private final Supplier<Connection> connections;
        private final ProjectionContext context;
        private final TestClock clock = TestClock.standard();
        private final GivenLog log;

        private SqlFixture(EventSerializer serializer, SqlProjection projection, Supplier<Connection> connections) {
            this.projection = projection;
            this.connections = connections;
            this.context = new ProjectionContext(projection.name(), projection.version(), false);
            this.log = new GivenLog(serializer, clock);
            transaction("creating its tables", connection -> projection.create(connection, context));
        }

        /**
         * Applies {@code events} of stream {@code streamId} to the projection in one transaction, in order,
         * skipping the events its filter does not match. Repeatable: later events of the same stream
         * continue its versions.
         *
         * @throws AssertionFailedError if the projection throws; the transaction is rolled back and the
         *     message names the event
         */
        public SqlFixture given(String streamId, Object... events) {
            List<GivenLog.Given> given = log.append(streamId, events);
            transaction("applying the events of " + streamId, connection -> {
                for (GivenLog.Given one : given) {
                    RecordedEvent recorded = one.recorded();
                    if (!projection.filter().matches(recorded)) {
                        continue;
                    }
                    try {
                        projection.apply(connection, context, recorded);
                    } catch (SQLException | RuntimeException e) {
                        throw new ApplyFailed(one, e);
                    }
                }
            });
            return this;
        }

        /**
         * Checks the rows {@code sql} returns, in the order it returns them (give it an {@code ORDER BY}).
         * In {@code sql}, {@code {name}} stands for the projection's table {@code name} of this version
         * ({@link ProjectionContext#table}), for example {@code {order_summary}} for {@code
         * order_summary_v1}.
         *
         * <p>{@code expectedRows} are either all maps from column label to value ({@code Map.of("id", "1",
         * "total", 100)}; the columns must be the ones the query returns) or all lists of values in column
         * order ({@code List.of("1", 100)}); an empty list expects no rows. Numbers compare by value whatever
         * their Java type, a Boolean equals the number 1 or 0, byte arrays compare by content.
         *
         * @throws AssertionFailedError if the rows differ (expected and actual side by side, the first
         *     difference marked), or the query fails
         * @throws IllegalArgumentException if the expected rows mix maps and lists, or are neither, or
         *     {@code {name}} is not a valid table name
         */
        public SqlFixture thenRows(String sql, List<?> expectedRows) {
            boolean asMaps = expectedRows.stream().allMatch(row -> row instanceof Map<?, ?>);
            boolean asLists = expectedRows.stream().allMatch(row -> row instanceof List<?>);
            if (!asMaps && !asLists) {
                for (int i = 0; i < expectedRows.size(); i++) {
                    Object row = expectedRows.get(i);
                    if (!(row instanceof Map<?, ?>) && !(row instanceof List<?>)) {
                        throw new IllegalArgumentException("expected rows must be maps (column -> value) or"
                                + " lists of values, got " + row + " at #" + (i + 1));
                    }
                }
                throw new IllegalArgumentException("expected rows must be all maps (column -> value) or all"
                        + " lists of values, not both: " + expectedRows);
            }
            String resolved = resolve(sql);
            List<Map<String, @Nullable Object>> rows = read("the query " + resolved, (connection, active) -> {
                try (PreparedStatement statement = connection.prepareStatement(resolved);
                        ResultSet results = statement.executeQuery()) {
                    return Rows.read(results);
                }
            });
            List<String> columns =
                    rows.isEmpty() ? List.of() : new ArrayList<>(rows.get(0).keySet());
            List<?> actual = asMaps ? rows : Rows.asLists(rows);
            int difference = Rows.firstDifference(expectedRows, actual);
            if (difference >= 0) {
                String counts = expectedRows.size() == actual.size()
                        ? ""
                        : "; expected " + count(expectedRows.size()) + ", got " + count(actual.size());
                throw Rows.failure(
                        "the rows of " + resolved + " are not as expected; first difference at row #"
                                + (difference + 1) + counts + "\n"
                                + Rows.table(expectedRows, actual, columns, difference),
                        log,
                        Rows.listing(expectedRows, columns),
                        Rows.listing(actual, columns),
                        null);
            }
            return this;
        }

        /**
         * Runs {@code query} on the read model (with this version's {@link #context()}, as queries of the
         * active version run) and checks that it returns {@code expected} (by {@code equals}).
         *
         * @throws AssertionFailedError if it returns something else or fails
         */
        public <T> SqlFixture thenQuery(ReadModelQuery<T> query, T expected) {
            T actual = read("the query", query);
            if (!Objects.equals(expected, actual)) {
                throw Rows.failure(
                        "the query of " + projection.name() + " returned another result than expected"
                                + "\n  expected: " + expected + "\n  actual:   " + actual,
                        log,
                        expected,
                        actual,
                        null);
            }
            return this;
        }

        /** What the projection writes into: its name, its version (naming its tables), not rebuilding. */
        public ProjectionContext context() {
            return context;
        }

        /** The clock the events' recording times come from; move it to give later events later times. */
        public TestClock clock() {
            return clock;
        }

        private String resolve(String sql) {
            Matcher matcher = TABLE.matcher(sql);
            StringBuilder resolved = new StringBuilder();
            while (matcher.find()) {
                matcher.appendReplacement(resolved, Matcher.quoteReplacement(context.table(matcher.group(1))));
            }
            matcher.appendTail(resolved);
            return resolved.toString();
        }

        private <T> T read(String what, ReadModelQuery<T> work) {
            Connection connection = connections.get();
            try {
                return work.run(connection, context);
            } catch (SQLException e) {
                throw Rows.failure(what + " failed: " + e.getMessage(), log, null, null, e);
            }
        }

        private void transaction(String what, SqlWork work) {
            Connection connection = connections.get();
            try {
                boolean autoCommit = connection.getAutoCommit();
                connection.setAutoCommit(false);
                try {
                    work.run(connection);
                    connection.commit();
                } catch (SQLException | RuntimeException e) {
                    connection.rollback();
                    if (e instanceof ApplyFailed failed) {
                        throw Rows.failure(
                                "projection " + projection.name() + " failed on " + failed.given + ": "
                                        + failed.getCause() + "; the events of this given were rolled back",
                                log,
                                null,
                                null,
                                failed.getCause());
                    }
                    throw Rows.failure(
                            "projection " + projection.name() + " failed " + what + ": " + e, log, null, null, e);
                } finally {
                    connection.setAutoCommit(autoCommit);
                }
            } catch (SQLException e) {
                throw Rows.failure(
                        "the connection failed while " + what + " of projection " + projection.name() + ": "
                                + e.getMessage(),
                        log,
                        null,
                        null,
                        e);
            }
        }

        private static String count(int rows) {
            return rows == 1 ? "1 row" : rows + " rows";
        }
    }

    /** Carries the event a projection failed on out of the transaction's work. */
    private static final class ApplyFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        @SuppressWarnings("serial") // never serialized: caught within the fixture
        private final GivenLog.Given given;

        ApplyFailed(GivenLog.Given given, Exception cause) {
            super(cause.toString(), cause, false, false);
            this.given = given;
        }
    }
}
