package io.factum.store.postgres;

import io.factum.core.AllSlice;
import io.factum.core.AppendResult;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StoreException;
import io.factum.core.subscription.ProjectionContext;
import io.factum.core.subscription.ProjectionException;
import io.factum.core.subscription.SqlProjection;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.OptionalInt;
import java.util.zip.CRC32;
import javax.sql.DataSource;

/**
 * The inline projections of a store ({@link PostgresEventStore.Builder#inlineProjection}): applied inside
 * the transaction of every append that writes events, and built by replaying the log when the store opens
 * with a version that is not the active one.
 *
 * <p>An inline projection has no checkpoint row: it is current at every commit by construction, and a row
 * moved by every append would be one hot row serializing all of them. Its active version (in the {@code
 * projection_versions} table) is its only state.
 */
final class InlineProjections {

    /** An inline projection failed on an event: the append must be rolled back and fail with it. */
    static final class Failed extends Exception {
        private static final long serialVersionUID = 1;

        private final transient ProjectionException exception;

        Failed(ProjectionException exception) {
            super(exception.getMessage(), null, false, false);
            this.exception = exception;
        }

        ProjectionException exception() {
            return exception;
        }
    }

    /** The events of one rebuild transaction. */
    static final int REBUILD_PAGE = 500;

    /** The high half of the advisory lock key of a rebuild ("FaIP"); the low half hashes table and name. */
    private static final long REBUILD_LOCK = 0x46614950L << 32;

    private static final InlineProjections NONE = new InlineProjections(List.of(), null);

    private final List<SqlProjection> projections;
    private final @org.jspecify.annotations.Nullable Tables tables;
    private final String readBackSql;

    private InlineProjections(List<SqlProjection> projections, @org.jspecify.annotations.Nullable Tables tables) {
        this.projections = List.copyOf(projections);
        this.tables = tables;
        this.readBackSql = tables == null
                ? ""
                : "SELECT " + PgEventStore.EVENT_COLUMNS + " FROM " + tables.events()
                        + " WHERE stream_id = ? AND stream_version BETWEEN ? AND ? ORDER BY stream_version";
    }

    static InlineProjections none() {
        return NONE;
    }

    static InlineProjections of(List<SqlProjection> projections, Tables tables) {
        return projections.isEmpty() ? NONE : new InlineProjections(projections, tables);
    }

    boolean isEmpty() {
        return projections.isEmpty();
    }

    /**
     * Applies every projection to the events the append {@code request} just wrote in the connection's
     * open transaction (nothing if it wrote none: a failure or an idempotent retry).
     *
     * @throws Failed if a projection failed; the caller rolls the append back
     * @throws SQLException a serialization failure or deadlock of a projection's SQL, which the caller
     *     retries like one of the append's own
     */
    void apply(Connection connection, AppendRequest request, Appends.Outcome outcome) throws SQLException, Failed {
        if (projections.isEmpty() || !outcome.written() || outcome.result().isEmpty()) {
            return;
        }
        AppendResult result = outcome.result().get();
        long last = result.streamVersion();
        long first = last - request.events().size() + 1;
        if (tables != null) {
            SearchPath.set(connection, tables);
        }
        List<RecordedEvent> events;
        try (PreparedStatement statement = connection.prepareStatement(readBackSql)) {
            statement.setString(1, request.streamId());
            statement.setLong(2, first);
            statement.setLong(3, last);
            events = PgEventStore.readEvents(statement, request.events().size(), false);
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute(PlanGuards.UNDO);
        }
        for (SqlProjection projection : projections) {
            ProjectionContext context = new ProjectionContext(projection.name(), projection.version(), false);
            for (RecordedEvent event : events) {
                if (!projection.filter().matches(event)) {
                    continue;
                }
                try {
                    projection.apply(connection, context, event);
                } catch (SQLException e) {
                    if (Sql.isRetryable(e)) {
                        throw e;
                    }
                    throw new Failed(new ProjectionException(projection.name(), event.streamId(), event.position(), e));
                } catch (RuntimeException e) {
                    throw new Failed(new ProjectionException(projection.name(), event.streamId(), event.position(), e));
                }
            }
        }
    }

