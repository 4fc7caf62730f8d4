package io.factum.store.postgres;

import io.factum.core.Position;
import io.factum.core.StoreException;
import io.factum.core.spi.CheckpointMoves;
import io.factum.core.subscription.Answer;
import io.factum.core.subscription.CheckpointConflictException;
import io.factum.core.subscription.CheckpointMove;
import io.factum.core.subscription.Lease;
import io.factum.core.subscription.LeaseLostException;
import io.factum.core.subscription.ParkedEvent;
import io.factum.core.subscription.SqlCheckpointStore;
import io.factum.core.subscription.SqlQuery;
import io.factum.core.subscription.SqlWork;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Checkpoints, parked events and projection versions in the store's database; see {@link
 * PostgresEventStore#checkpoints}. Every call runs on a connection borrowed from the store's pool, never
 * through the group-commit writers.
 *
 * <p>A checkpoint moves by compare-and-set: one {@code UPDATE ... WHERE} the row is still at the expected
 * position (an upsert when the expected position is START), so of racing writers exactly one moves it and
 * the others find 0 rows and fail with {@link CheckpointConflictException}. A fenced move first reads the
 * bucket's lease row {@code FOR SHARE} in the same transaction: a member taking the lease over updates
 * that row, so it waits for a running commit to end, and a commit that starts after the takeover finds
 * the new holder (or epoch) and fails with {@link LeaseLostException}. Expiry is judged by the {@link
 * LeaseClock}, the same as the lease store's: the database's clock, which every member of a group shares,
 * unless the store was opened with a clock other than the system clock.
 *
 * <p>The SQL of {@link #commit}, {@link #execute} and {@link #query} runs in a transaction whose {@code
 * search_path} starts with the store's schema (if it has one), so a read model's unqualified table names
 * resolve to the store's schema.
 *
 * <p>Commits and saves run with {@code SET LOCAL synchronous_commit = off} (set in the transaction's first
 * statement, with the search path): they return once the commit is in the WAL buffers, and the WAL writer
 * flushes it within {@code 3 x wal_writer_delay}, or any later synchronous commit does. Parking, activating,
 * deleting and {@link #execute} keep the server's setting. {@link #withSynchronousCommits()} keeps it for
 * commits and saves too.
 */
final class PgCheckpointStore implements SqlCheckpointStore {

    private final DataSource dataSource;
    /** Where read-model queries run: a streaming replica, or {@link #dataSource}. */
    private final DataSource readSource;

    private final Tables tables;
    private final LeaseClock clock;
    private final Runnable checkOpen;

    /** True if commits and saves wait for the WAL flush like appends. */
    private final boolean synchronous;

    private final String loadSql;
    private final String insertStartSql;
    private final String moveSql;
    private final String fenceSql;
    private final String deleteSql;
    private final String parkSql;
    private final String parkedSql;
    private final String unparkSql;
    private final String versionSql;
    private final String activateSql;

    /** @param checkOpen throws {@link StoreException} once the event store is closed */
    PgCheckpointStore(DataSource dataSource, Tables tables, LeaseClock clock, Runnable checkOpen) {
        this(dataSource, dataSource, tables, clock, checkOpen, false);
    }

    /** @param readSource where read-model queries run (a streaming replica of {@code dataSource}, or it) */
    PgCheckpointStore(
            DataSource dataSource, DataSource readSource, Tables tables, LeaseClock clock, Runnable checkOpen) {
        this(dataSource, readSource, tables, clock, checkOpen, false);
    }

    private PgCheckpointStore(
            DataSource dataSource,
            DataSource readSource,
            Tables tables,
            LeaseClock clock,
            Runnable checkOpen,
            boolean synchronous) {
        this.dataSource = dataSource;
        this.readSource = readSource;
        this.tables = tables;
        this.clock = clock;
        this.checkOpen = checkOpen;
        this.synchronous = synchronous;
        String checkpoints = tables.checkpoints();
        this.loadSql = "SELECT tx_id::text::bigint, position FROM " + checkpoints + " WHERE name = ?";
        // a row at START (saved so, or never moved) counts as START too
        this.insertStartSql = "INSERT INTO " + checkpoints + " AS c (name, tx_id, position, updated_at)"
                + " VALUES (?, ?::text::xid8, ?, now()) ON CONFLICT (name) DO UPDATE SET tx_id = excluded.tx_id,"
                + " position = excluded.position, updated_at = now()"
                + " WHERE c.tx_id = '0'::xid8 AND c.position = 0";
        this.moveSql = "UPDATE " + checkpoints + " SET tx_id = ?::text::xid8, position = ?, updated_at = now()"
                + " WHERE name = ? AND tx_id = ?::text::xid8 AND position = ?";
        this.fenceSql = "SELECT member, epoch, expires_at > " + LeaseClock.NOW + " FROM " + tables.leases()
                + " WHERE group_name = ? AND bucket = ? FOR SHARE";
        this.deleteSql = "DELETE FROM " + checkpoints + " WHERE name = ?";
        this.parkSql = "INSERT INTO " + tables.parkedEvents()
                + " (subscription, tx_id, position, event_id, stream_id, stream_version, type, attempts, error,"
                + " parked_at) VALUES (?, ?::text::xid8, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (subscription, position) DO UPDATE SET tx_id = excluded.tx_id,"
                + " event_id = excluded.event_id, stream_id = excluded.stream_id,"
                + " stream_version = excluded.stream_version, type = excluded.type, attempts = excluded.attempts,"
                + " error = excluded.error, parked_at = excluded.parked_at";
        this.parkedSql = "SELECT tx_id::text::bigint, position, event_id, stream_id, stream_version, type, attempts,"
                + " error, parked_at FROM " + tables.parkedEvents()
                + " WHERE subscription = ? ORDER BY tx_id, position";
        this.unparkSql = "DELETE FROM " + tables.parkedEvents() + " WHERE subscription = ? AND position = ?";
        this.versionSql = "SELECT active_version FROM " + tables.projectionVersions() + " WHERE name = ?";
        this.activateSql = "INSERT INTO " + tables.projectionVersions() + " (name, active_version) VALUES (?, ?)"
                + " ON CONFLICT (name) DO UPDATE SET active_version = excluded.active_version, activated_at = now()";
    }

    // ---------------------------------------------------------------- checkpoints

    @Override
    public Position load(String name) {
        return inConnection("reading checkpoint " + name, connection -> load(connection, name));
    }

    private Position load(Connection connection, String name) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(loadSql)) {
            statement.setString(1, name);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? new Position(rs.getLong(1), rs.getLong(2)) : Position.START;
            }
        }
    }

    @Override
    public SqlCheckpointStore withSynchronousCommits() {
        return synchronous ? this : new PgCheckpointStore(dataSource, readSource, tables, clock, checkOpen, true);
    }

    @Override
    public void save(String name, Position expected, Position next) {
        transaction(
                "saving checkpoint " + name, null, !synchronous, connection -> move(connection, name, expected, next));
    }

    @Override
    public void save(String name, Position expected, Position next, Lease fence) {
        transaction(
                "saving checkpoint " + name, fence, !synchronous, connection -> move(connection, name, expected, next));
    }

    @Override
    public void commit(String name, Position expected, Position next, SqlWork work) {
        commit(List.of(new CheckpointMove(name, expected, next)), work);
    }

    @Override
    public void commit(String name, Position expected, Position next, Lease fence, SqlWork work) {
        transaction("committing checkpoint " + name, fence, !synchronous, connection -> {
            move(connection, name, expected, next);
            work.run(connection);
        });
    }

    @Override
    public void commit(List<CheckpointMove> moves, SqlWork work) {
        List<CheckpointMove> sorted = CheckpointMoves.require(moves);
        String names =
                String.join(", ", sorted.stream().map(CheckpointMove::name).toList());
        transaction(
                (sorted.size() == 1 ? "committing checkpoint " : "committing checkpoints ") + names,
                null,
                !synchronous,
                connection -> {
                    moveAll(connection, sorted);
                    work.run(connection);
                });
    }

    /**
     * The compare-and-sets of several checkpoints, in name order (so that two commits of overlapping
     * checkpoints take their row locks in the same order): one batch of UPDATEs when none starts at START.
     */
    private void moveAll(Connection connection, List<CheckpointMove> moves) throws SQLException {
        if (moves.size() == 1 || moves.stream().anyMatch(m -> m.expected().equals(Position.START))) {
            for (CheckpointMove move : moves) {
                move(connection, move.name(), move.expected(), move.next());
            }
            return;
        }
        int[] moved;
        try (PreparedStatement statement = connection.prepareStatement(moveSql)) {
            for (CheckpointMove move : moves) {
                statement.setString(1, Long.toString(move.next().txId()));
                statement.setLong(2, move.next().position());
                statement.setString(3, move.name());
                statement.setString(4, Long.toString(move.expected().txId()));
                statement.setLong(5, move.expected().position());
                statement.addBatch();
            }
            moved = statement.executeBatch();
        }
        for (int i = 0; i < moves.size(); i++) {
            if (moved[i] == 0) {
                CheckpointMove move = moves.get(i);
                throw new CheckpointConflictException(move.name(), move.expected(), load(connection, move.name()));
            }
        }
    }

    @Override
    public void execute(SqlWork work) {
        transaction("running SQL work", null, false, work);
    }

    @Override
    public <T> T query(SqlQuery<T> query) {
        checkOpen.run();
        try (Connection connection = readSource.getConnection()) {
            if (tables.schema().isEmpty()) {
                connection.setAutoCommit(true);
                return query.run(connection);
            }
            // a transaction only to scope the search path to this query
            connection.setAutoCommit(false);
            try {
                SearchPath.set(connection, tables);
                T result = query.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                rollback(connection, e);
                throw e;
            } finally {
                restore(connection);
            }
        } catch (SQLException e) {
            throw failure("running a read-model query", e);
        }
    }

    /**
     * A {@code REPEATABLE READ READ ONLY} transaction: its snapshot is taken at its first query (of the
     * checkpoint) and every later statement sees the same, whatever commits meanwhile. On the streaming
     * replica when the store has one: the checkpoint is then the one the replica has replayed.
     */
    @Override
    public <T> Answer<T> queryWithCheckpoint(String name, SqlQuery<T> query) {
        checkOpen.run();
        try (Connection connection = readSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                // must come first in the transaction, before any query takes the snapshot
                try (Statement statement = connection.createStatement()) {
                    statement.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                }
                SearchPath.set(connection, tables);
                Position position = load(connection, name);
                T value = query.run(connection);
                connection.commit();
                return new Answer<>(value, position);
            } catch (SQLException | RuntimeException | Error e) {
                rollback(connection, e);
                throw e;
            } finally {
                restore(connection);
            }
        } catch (SQLException e) {
            throw failure("running a read-model query with checkpoint " + name, e);
        }
    }

    @Override
    public boolean queriesReplica() {
        return readSource != dataSource;
    }

    @Override
    public void delete(String name) {
        inConnection("deleting checkpoint " + name, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(deleteSql)) {
                statement.setString(1, name);
                return statement.executeUpdate();
            }
        });
    }

    /** The compare-and-set; throws {@link CheckpointConflictException} if the row is not at {@code expected}. */
    private void move(Connection connection, String name, Position expected, Position next) throws SQLException {
        int moved;
        if (expected.equals(Position.START)) {
            try (PreparedStatement statement = connection.prepareStatement(insertStartSql)) {
                statement.setString(1, name);
                statement.setString(2, Long.toString(next.txId()));
                statement.setLong(3, next.position());
                moved = statement.executeUpdate();
            }
        } else {
            try (PreparedStatement statement = connection.prepareStatement(moveSql)) {
                statement.setString(1, Long.toString(next.txId()));
                statement.setLong(2, next.position());
                statement.setString(3, name);
                statement.setString(4, Long.toString(expected.txId()));
                statement.setLong(5, expected.position());
                moved = statement.executeUpdate();
            }
        }
        if (moved == 0) {
            throw new CheckpointConflictException(name, expected, load(connection, name));
        }
    }

    /** Locks the lease row for share and checks it is still {@code fence}; throws {@link LeaseLostException}. */
    private void fence(Connection connection, Lease fence) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(fenceSql)) {
            statement.setString(1, clock.now());
            statement.setString(2, fence.group());
            statement.setInt(3, fence.bucket());
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    throw new LeaseLostException(fence, "the bucket has no lease");
                }
                String member = rs.getString(1);
                long epoch = rs.getLong(2);
                boolean live = rs.getBoolean(3);
                if (!member.equals(fence.member()) || epoch != fence.epoch()) {
                    throw new LeaseLostException(
                            fence,
                            member.isEmpty()
                                    ? "it was released at epoch " + epoch
                                    : "member " + member + " holds it with epoch " + epoch);
                }
                if (!live) {
                    throw new LeaseLostException(fence, "it expired");
                }
            }
        }
    }

    // ---------------------------------------------------------------- parked events

    @Override
    public void park(ParkedEvent event) {
        inConnection("parking an event of " + event.subscription(), connection -> {
            park(connection, event);
            return null;
        });
    }

    @Override
    public void park(ParkedEvent event, CheckpointMove move) {
        transaction("parking an event of " + event.subscription(), null, false, connection -> {
            move(connection, move.name(), move.expected(), move.next());
            park(connection, event);
        });
    }

    @Override
    public void park(ParkedEvent event, CheckpointMove move, Lease fence) {
        transaction("parking an event of " + event.subscription(), fence, false, connection -> {
            move(connection, move.name(), move.expected(), move.next());
            park(connection, event);
        });
    }

    private void park(Connection connection, ParkedEvent event) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(parkSql)) {
            statement.setString(1, event.subscription());
            statement.setString(2, Long.toString(event.position().txId()));
            statement.setLong(3, event.position().position());
            statement.setObject(4, event.eventId());
            statement.setString(5, event.streamId());
            statement.setLong(6, event.streamVersion());
            statement.setString(7, event.type());
            statement.setInt(8, event.attempts());
            statement.setString(9, event.error());
            statement.setObject(
                    10, OffsetDateTime.ofInstant(event.parkedAt().truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC));
            statement.executeUpdate();
        }
    }

    @Override
    public List<ParkedEvent> parked(String subscription) {
        return inConnection("reading the parked events of " + subscription, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(parkedSql)) {
                statement.setString(1, subscription);
                List<ParkedEvent> events = new ArrayList<>();
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        events.add(new ParkedEvent(
                                subscription,
                                new Position(rs.getLong(1), rs.getLong(2)),
                                rs.getObject(3, UUID.class),
                                rs.getString(4),
                                rs.getLong(5),
                                rs.getString(6),
                                rs.getInt(7),
                                rs.getString(8),
                                rs.getObject(9, OffsetDateTime.class).toInstant()));
                    }
                }
                return events;
            }
        });
    }

    @Override
    public boolean unpark(String subscription, Position position) {
        return inConnection("unparking an event of " + subscription, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(unparkSql)) {
                statement.setString(1, subscription);
                statement.setLong(2, position.position());
                return statement.executeUpdate() > 0;
            }
        });
    }

    // ---------------------------------------------------------------- projection versions

    @Override
    public OptionalInt activeVersion(String projection) {
        return inConnection(
                "reading the active version of " + projection, connection -> activeVersion(connection, projection));
    }

    OptionalInt activeVersion(Connection connection, String projection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(versionSql)) {
            statement.setString(1, projection);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? OptionalInt.of(rs.getInt(1)) : OptionalInt.empty();
            }
        }
    }

    @Override
    public void activate(String projection, int version) {
        transaction(
                "activating version " + version + " of " + projection,
                null,
                false,
                connection -> activate(connection, projection, version));
    }

    void activate(Connection connection, String projection, int version) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(activateSql)) {
            statement.setString(1, projection);
            statement.setInt(2, version);
            statement.executeUpdate();
        }
    }

    // ---------------------------------------------------------------- plumbing

    private interface Read<T> {
        T run(Connection connection) throws SQLException;
    }

    private <T> T inConnection(String what, Read<T> read) {
        checkOpen.run();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            return read.run(connection);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /**
     * One transaction on a pooled connection: the fence check (if any), then {@code work}, then COMMIT;
     * anything thrown rolls it back.
     *
     * @param asynchronous true to commit without waiting for the WAL flush (a read model's batch, a checkpoint)
     */
    private void transaction(String what, @Nullable Lease fence, boolean asynchronous, SqlWork work) {
        checkOpen.run();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                if (asynchronous) {
                    SearchPath.setWithAsynchronousCommit(connection, tables);
                } else {
                    SearchPath.set(connection, tables);
                }
                if (fence != null) {
                    fence(connection, fence);
                }
                work.run(connection);
                connection.commit();
            } catch (SQLException | RuntimeException | Error e) {
                rollback(connection, e);
                throw e;
            } finally {
                restore(connection);
            }
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    private static void rollback(Connection connection, Throwable failure) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }

    private static void restore(Connection connection) {
        try {
            connection.setAutoCommit(true);
        } catch (SQLException ignored) {
            // a broken connection: the pool discards it
        }
    }

    private StoreException failure(String what, SQLException e) {
        return new StoreException(
                what + " failed on the database (" + tables.checkpoints() + "): " + Sql.reason(e)
                        + Optional.ofNullable(e.getSQLState())
                                .map(s -> " [SQLSTATE " + s + "]")
                                .orElse(""),
                e);
    }

    @Override
    public String toString() {
        return "PgCheckpointStore[" + tables.checkpoints() + (synchronous ? ", synchronous commits" : "") + "]";
    }
}
