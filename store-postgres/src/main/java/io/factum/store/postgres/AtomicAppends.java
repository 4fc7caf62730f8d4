package io.factum.store.postgres;

import io.factum.core.AppendCondition;
import io.factum.core.AppendConditionFailedException;
import io.factum.core.AppendResult;
import io.factum.core.AppendResults;
import io.factum.core.EventData;
import io.factum.core.EventQuery;
import io.factum.core.InvalidEventException;
import io.factum.core.Position;
import io.factum.core.StoreException;
import io.factum.core.StreamAppend;
import io.factum.core.spi.Idempotency;
import io.factum.core.spi.StoredContent;
import io.factum.core.spi.StoredEventId;
import io.factum.core.spi.StreamWindow;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Multi-stream appends, appends of tagged events and appends with a condition: each in a transaction of
 * its own, outside group commit, all or nothing.
 *
 * <p><b>Why the check and the write are atomic.</b> READ COMMITTED, with transaction-level advisory locks
 * on the hashes of tags ({@link Isolation#LOCKS}, the default):
 *
 * <ol>
 *   <li>first statement, before the transaction has an id: lock the tags, in ascending order of their keys
 *       (so no two appends deadlock) &mdash; <em>exclusively</em> the tags the condition's query names,
 *       <em>shared</em> the tags of the events written. Two conditions on a common tag wait for each other;
 *       a condition waits for every in-flight append of an event with a tag it names, and they for it;
 *       appends that only write tags share the locks and do not wait for each other; appends with disjoint
 *       tags never meet. Because the transaction takes its id only later, when it first writes, an append
 *       that waited for another's lock has a newer id, so the global log (ordered by transaction id) puts it
 *       after the one it waited for;
 *   <li>a query item of types only names no tag to lock: the append takes its id and waits until no older
 *       transaction is in flight, so every event an older transaction writes is committed (or never will be)
 *       when it checks, and every newer one comes after it in the global log;
 *   <li>look the ids up: a retry returns the original results (even if its own events now match);
 *   <li>check the condition with a fresh statement snapshot: every committed event after the condition's
 *       position, not only those below the xmin horizon;
 *   <li>lock the stream rows and write, as {@link Appends#run} does for a batch; any part that fails fails
 *       the whole transaction.
 * </ol>
 *
 * {@link Isolation#SERIALIZABLE} is the alternative that was measured against it (docs/write-side.md): no
 * advisory locks, SERIALIZABLE transactions retried on serialization failures. It is correct only among
 * conditional appends: a plain append of a tagged event checks nothing and so reads nothing, and
 * PostgreSQL's serializable order need not be the global log's order of transaction ids.
 */
final class AtomicAppends {

    /** How the check of a condition is made atomic with the write. */
    enum Isolation {
        LOCKS,
        SERIALIZABLE
    }

    /** An append whose transaction has written its events and waits for {@link #commit()}. */
    interface Held {
        AppendResults commit();
    }

    private static final int ATTEMPTS = 100;
    private static final long OLDER_TRANSACTIONS_MILLIS = TimeUnit.SECONDS.toMillis(30);

    private final DataSource dataSource;
    private final Appends appends;
    private final Queries queries;
    private final InlineProjections inline;
    private final Clock clock;
    private final Runnable onCommit;
    private final Isolation isolation;
    private final String lockSql =
            "SELECT CASE WHEN u.x THEN pg_advisory_xact_lock(u.k)::text ELSE pg_advisory_xact_lock_shared(u.k)::text"
                    + " END FROM unnest(?::bigint[], ?::bool[]) AS u(k, x)";
    // a snapshot's xmin is the oldest transaction id still running (this one's included); its xip list
    // would not do: it leaves out the ids taken since the last commit anywhere
    private final String olderSql = "SELECT pg_snapshot_xmin(pg_current_snapshot()) < ?::text::xid8";
    private final String keySalt;

    AtomicAppends(
            DataSource dataSource,
            Appends appends,
            Tables tables,
            InlineProjections inline,
            Clock clock,
            Isolation isolation,
            Runnable onCommit) {
        this.dataSource = dataSource;
        this.appends = appends;
        this.queries = new Queries(tables);
        this.inline = inline;
        this.clock = clock;
        this.isolation = isolation;
        this.onCommit = onCommit;
        // two stores in one database lock apart
        this.keySalt = tables.events() + "\u0000";
    }

    /** Runs the append in a transaction of its own and commits it; runs again after a lost race. */
    AppendResults append(List<StreamAppend> parts, AppendCondition condition) {
        String streamId = parts.get(0).streamId();
        for (int attempt = 1; ; attempt++) {
            try (Connection connection = dataSource.getConnection()) {
                try {
                    Written written = begin(connection, parts, condition);
                    connection.commit();
                    if (written.wrote()) {
                        onCommit.run();
                    }
                    return written.results();
                } catch (Appends.Contended | SQLException e) {
                    connection.rollback();
                    if (e instanceof SQLException sql) {
                        if (Sql.isDataError(sql)) {
                            throw new InvalidEventException(
                                    "stream " + streamId + ": the database refused the events, nothing was written: "
                                            + sql.getMessage(),
                                    sql);
                        }
                        if (!Sql.isRetryable(sql) && !Sql.isUniqueViolation(sql)) {
                            throw sql;
                        }
                    }
                    if (attempt == ATTEMPTS) {
                        throw new StoreException("stream " + streamId + ": the append lost the race with concurrent"
                                + " writers " + ATTEMPTS + " times; nothing was written, retry it: " + e.getMessage());
                    }
                } catch (RuntimeException e) {
                    connection.rollback();
                    throw e;
                } finally {
                    connection.setAutoCommit(true);
                    connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                }
            } catch (SQLException e) {
                throw new StoreException(
                        "stream " + streamId + ": the append failed on the database, it may or may not be"
                                + " written, retry it with the same event ids: " + Sql.reason(e),
                        e);
            }
        }
    }

    /**
     * For the TCK: writes the append in a transaction of its own and returns before COMMIT, holding its
     * locks; the commit happens at {@link Held#commit()}.
     */
    Held hold(List<StreamAppend> parts, AppendCondition condition) {
        String streamId = parts.get(0).streamId();
        try {
            Connection connection = dataSource.getConnection();
            Written written;
            try {
                written = begin(connection, parts, condition);
            } catch (Appends.Contended | SQLException | RuntimeException e) {
                connection.rollback();
                connection.close();
                if (e instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new StoreException("stream " + streamId + ": the held append failed: " + e.getMessage(), e);
            }
            return () -> {
                try (connection) {
                    connection.commit();
                    connection.setAutoCommit(true);
                } catch (SQLException e) {
                    throw new StoreException("stream " + streamId + ": committing the held append failed", e);
                }
                onCommit.run();
                return written.results();
            };
        } catch (SQLException e) {
            throw new StoreException("stream " + streamId + ": the held append failed: " + e.getMessage(), e);
        }
    }

    private record Written(AppendResults results, boolean wrote) {}

    /** Everything up to COMMIT, in a transaction it opens on the connection. */
    private Written begin(Connection connection, List<StreamAppend> parts, AppendCondition condition)
            throws SQLException, Appends.Contended {
        connection.setAutoCommit(false);
        if (isolation == Isolation.SERIALIZABLE) {
            connection.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
        } else {
            lock(connection, parts, condition);
            if (condition instanceof AppendCondition.FailIfEventsMatch failIf
                    && failIf.query().items().stream()
                            .anyMatch(item -> item.tags().isEmpty())) {
                awaitOlderTransactions(connection, parts.get(0).streamId());
            }
        }
        List<AppendRequest> requests = new ArrayList<>(parts.size());
        for (StreamAppend part : parts) {
            requests.add(new AppendRequest(part.streamId(), part.expected(), part.events()));
        }
        Map<UUID, Appends.Stored> stored = appends.lookup(connection, requests);
        if (!stored.isEmpty()) {
            Map<UUID, StoredEventId> at = new HashMap<>();
            Map<UUID, StoredContent> contents = new HashMap<>();
            stored.forEach((id, found) -> {
                at.put(id, found.at());
                contents.put(id, found.content());
            });
            Optional<AppendResults> retry = Idempotency.evaluateAll(parts, at, contents);
            if (retry.isPresent()) {
                return new Written(retry.get(), false);
            }
        }
        if (condition instanceof AppendCondition.FailIfEventsMatch failIf) {
            check(connection, parts.get(0).streamId(), failIf.query(), failIf.after());
        }
        List<Appends.Outcome> outcomes = appends.run(connection, requests, false, StreamWindow.recordedAt(clock));
        List<AppendResult> results = new ArrayList<>(parts.size());
        for (int i = 0; i < outcomes.size(); i++) {
            Appends.Outcome outcome = outcomes.get(i);
            if (outcome.failure().isPresent()) {
                throw outcome.failure().get();
            }
            if (!outcome.written()) {
                // stored by another transaction since the lookup: decide again
                throw new Appends.Contended("an event id was stored by another transaction meanwhile");
            }
            try {
                inline.apply(connection, requests.get(i), outcome);
            } catch (InlineProjections.Failed e) {
                throw e.exception();
            }
            results.add(outcome.result().orElseThrow());
        }
        return new Written(new AppendResults(results), true);
    }

    private void lock(Connection connection, List<StreamAppend> parts, AppendCondition condition) throws SQLException {
        // key -> exclusive; a key both written and checked is taken exclusively
        TreeMap<Long, Boolean> keys = new TreeMap<>();
        for (StreamAppend part : parts) {
            for (EventData event : part.events()) {
                for (String tag : event.tags()) {
                    keys.putIfAbsent(key(tag), false);
                }
            }
        }
        if (condition instanceof AppendCondition.FailIfEventsMatch failIf) {
            for (EventQuery.Item item : failIf.query().items()) {
                for (String tag : item.tags()) {
                    keys.put(key(tag), true);
                }
            }
        }
        if (keys.isEmpty()) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement(lockSql)) {
            statement.setArray(
                    1, connection.createArrayOf("bigint", keys.keySet().toArray()));
            statement.setArray(2, connection.createArrayOf("bool", keys.values().toArray()));
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    // each row is one lock taken, in the order of the arrays
                }
            }
        }
    }

    /** The advisory lock key of a tag in this store: 64 bits of FNV-1a over the table and the tag. */
    long key(String tag) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : (keySalt + tag).getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    private void awaitOlderTransactions(Connection connection, String streamId) throws SQLException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(OLDER_TRANSACTIONS_MILLIS);
        long pause = 1;
        String mine;
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_current_xact_id()::text");
                ResultSet rs = statement.executeQuery()) {
            rs.next();
            mine = rs.getString(1);
        }
        try (PreparedStatement statement = connection.prepareStatement(olderSql)) {
            statement.setString(1, mine);
            while (true) {
                try (ResultSet rs = statement.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        return;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new StoreException("stream " + streamId + ": a condition on event types waits for the"
                            + " transactions older than its own to end, and one was still open after "
                            + OLDER_TRANSACTIONS_MILLIS + " ms; nothing was written, retry it (see"
                            + " idle_in_transaction_session_timeout in docs/operations.md)");
                }
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StoreException("stream " + streamId + ": interrupted while waiting for older"
                            + " transactions; nothing was written");
                }
                pause = Math.min(pause * 2, 20);
            }
        }
    }

    private void check(Connection connection, String streamId, EventQuery query, Position after) throws SQLException {
        Queries.Statement check = queries.check(query, after);
        try (PreparedStatement statement = connection.prepareStatement(check.sql())) {
            check.bind(connection, statement);
            try (ResultSet rs = PlanGuards.rows(statement)) {
                if (rs.next()) {
                    throw new AppendConditionFailedException(
                            streamId,
                            query,
                            after,
                            new Position(rs.getLong(1), rs.getLong(2)),
                            rs.getString(3),
                            rs.getString(4));
                }
            }
        }
    }
}
