package io.factum.store.sqlite;

import io.factum.core.Position;
import io.factum.core.StoreException;
import io.factum.core.spi.CheckpointMoves;
import io.factum.core.subscription.Answer;
import io.factum.core.subscription.CheckpointConflictException;
import io.factum.core.subscription.CheckpointMove;
import io.factum.core.subscription.Lease;
import io.factum.core.subscription.ParkedEvent;
import io.factum.core.subscription.SqlCheckpointStore;
import io.factum.core.subscription.SqlQuery;
import io.factum.core.subscription.SqlWork;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Checkpoints in {@code factum_checkpoints}, parked events in {@code factum_parked_events} and projection
 * versions in {@code factum_projection_versions} of a store's file; see {@link SqliteEventStore#checkpoints}.
 * Every write is one operation of the store's writer, so its checks (the compare-and-set, the fence) and
 * its changes commit together; reads use the read pool.
 *
 * <p>Commits and saves are rebuildable writes of the writer ({@link Writer#submitRebuildable}): a
 * group-commit transaction that carries nothing else commits with {@code synchronous=NORMAL}. Parking,
 * unparking, activating, deleting and {@link #execute} are durable writes. The view {@link
 * #withSynchronousCommits()} makes commits and saves durable too.
 */
final class SqliteCheckpointStore implements SqlCheckpointStore {

    static final String SELECT_CHECKPOINT = "SELECT tx_id, position FROM factum_checkpoints WHERE name = ?";

    static final String UPSERT_CHECKPOINT = """
            INSERT INTO factum_checkpoints (name, tx_id, position, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET
                tx_id = excluded.tx_id, position = excluded.position, updated_at = excluded.updated_at""";

    static final String SELECT_VERSION = "SELECT active_version FROM factum_projection_versions WHERE name = ?";

    static final String UPSERT_VERSION = """
            INSERT INTO factum_projection_versions (name, active_version) VALUES (?, ?)
            ON CONFLICT (name) DO UPDATE SET active_version = excluded.active_version""";

    private static final String UPSERT_PARKED = """
            INSERT INTO factum_parked_events (subscription, tx_id, position, event_id, stream_id, stream_version,
                type, attempts, error, parked_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (subscription, tx_id, position) DO UPDATE SET
                event_id = excluded.event_id, stream_id = excluded.stream_id,
                stream_version = excluded.stream_version, type = excluded.type, attempts = excluded.attempts,
                error = excluded.error, parked_at = excluded.parked_at""";

    private static final String SELECT_PARKED = """
            SELECT tx_id, position, event_id, stream_id, stream_version, type, attempts, error, parked_at
            FROM factum_parked_events WHERE subscription = ? ORDER BY tx_id, position""";

    private final String file;
    private final Writer writer;
    private final ReadPool reads;
    private final Clock clock;

    /** True if commits and saves wait for the disk like appends. */
    private final boolean synchronous;

    SqliteCheckpointStore(String file, Writer writer, ReadPool reads, Clock clock) {
        this(file, writer, reads, clock, false);
    }

    private SqliteCheckpointStore(String file, Writer writer, ReadPool reads, Clock clock, boolean synchronous) {
        this.file = file;
        this.writer = writer;
        this.reads = reads;
        this.clock = clock;
        this.synchronous = synchronous;
    }

    @Override
    public SqlCheckpointStore withSynchronousCommits() {
        return synchronous ? this : new SqliteCheckpointStore(file, writer, reads, clock, true);
    }

    /** Runs a commit or a save: rebuildable, unless this view waits for the disk. */
    private void move(Writer.Operation<Boolean> operation) {
        if (synchronous) {
            writer.submit(operation);
        } else {
            writer.submitRebuildable(operation);
        }
    }

    // ------------------------------------------------------------------------------------------- checkpoints

    @Override
    public Position load(String name) {
        return reads.read("the checkpoint " + name, lease -> {
            PreparedStatement select = lease.prepare(SELECT_CHECKPOINT);
            select.setString(1, name);
            return checkpoint(select);
        });
    }

    @Override
    public void save(String name, Position expected, Position next) {
        move(session -> {
            move(session, name, expected, next, clock);
            return Boolean.TRUE;
        });
    }

    @Override
    public void save(String name, Position expected, Position next, Lease fence) {
        move(session -> {
            SqliteLeaseStore.checkFence(session, fence, clock);
            move(session, name, expected, next, clock);
            return Boolean.TRUE;
        });
    }

    @Override
    public void delete(String name) {
        writer.submit(session -> {
            PreparedStatement delete = session.prepare("DELETE FROM factum_checkpoints WHERE name = ?");
            delete.setString(1, name);
            delete.executeUpdate();
            return Boolean.TRUE;
        });
    }

    @Override
    public void commit(String name, Position expected, Position next, SqlWork work) {
        commit(List.of(new CheckpointMove(name, expected, next)), work);
    }

    @Override
    public void commit(String name, Position expected, Position next, Lease fence, SqlWork work) {
        move(session -> {
            SqliteLeaseStore.checkFence(session, fence, clock);
            commitInTransaction(session, List.of(new CheckpointMove(name, expected, next)), work);
            return Boolean.TRUE;
        });
    }

    @Override
    public void commit(List<CheckpointMove> moves, SqlWork work) {
        List<CheckpointMove> sorted = CheckpointMoves.require(moves);
        move(session -> {
            commitInTransaction(session, sorted, work);
            return Boolean.TRUE;
        });
    }

    /** The compare-and-sets, the work, the moves: inside one write, which the writer rolls back on a throw. */
    private void commitInTransaction(WriteSession session, List<CheckpointMove> moves, SqlWork work)
            throws SQLException {
        for (CheckpointMove move : moves) {
            Position actual = current(session, move.name());
            if (!actual.equals(move.expected())) {
                throw new CheckpointConflictException(move.name(), move.expected(), actual);
            }
        }
        runWork(session, moves, work);
        for (CheckpointMove move : moves) {
            upsert(session, move.name(), move.next(), clock);
        }
    }

    private void runWork(WriteSession session, List<CheckpointMove> moves, SqlWork work) {
        try {
            work.run(session.connection());
        } catch (SQLException e) {
            // the writer rolls the write back (to its savepoint in a batch): nothing of it is kept
            throw new StoreException(
                    (moves.size() == 1 ? "checkpoint " : "checkpoints ")
                            + String.join(
                                    ", ",
                                    moves.stream().map(CheckpointMove::name).toList())
                            + ": the projection work failed in the SQLite store " + file + ": " + e.getMessage()
                            + "; it was rolled back and " + (moves.size() == 1 ? "the checkpoint" : "no checkpoint")
                            + " did not move",
                    e);
        }
    }

    @Override
    public void execute(SqlWork work) {
        writer.submit(session -> {
            try {
                work.run(session.connection());
            } catch (SQLException e) {
                throw new StoreException(
                        "the SQL work failed in the SQLite store " + file + ": " + e.getMessage()
                                + "; it was rolled back",
                        e);
            }
            return Boolean.TRUE;
        });
    }

    @Override
    public <T> T query(SqlQuery<T> query) {
        return reads.read("a read model", lease -> query.run(lease.connection()));
    }

    /**
     * A read transaction: its first read (of the checkpoint) fixes the snapshot of the WAL it reads, and
     * every later statement up to the end sees the same, whatever the writer commits meanwhile.
     */
    @Override
    public <T> Answer<T> queryWithCheckpoint(String name, SqlQuery<T> query) {
        return reads.read("a read model and checkpoint " + name, lease -> {
            Connection connection = lease.connection();
            try (Statement statement = connection.createStatement()) {
                statement.execute("BEGIN DEFERRED");
            }
            boolean done = false;
            try {
                PreparedStatement select = lease.prepare(SELECT_CHECKPOINT);
                select.setString(1, name);
                Position position = checkpoint(select);
                T value = query.run(connection);
                done = true;
                return new Answer<>(value, position);
            } finally {
                try (Statement statement = connection.createStatement()) {
                    // a read transaction changes nothing: ending it either way only lets the snapshot go
                    statement.execute(done ? "COMMIT" : "ROLLBACK");
                }
            }
        });
    }

    /** Moves the checkpoint if it is at {@code expected}, inside a write. */
    static void move(WriteSession session, String name, Position expected, Position next, Clock clock)
            throws SQLException {
        Position actual = current(session, name);
        if (!actual.equals(expected)) {
            throw new CheckpointConflictException(name, expected, actual);
        }
        upsert(session, name, next, clock);
    }

    /** The checkpoint as the write transaction sees it. */
    static Position current(WriteSession session, String name) throws SQLException {
        PreparedStatement select = session.prepare(SELECT_CHECKPOINT);
        select.setString(1, name);
        return checkpoint(select);
    }

    /** Sets the checkpoint, inside a write. */
    static void upsert(WriteSession session, String name, Position next, Clock clock) throws SQLException {
        PreparedStatement upsert = session.prepare(UPSERT_CHECKPOINT);
        upsert.setString(1, name);
        upsert.setLong(2, next.txId());
        upsert.setLong(3, next.position());
        upsert.setLong(4, Rows.micros(clock.instant()));
        upsert.executeUpdate();
    }

    private static Position checkpoint(PreparedStatement select) throws SQLException {
        try (ResultSet rows = select.executeQuery()) {
            return rows.next() ? new Position(rows.getLong(1), rows.getLong(2)) : Position.START;
        }
    }

    // ----------------------------------------------------------------------------------------------- parking

    @Override
    public void park(ParkedEvent event) {
        writer.submit(session -> {
            park(session, event);
            return Boolean.TRUE;
        });
    }

    @Override
    public void park(ParkedEvent event, CheckpointMove move) {
        writer.submit(session -> {
            move(session, move.name(), move.expected(), move.next(), clock);
            park(session, event);
            return Boolean.TRUE;
        });
    }

    @Override
    public void park(ParkedEvent event, CheckpointMove move, Lease fence) {
        writer.submit(session -> {
            SqliteLeaseStore.checkFence(session, fence, clock);
            move(session, move.name(), move.expected(), move.next(), clock);
            park(session, event);
            return Boolean.TRUE;
        });
    }

    private static void park(WriteSession session, ParkedEvent event) throws SQLException {
        PreparedStatement upsert = session.prepare(UPSERT_PARKED);
        upsert.setString(1, event.subscription());
        upsert.setLong(2, event.position().txId());
        upsert.setLong(3, event.position().position());
        upsert.setBytes(4, Rows.bytes(event.eventId()));
        upsert.setString(5, event.streamId());
        upsert.setLong(6, event.streamVersion());
        upsert.setString(7, event.type());
        upsert.setInt(8, event.attempts());
        upsert.setString(9, event.error());
        upsert.setLong(10, Rows.micros(event.parkedAt()));
        upsert.executeUpdate();
    }

    @Override
    public List<ParkedEvent> parked(String subscription) {
        return reads.read("the events parked by " + subscription, lease -> {
            PreparedStatement select = lease.prepare(SELECT_PARKED);
            select.setString(1, subscription);
            List<ParkedEvent> parked = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    parked.add(new ParkedEvent(
                            subscription,
                            new Position(rows.getLong(1), rows.getLong(2)),
                            Rows.uuid(rows.getBytes(3)),
                            rows.getString(4),
                            rows.getLong(5),
                            rows.getString(6),
                            rows.getInt(7),
                            rows.getString(8),
                            Rows.instant(rows.getLong(9))));
                }
            }
            return parked;
        });
    }

    @Override
    public boolean unpark(String subscription, Position position) {
        return writer.submit(session -> {
            PreparedStatement delete = session.prepare(
                    "DELETE FROM factum_parked_events WHERE subscription = ? AND tx_id = ? AND position = ?");
            delete.setString(1, subscription);
            delete.setLong(2, position.txId());
            delete.setLong(3, position.position());
            return delete.executeUpdate() > 0;
        });
    }

    // ---------------------------------------------------------------------------------------------- versions

    @Override
    public OptionalInt activeVersion(String projection) {
        return reads.read("the active version of " + projection, lease -> {
            PreparedStatement select = lease.prepare(SELECT_VERSION);
            select.setString(1, projection);
            return version(select);
        });
    }

    @Override
    public void activate(String projection, int version) {
        writer.submit(session -> {
            activate(session, projection, version);
            return Boolean.TRUE;
        });
    }

    /** The active version as the write transaction sees it. */
    static OptionalInt activeVersion(WriteSession session, String projection) throws SQLException {
        PreparedStatement select = session.prepare(SELECT_VERSION);
        select.setString(1, projection);
        return version(select);
    }

    /** Makes {@code version} the active one, inside a write. */
    static void activate(WriteSession session, String projection, int version) throws SQLException {
        PreparedStatement upsert = session.prepare(UPSERT_VERSION);
        upsert.setString(1, projection);
        upsert.setInt(2, version);
        upsert.executeUpdate();
    }

    private static OptionalInt version(PreparedStatement select) throws SQLException {
        try (ResultSet rows = select.executeQuery()) {
            return rows.next() ? OptionalInt.of(rows.getInt(1)) : OptionalInt.empty();
        }
    }

    @Override
    public String toString() {
        return "SqliteCheckpointStore[" + file + (synchronous ? ", synchronous commits" : "") + "]";
    }
}