    /** A setting of the connection's session, as {@code current_setting} gives it. */
    private static String setting(Connection connection, String name) throws SQLException {
        try (PreparedStatement show = connection.prepareStatement("SELECT current_setting(?)")) {
            show.setString(1, name);
            try (java.sql.ResultSet row = show.executeQuery()) {
                row.next();
                return row.getString(1);
            }
        }
    }

    /**
     * Makes every projection current before the store accepts appends: creates its tables and, if the
     * active version is not the projection's, replays the whole log into the new version's tables, one
     * transaction per page, then activates it and drops the old version's tables. A session advisory lock
     * per projection keeps two stores opening at once from building the same version twice.
     */
    void open(DataSource dataSource, Tables tables, PgCheckpointStore checkpoints, PgEventStore store) {
        for (SqlProjection projection : projections) {
            try (Connection connection = dataSource.getConnection()) {
                long key = lockKey(tables, projection.name());
                // waiting for another store's rebuild and replaying a long log are not bounded by the
                // store's statement and lock time-outs; they are set back afterwards
                String statementTimeout = setting(connection, "statement_timeout");
                String lockTimeout = setting(connection, "lock_timeout");
                try (Statement unbounded = connection.createStatement()) {
                    unbounded.execute("SET statement_timeout = 0");
                    unbounded.execute("SET lock_timeout = 0");
                }
                try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_lock(?)")) {
                    lock.setLong(1, key);
                    lock.execute();
                }
                try {
                    open(connection, tables, checkpoints, store, projection);
                } finally {
                    try (PreparedStatement unlock = connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                        unlock.setLong(1, key);
                        unlock.execute();
                    }
                    try (PreparedStatement bounded =
                            connection.prepareStatement("SELECT set_config('statement_timeout', ?, false),"
                                    + " set_config('lock_timeout', ?, false)")) {
                        bounded.setString(1, statementTimeout);
                        bounded.setString(2, lockTimeout);
                        bounded.execute();
                    }
                }
            } catch (SQLException e) {
                throw new StoreException(
                        "inline projection " + projection.name() + " version " + projection.version()
                                + ": creating or rebuilding its tables failed on the database: " + e.getMessage(),
                        e);
            }
        }
    }

    private static void open(
            Connection connection,
            Tables tables,
            PgCheckpointStore checkpoints,
            PgEventStore store,
            SqlProjection projection)
            throws SQLException {
        String name = projection.name();
        int version = projection.version();
        ProjectionContext current = new ProjectionContext(name, version, false);
        OptionalInt active = checkpoints.activeVersion(connection, name);
        if (active.isPresent() && active.getAsInt() == version) {
            // it ran inside every append since it was built: current
            inTransaction(connection, tables, () -> projection.create(connection, current));
            return;
        }
        // tables left by a rebuild that did not finish are dropped: the replay starts from nothing
        inTransaction(connection, tables, () -> {
            projection.drop(connection, current);
            projection.create(connection, current);
        });
        ProjectionContext rebuilding = new ProjectionContext(name, version, true);
        Position from = Position.START;
        while (true) {
            AllSlice page = store.readAll(from, ReadDirection.FORWARD, REBUILD_PAGE, projection.filter());
            inTransaction(connection, tables, () -> {
                for (RecordedEvent event : page.events()) {
                    try {
                        projection.apply(connection, rebuilding, event);
                    } catch (SQLException | RuntimeException e) {
                        throw new ProjectionException(name, event.streamId(), event.position(), e);
                    }
                }
            });
            from = page.next();
            if (page.endOfLog()) {
                break;
            }
        }
        inTransaction(connection, tables, () -> {
            checkpoints.activate(connection, name, version);
            if (active.isPresent()) {
                projection.drop(connection, current.withVersion(active.getAsInt()));
            }
        });
    }

    private interface Step {
        void run() throws SQLException;
    }

    private static void inTransaction(Connection connection, Tables tables, Step step) throws SQLException {
        connection.setAutoCommit(false);
        try {
            SearchPath.set(connection, tables);
            step.run();
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    private static long lockKey(Tables tables, String name) {
        CRC32 crc = new CRC32();
        crc.update((tables.projectionVersions() + "/" + name).getBytes(StandardCharsets.UTF_8));
        return REBUILD_LOCK | crc.getValue();
    }
}
