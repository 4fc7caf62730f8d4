package io.factum.store.postgres;

import io.factum.core.InvalidEventException;
import io.factum.core.StoreException;
import io.factum.core.spi.StreamWindow;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Group commit with a fast path for a lone append.
 *
 * <p>At most {@code slots} append transactions run at once. An append that finds a free slot and nobody
 * queued runs on its caller's thread: one statement, no hand-off to another thread. Otherwise it is
 * queued, and a writer thread takes everything waiting (once a slot is free, up to {@value #MAX_BATCH})
 * and runs it as one transaction; under load a writer goes on from one batch to the next without
 * sleeping, so the appends that arrive while a transaction runs share the next commit and its WAL flush.
 * A caller waits only for the transaction of its own append: it is never held up by other appends'.
 *
 * <p>A lone append is one autocommit statement ({@link Appends#runSingle}); a batch of appends to distinct
 * streams is one autocommit statement too ({@link Appends#runBatch}); other batches run in a transaction
 * ({@link Appends#run}). Every append still succeeds or fails on its own; results are returned only after
 * COMMIT. A batch that cannot be decided together (a race with another process, an id reused within the
 * batch, a serialization failure, a value the database refuses) writes nothing and its appends run one
 * by one; an append whose value the database refuses (a data exception, SQLSTATE class 22) then fails
 * alone with {@link InvalidEventException}. An append whose transaction took an older id than the last
 * writer of its stream ({@link Appends.Contended#reordered()}) runs again in a fresh transaction, which
 * the caller never sees.
 *
 * <p>With inline projections the fast paths are not taken: a lone append runs in a transaction of its own,
 * and a batch runs each append under a savepoint of the batch's transaction, decided alone ({@link
 * Appends#run} with the ids looked up first), with the projections applied to its events before the
 * savepoint is released. An append whose projection fails is rolled back to its savepoint and fails with
 * the {@link io.factum.core.subscription.ProjectionException}; the others of the batch still commit
 * together.
 */
final class GroupCommit {

    /** The most appends one transaction takes. */
    static final int MAX_BATCH = 256;

    private static final int SOLO_ATTEMPTS = 5;

    /**
     * How often an append runs again after its transaction turned out older than its stream's last writer.
     * A fresh transaction's id is newer than the one it lost to, so it fails again only if yet another
     * transaction took its id in the instant between this one taking its id and queueing for the row.
     */
    private static final int REORDER_ATTEMPTS = 100;

    private final DataSource dataSource;
    private final Appends appends;
    private final InlineProjections inline;
    private final Clock clock;
    private final Runnable onCommit;
    private final int slots;
    private final Object lock = new Object();
    private final ArrayDeque<AppendRequest> queue = new ArrayDeque<>();
    private final List<Thread> writers = new ArrayList<>();
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong appended = new AtomicLong();
    private int busy;
    private boolean closed;

    GroupCommit(
            DataSource dataSource,
            Appends appends,
            InlineProjections inline,
            Clock clock,
            int slots,
            String name,
            Runnable onCommit) {
        this.dataSource = dataSource;
        this.appends = appends;
        this.inline = inline;
        this.clock = clock;
        this.onCommit = onCommit;
        this.slots = slots;
        for (int i = 0; i < slots; i++) {
            Thread writer = new Thread(this::runWriter, "factum-pg-writer-" + name + "-" + i);
            writer.setDaemon(true);
            writers.add(writer);
        }
        writers.forEach(Thread::start);
    }

    /**
     * Appends on the caller's thread if no other append runs or waits, else queues the append for a
     * writer; either way its future completes after the transaction that wrote it commits.
     */
    void submit(AppendRequest request) {
        synchronized (lock) {
            if (closed) {
                throw closedException();
            }
            if (busy < slots && queue.isEmpty()) {
                busy++;
            } else {
                queue.add(request);
                if (busy < slots) {
                    lock.notify();
                }
                return;
            }
        }
        // a caller's interrupt must not fail its own append half way: keep it for afterwards
        boolean interrupted = Thread.interrupted();
        try {
            Connection connection;
            try {
                connection = dataSource.getConnection();
            } catch (SQLException e) {
                unreachable(List.of(request), e);
                return;
            }
            try (connection) {
                run(connection, List.of(request));
            } catch (SQLException | RuntimeException e) {
                failed(List.of(request), e);
            }
        } finally {
            release();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void release() {
        synchronized (lock) {
            busy--;
            if (closed) {
                lock.notifyAll();
            } else if (!queue.isEmpty()) {
                lock.notify();
            }
        }
    }

    private void runWriter() {
        @Nullable Connection connection = null;
        List<AppendRequest> batch = new ArrayList<>(MAX_BATCH);
        try {
            while (true) {
                batch.clear();
                synchronized (lock) {
                    while (!closed && (queue.isEmpty() || busy >= slots)) {
                        lock.wait();
                    }
                    if (closed) {
                        return;
                    }
                    busy++;
                    while (batch.size() < MAX_BATCH && !queue.isEmpty()) {
                        batch.add(queue.poll());
                    }
                }
                try {
                    if (connection == null) {
                        try {
                            connection = dataSource.getConnection();
                        } catch (SQLException e) {
                            unreachable(batch, e);
                            continue;
                        }
                    }
                    run(connection, batch);
                } catch (SQLException | RuntimeException e) {
                    failed(batch, e);
                    connection = discard(connection);
                } finally {
                    release();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            discard(connection);
        }
    }

    private static @Nullable Connection discard(@Nullable Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the connection is broken; nothing more to release
            }
        }
        return null;
    }

    /** Append transactions committed so far that wrote events. */
    long transactions() {
        return transactions.get();
    }

    /** Appends completed (written, retried or failed on their own) so far. */
    long appends() {
        return appended.get();
    }

    /** Fails the queued appends, lets the running transactions finish and stops the writers. */
    void close() {
        List<AppendRequest> left;
        synchronized (lock) {
            closed = true;
            left = new ArrayList<>(queue);
            queue.clear();
            lock.notifyAll();
        }
        left.forEach(request -> request.result().completeExceptionally(closedException()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (Thread writer : writers) {
            try {
                writer.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        synchronized (lock) {
            while (busy > 0) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static StoreException closedException() {
        return new StoreException("the PostgreSQL event store is closed; the append was not written");
    }

    private void run(Connection connection, List<AppendRequest> batch) throws SQLException {
        connection.setAutoCommit(true);
        if (!inline.isEmpty()) {
            if (batch.size() == 1) {
                runAloneInTransaction(connection, batch);
            } else {
                inTransaction(connection, () -> runBatchInline(connection, batch));
            }
            return;
        }
        if (batch.size() > 1 && !Appends.distinctStreams(batch)) {
            inTransaction(connection, () -> runInTransaction(connection, batch));
            return;
        }
        Instant now = StreamWindow.recordedAt(clock);
        List<Appends.Outcome> outcomes;
        try {
            outcomes = batch.size() == 1
                    ? List.of(Appends.Outcome.ok(appends.runSingle(connection, batch.get(0), now)))
                    : appends.runBatch(connection, batch, now);
        } catch (Appends.Contended e) {
            runAloneInTransaction(connection, batch);
            return;
        } catch (SQLException e) {
            if (batch.size() == 1 && Sql.isDataError(e)) {
                refused(batch.get(0), e);
                return;
            }
            if (!Sql.isRetryable(e) && !Sql.isUniqueViolation(e) && !Sql.isDataError(e)) {
                throw e;
            }
            runAloneInTransaction(connection, batch);
            return;
        }
        committed(batch, outcomes);
        List<AppendRequest> again = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            if (outcomes.get(i).again()) {
                again.add(batch.get(i));
            }
        }
        if (!again.isEmpty()) {
            runAloneInTransaction(connection, again);
        }
    }

    private interface TransactionWork {
        void run() throws SQLException;
    }

    /** Runs work that commits or rolls back itself, and leaves the connection in autocommit. */
    private static void inTransaction(Connection connection, TransactionWork work) throws SQLException {
        connection.setAutoCommit(false);
        try {
            work.run();
        } finally {
            try {
                connection.rollback();
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    private void runAloneInTransaction(Connection connection, List<AppendRequest> batch) throws SQLException {
        inTransaction(connection, () -> runAlone(connection, batch));
    }

    /** A batch with appends to the same stream, decided together in one transaction. */
    private void runInTransaction(Connection connection, List<AppendRequest> batch) throws SQLException {
        List<Appends.Outcome> outcomes;
        try {
            outcomes = appends.run(connection, batch, false, StreamWindow.recordedAt(clock));
            connection.commit();
        } catch (Appends.Contended e) {
            connection.rollback();
            runAlone(connection, batch);
            return;
        } catch (SQLException e) {
            if (!Sql.isRetryable(e) && !Sql.isUniqueViolation(e) && !Sql.isDataError(e)) {
                throw e;
            }
            connection.rollback();
            runAlone(connection, batch);
            return;
        }
        committed(batch, outcomes);
    }

    private void failed(List<AppendRequest> batch, Exception e) {
        String reason = e instanceof SQLException sql ? Sql.reason(sql) : e.getMessage();
        for (AppendRequest request : batch) {
            request.result()
                    .completeExceptionally(new StoreException(
                            "stream " + request.streamId()
                                    + ": the append failed on the database, it may or may not be"
                                    + " written, retry it with the same event ids: " + reason,
                            e));
        }
    }

    /**
     * No connection to the database came within the pool's time-out (the database is down, or, behind a
     * multi-host url, no server is the primary during a fail-over): nothing of the batch was sent.
     */
    private void unreachable(List<AppendRequest> batch, SQLException e) {
        for (AppendRequest request : batch) {
            request.result()
                    .completeExceptionally(new StoreException(
                            "stream " + request.streamId()
                                    + ": no connection to the database, nothing was written; retry it: "
                                    + Sql.reason(e),
                            e));
        }
    }

    /**
     * A batch with inline projections: each append decided alone under a savepoint, its projections applied
     * before the savepoint is released, all committed together. A failing projection or a refused value
     * fails its append alone (rolled back to its savepoint); anything that needs a fresh transaction (a
     * reordered transaction id, a race, a serialization failure) rolls the whole batch back and runs its
     * appends one by one.
     */
    private void runBatchInline(Connection connection, List<AppendRequest> batch) throws SQLException {
        Instant now = StreamWindow.recordedAt(clock);
        List<Appends.Outcome> outcomes = new ArrayList<>(batch.size());
        try {
            for (AppendRequest request : batch) {
                Savepoint savepoint = connection.setSavepoint();
                try {
                    Appends.Outcome outcome =
                            appends.run(connection, List.of(request), true, now).get(0);
                    inline.apply(connection, request, outcome);
                    connection.releaseSavepoint(savepoint);
                    outcomes.add(outcome);
                } catch (InlineProjections.Failed e) {
                    connection.rollback(savepoint);
                    outcomes.add(Appends.Outcome.failed(e.exception()));
                } catch (SQLException e) {
                    if (!Sql.isDataError(e)) {
                        throw e;
                    }
                    connection.rollback(savepoint);
                    outcomes.add(Appends.Outcome.failed(invalid(request, e)));
                }
            }
            connection.commit();
        } catch (Appends.Contended | SQLException e) {
            connection.rollback();
            if (e instanceof SQLException sql && !Sql.isRetryable(sql) && !Sql.isUniqueViolation(sql)) {
                throw sql;
            }
            runAlone(connection, batch);
            return;
        }
        committed(batch, outcomes);
    }

    /** The database refused a value of the append: bad input, not a storage failure. */
    private void refused(AppendRequest request, SQLException e) {
        appended.incrementAndGet();
        request.result().completeExceptionally(invalid(request, e));
    }

    private static InvalidEventException invalid(AppendRequest request, SQLException e) {
        return new InvalidEventException(
                "stream " + request.streamId() + ": the database refused the events, nothing was written: "
                        + e.getMessage(),
                e);
    }

    /** Each append in a transaction of its own, its ids looked up first; on a connection in a transaction. */
    private void runAlone(Connection connection, List<AppendRequest> batch) throws SQLException {
        for (AppendRequest request : batch) {
            List<AppendRequest> one = List.of(request);
            int races = 0;
            int reorders = 0;
            while (true) {
                try {
                    List<Appends.Outcome> outcome = appends.run(connection, one, true, StreamWindow.recordedAt(clock));
                    inline.apply(connection, request, outcome.get(0));
                    connection.commit();
                    committed(one, outcome);
                    break;
                } catch (InlineProjections.Failed e) {
                    connection.rollback();
                    appended.incrementAndGet();
                    request.result().completeExceptionally(e.exception());
                    break;
                } catch (Appends.Contended | SQLException e) {
                    connection.rollback();
                    if (e instanceof SQLException sql && Sql.isDataError(sql)) {
                        refused(request, sql);
                        break;
                    }
                    if (e instanceof SQLException sql && !Sql.isRetryable(sql) && !Sql.isUniqueViolation(sql)) {
                        throw sql;
                    }
                    // a reordered append is not a lost race: a fresh transaction is all it takes
                    boolean reordered = e instanceof Appends.Contended contended && contended.reordered();
                    if (reordered ? ++reorders == REORDER_ATTEMPTS : ++races == SOLO_ATTEMPTS) {
                        request.result()
                                .completeExceptionally(new StoreException("stream " + request.streamId()
                                        + ": the append lost the race with concurrent writers "
                                        + (reordered ? REORDER_ATTEMPTS : SOLO_ATTEMPTS)
                                        + " times; nothing was written, retry it: " + e.getMessage()));
                        appended.incrementAndGet();
                        break;
                    }
                }
            }
        }
    }

    /**
     * After COMMIT: completes the appends decided (not those to run again), and signals readers if the
     * transaction wrote any events.
     */
    private void committed(List<AppendRequest> batch, List<Appends.Outcome> outcomes) {
        int decided = 0;
        for (Appends.Outcome outcome : outcomes) {
            decided += outcome.again() ? 0 : 1;
        }
        appended.addAndGet(decided);
        if (outcomes.stream().anyMatch(Appends.Outcome::written)) {
            transactions.incrementAndGet();
            onCommit.run();
        }
        for (int i = 0; i < batch.size(); i++) {
            Appends.Outcome outcome = outcomes.get(i);
            AppendRequest request = batch.get(i);
            if (outcome.failure().isPresent()) {
                request.result().completeExceptionally(outcome.failure().get());
            } else if (outcome.result().isPresent()) {
                request.result().complete(outcome.result().get());
            }
        }
    }
}
