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
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;

/**
 * Group commit, led by the callers themselves.
 *
 * <p>At most {@code slots} append transactions run at once. A caller that finds a free slot leads: it runs
 * its own append, on its own thread and a pooled connection, with no hand-off to another thread. A caller
 * that finds every slot taken queues its append and parks. When a leader's transaction has committed, it
 * completes the appends it ran and, if appends are queued, hands its slot to the oldest one's caller,
 * which wakes and leads everything queued by then (up to {@value #MAX_BATCH}) as one transaction. So
 * under load the appends that arrive while transactions run share the next commit and its WAL flush, and
 * a lone append costs one statement.
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
 *
 * <p>A leader's thread may be interrupted: the interrupt is kept for after the transaction, so it never
 * fails the appends of other callers.
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

    /** An append and the thread waiting for it; the thread parks until it is done or asked to lead. */
    private static final class Ticket {
        static final int WAITING = 0;
        static final int LEAD = 1;
        static final int DONE = 2;

        final AppendRequest request;
        final Thread thread = Thread.currentThread();
        volatile int state = WAITING;

        Ticket(AppendRequest request) {
            this.request = request;
        }

        void signal(int to) {
            state = to;
            LockSupport.unpark(thread);
        }
    }

    private final DataSource dataSource;
    private final Appends appends;
    private final InlineProjections inline;
    private final Clock clock;
    private final Runnable onCommit;
    private final int slots;
    private final Object lock = new Object();
    private final ArrayDeque<Ticket> queue = new ArrayDeque<>();
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
            Runnable onCommit) {
        this.dataSource = dataSource;
        this.appends = appends;
        this.inline = inline;
        this.clock = clock;
        this.onCommit = onCommit;
        this.slots = slots;
    }

    /**
     * Runs the append, leading a transaction on the caller's thread or waiting for another caller's; its
     * future is complete when this returns, after the transaction that wrote it committed.
     */
    void submit(AppendRequest request) {
        Ticket ticket = new Ticket(request);
        List<Ticket> batch;
        synchronized (lock) {
            if (closed) {
                throw closedException();
            }
            // a free slot means nothing is queued: a leader that frees its slot hands it to the queue first
            if (busy < slots) {
                busy++;
                batch = List.of(ticket);
            } else {
                queue.add(ticket);
                batch = null;
            }
        }
        if (batch == null) {
            batch = await(ticket);
            if (batch == null) {
                return;
            }
        }
        lead(batch);
    }

    /** Parks until the ticket is done (null) or its caller leads (the batch to run). */
    private List<Ticket> await(Ticket ticket) {
        boolean interrupted = false;
        while (ticket.state == Ticket.WAITING) {
            LockSupport.park(this);
            interrupted |= Thread.interrupted();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (ticket.state == Ticket.DONE) {
            return null;
        }
        synchronized (lock) {
            if (closed) {
                busy--;
                lock.notifyAll();
                ticket.request.result().completeExceptionally(closedException());
                return null;
            }
            List<Ticket> batch = new ArrayList<>(Math.min(MAX_BATCH, queue.size() + 1));
            batch.add(ticket);
            while (batch.size() < MAX_BATCH && !queue.isEmpty()) {
                batch.add(queue.poll());
            }
            return batch;
        }
    }

    /** Runs the batch, completes its appends, frees the slot (or hands it on) and wakes the waiters. */
    private void lead(List<Ticket> batch) {
        boolean interrupted = Thread.interrupted();
        List<AppendRequest> requests = new ArrayList<>(batch.size());
        batch.forEach(ticket -> requests.add(ticket.request));
        try (Connection connection = dataSource.getConnection()) {
            run(connection, requests);
        } catch (SQLException | RuntimeException e) {
            failed(requests, e);
        } finally {
            Ticket next = null;
            synchronized (lock) {
                if (!closed && !queue.isEmpty()) {
                    next = queue.poll();
                } else {
                    busy--;
                    if (closed) {
                        lock.notifyAll();
                    }
                }
            }
            for (Ticket ticket : batch) {
                if (!ticket.request.result().isDone()) {
                    ticket.request
                            .result()
                            .completeExceptionally(new StoreException("stream "
                                    + ticket.request.streamId() + ": the append was not decided; retry it with the same"
                                    + " event ids"));
                }
                if (ticket.thread != Thread.currentThread()) {
                    ticket.signal(Ticket.DONE);
                }
            }
            if (next != null) {
                next.signal(Ticket.LEAD);
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Append transactions committed so far that wrote events. */
    long transactions() {
        return transactions.get();
    }

    /** Appends completed (written, retried or failed on their own) so far. */
    long appends() {
        return appended.get();
    }

    /** Fails the queued appends and waits (up to 30 s) for the running transactions to finish. */
    void close() {
        List<Ticket> left;
        synchronized (lock) {
            closed = true;
            left = new ArrayList<>(queue);
            queue.clear();
        }
        for (Ticket ticket : left) {
            ticket.request.result().completeExceptionally(closedException());
            ticket.signal(Ticket.DONE);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
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
        for (AppendRequest request : batch) {
            request.result()
                    .completeExceptionally(new StoreException(
                            "stream " + request.streamId()
                                    + ": the append failed on the database, it may or may not be"
                                    + " written, retry it with the same event ids: " + e.getMessage(),
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
