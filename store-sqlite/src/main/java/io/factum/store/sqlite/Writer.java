package io.factum.store.sqlite;

import io.factum.core.AppendResult;
import io.factum.core.AppendResults;
import io.factum.core.StoreException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The single writer thread and its queue: group commit. Callers enqueue writes and wait; the thread takes
 * whatever is waiting (up to {@link #MAX_BATCH}), runs each write in its own savepoint inside one {@code
 * BEGIN IMMEDIATE} transaction, commits, and only then completes the callers' futures. A write that fails
 * (a wrong expected version, say) is rolled back to its savepoint and does not affect the others; a failing
 * commit fails them all with {@link StoreException}. A batch of one write needs no savepoint: if the write
 * fails, the transaction is rolled back.
 *
 * <p>A write that finds the writer idle (nothing queued, the connection free) runs on its caller's thread
 * instead, as a batch of one, holding the connection's lock: a lone append then costs no hand-off between
 * threads. Writes that arrive while the connection is busy queue up and share the writer thread's next
 * transaction as before.
 *
 * <p><b>Durability per transaction.</b> A write is either durable (an append, a deadline, a parked event:
 * the default, {@link #submit}) or rebuildable ({@link #submitRebuildable}: a read model's batch with its
 * checkpoint, a checkpoint move). A transaction that carries only rebuildable writes commits with {@code
 * synchronous=NORMAL}: SQLite writes its pages to the WAL file without waiting for fsync. One that carries
 * any durable write commits with {@code synchronous=FULL}, and its fsync of the WAL file also makes every
 * earlier transaction durable, because the WAL is one file appended in commit order. After a crash of the
 * machine, recovery keeps a prefix of the committed transactions, so what can be lost is a tail of
 * rebuildable transactions after the last durable one, never a durable write nor anything before it. A crash
 * of the process alone loses nothing (the WAL pages are in the operating system's hands). SQLite refuses to
 * change the level inside a transaction, so the writer sets it between transactions, when it changes.
 *
 * <p><b>Failures of the storage.</b> When a write or the commit fails because the disk is full, the file is
 * read-only, the disk reports an I/O error, the file is damaged or cannot be opened ({@link SqliteFault}), or
 * when the transaction itself cannot begin, be rolled back to a savepoint or commit, the batch ends: it is
 * rolled back, every write in it fails with a {@link StoreException} that says what happened and what to
 * do, and none is acknowledged. The writer then closes its connection, with the prepared statements that
 * sqlite-jdbc may have finalized on the error, and opens a new one (with the same settings) for the next
 * batch, once for the whole batch. So writes succeed again as soon as the cause is gone, without reopening
 * the store. A write that fails on its own with another SQL error fails alone, as above, and the writer
 * prepares its statements again before the next write.
 */
final class Writer {

    /** A write, run inside the batch's transaction (on the writer thread or its caller's). */
    interface Operation<T> {
        T apply(WriteSession session) throws SQLException;
    }

    /**
     * @param rebuildable true if losing the write in a crash of the machine only means applying it again (a
     *     read model's batch, a checkpoint): it may commit without waiting for the disk
     */
    private record Request(Operation<?> operation, boolean rebuildable, CompletableFuture<Object> done) {}

    /** The most writes coalesced into one transaction. */
    static final int MAX_BATCH = 1000;

    private static final Request STOP = new Request(session -> "stop", false, new CompletableFuture<>());

    private final String file;
    private final WriteSession.Opener opener;
    private final LongConsumer onCommit;

    /** The session batches run on; null after a failure closed it, until the next batch opens another. */
    private @Nullable WriteSession session;

    private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final Object enqueueLock = new Object();

    /** Held while the connection is in use, by the writer thread or by a caller running a write itself. */
    private final ReentrantLock connectionLock = new ReentrantLock();

    /** Writes the writer thread took from the queue and holds while it waits for the connection. */
    private volatile int taken;

    private final Thread thread;
    private volatile boolean closed;

    private final LongAdder transactions = new LongAdder();
    private final LongAdder durableTransactions = new LongAdder();
    private final LongAdder writes = new LongAdder();
    private final LongAdder reconnects = new LongAdder();
    private final AtomicLong largestBatch = new AtomicLong();
    private final WriteFailures failures;

    /**
     * @param session the session of the connection the store opened
     * @param opener opens a new session after a failure closed the last one
     * @param onCommit called on the writer thread after each commit with the highest global position the
     *     batch appended (0 if none)
     */
    Writer(String file, WriteSession session, WriteSession.Opener opener, LongConsumer onCommit) {
        this.file = file;
        this.session = session;
        this.opener = opener;
        this.onCommit = onCommit;
        this.failures = new WriteFailures(file);
        this.thread = Thread.ofPlatform()
                .name("factum-sqlite-writer-" + file)
                .daemon(true)
                .unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /**
     * Runs a durable write in the next batch and waits until it committed and reached the disk.
     *
     * @throws StoreException if the store is closed, the commit fails or the caller is interrupted
     */
    <T> T submit(Operation<T> operation) {
        return submit(operation, false);
    }

    /**
     * Runs a rebuildable write (a read model's batch with its checkpoint, a checkpoint move) in the next
     * batch and waits until it committed; it waits for the disk only if its transaction carries a durable
     * write too.
     *
     * @throws StoreException if the store is closed, the commit fails or the caller is interrupted
     */
    <T> T submitRebuildable(Operation<T> operation) {
        return submit(operation, true);
    }

    @SuppressWarnings("unchecked")
    private <T> T submit(Operation<T> operation, boolean rebuildable) {
        if (queue.isEmpty() && taken == 0 && connectionLock.tryLock()) {
            // the writer is idle: run the write here, saving the hand-offs to the writer thread and back
            try {
                if (closed) {
                    throw new StoreException("the SQLite store " + file + " is closed");
                }
                Request request = new Request(operation, rebuildable, new CompletableFuture<>());
                runBatch(List.of(request));
                return (T) request.done().join();
            } catch (CompletionException e) {
                throw rethrow(e.getCause(), e);
            } finally {
                connectionLock.unlock();
            }
        }
        Request request = new Request(operation, rebuildable, new CompletableFuture<>());
        synchronized (enqueueLock) {
            if (closed) {
                throw new StoreException("the SQLite store " + file + " is closed");
            }
            queue.add(request);
        }
        try {
            return (T) request.done().get();
        } catch (ExecutionException e) {
            throw rethrow(e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(
                    "interrupted while waiting for a write to the SQLite store " + file
                            + " to commit; it may or may not have happened, retry it (appends with the same event ids)",
                    e);
        }
    }

    private RuntimeException rethrow(Throwable cause, Exception wrapper) {
        if (cause instanceof RuntimeException failure) {
            return failure;
        }
        return new StoreException("the write to the SQLite store " + file + " failed: " + cause, wrapper);
    }

    /** The number of transactions committed (or tried) so far. */
    long transactions() {
        return transactions.sum();
    }

    /** The number of those transactions that waited for the disk ({@code synchronous=FULL}). */
    long durableTransactions() {
        return durableTransactions.sum();
    }

    /** The number of writes run in those transactions. */
    long writes() {
        return writes.sum();
    }

    /**
     * The number of transactions that failed as a whole (the storage failed, or the transaction could not
     * begin or commit); every write in them failed with {@link StoreException}.
     */
    long failedTransactions() {
        return failures.count();
    }

    /** Why writes fail now, if the last transaction failed as a whole and none succeeded since. */
    java.util.Optional<String> failing() {
        return failures.failing();
    }

    /** The number of times the writer opened a new connection, each after a failed transaction. */
    long reconnects() {
        return reconnects.sum();
    }

    /** The number of writes waiting for the next batch. */
    int queued() {
        return queue.size() + taken;
    }

    /** True once {@link #close()} has begun. */
    boolean closed() {
        return closed;
    }

    /** The most writes one transaction has carried. */
    long largestBatch() {
        return largestBatch.get();
    }

    /**
     * Refuses new writes, fails those still queued with {@link StoreException}, lets a batch that is
     * running commit, and waits for the thread to end.
     */
    void close() {
        synchronized (enqueueLock) {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(STOP);
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<Request> batch = new ArrayList<>();
        try {
            boolean stop = false;
            while (!stop) {
                batch.clear();
                batch.add(queue.take());
                taken = 1;
                connectionLock.lock();
                try {
                    queue.drainTo(batch, MAX_BATCH - 1);
                    taken = 0;
                    // STOP is the last request ever queued
                    stop = batch.get(batch.size() - 1) == STOP;
                    if (stop) {
                        batch.remove(batch.size() - 1);
                    }
                    if (closed) {
                        for (Request request : batch) {
                            request.done()
                                    .completeExceptionally(new StoreException("the SQLite store " + file
                                            + " was closed before this write ran; it was not made"));
                        }
                    } else if (!batch.isEmpty()) {
                        runBatch(batch);
                    }
                } finally {
                    connectionLock.unlock();
                }
            }
        } catch (InterruptedException | RuntimeException | Error e) {
            // nothing may wait for ever on a writer that is gone: refuse new writes and fail the rest
            synchronized (enqueueLock) {
                closed = true;
            }
            batch.addAll(queue);
            queue.clear();
            for (Request request : batch) {
                request.done()
                        .completeExceptionally(new StoreException(
                                "the writer of the SQLite store " + file + " stopped: " + e + "; reopen the store", e));
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        } finally {
            // a caller may still be running a write of its own: let it finish
            connectionLock.lock();
            try {
                closeSession();
            } finally {
                connectionLock.unlock();
            }
        }
    }

    /** The highest position among what a write appended (a single- or multi-stream append) and {@code highest}. */
    private static long highestPosition(Object outcome, long highest) {
        return switch (outcome) {
            case AppendResult result -> Math.max(highest, result.position().position());
            case AppendResults results -> Math.max(highest, results.position().position());
            default -> highest;
        };
    }

    private void runBatch(List<Request> batch) {
        Object[] outcomes = new Object[batch.size()];
        long highest = 0;
        boolean durable = batch.stream().anyMatch(request -> !request.rebuildable());
        transactions.increment();
        if (durable) {
            durableTransactions.increment();
        }
        writes.add(batch.size());
        largestBatch.accumulateAndGet(batch.size(), Math::max);
        boolean committing = false;
        try {
            WriteSession session = session();
            session.synchronous(durable);
            session.begin();
            try {
                if (outcomes.length == 1) {
                    // a write alone needs no savepoint: if it fails, the whole transaction is rolled back
                    outcomes[0] = apply(session, batch.get(0).operation());
                    if (outcomes[0] instanceof RuntimeException failure) {
                        session.rollback();
                        renewStatementsAfter(session, failure);
                    } else {
                        highest = highestPosition(outcomes[0], highest);
                        committing = true;
                        session.commit();
                    }
                } else {
                    for (int i = 0; i < outcomes.length; i++) {
                        outcomes[i] = runOne(session, batch.get(i).operation());
                        highest = highestPosition(outcomes[i], highest);
                    }
                    committing = true;
                    session.commit();
                }
            } catch (SQLException | RuntimeException | Error e) {
                session.rollbackQuietly(e);
                throw e;
            }
        } catch (SQLException | RuntimeException e) {
            failBatch(batch, e, committing);
            return;
        }
        failures.succeeded();
        onCommit.accept(highest);
        for (int i = 0; i < outcomes.length; i++) {
            if (outcomes[i] instanceof RuntimeException failure) {
                batch.get(i).done().completeExceptionally(failure);
            } else {
                batch.get(i).done().complete(outcomes[i]);
            }
        }
    }

    /**
     * Fails every write of a batch whose transaction failed as a whole, none acknowledged, and closes the
     * session: SQLite may have rolled the transaction back by itself, and sqlite-jdbc may have finalized
     * statements the session keeps. The next batch opens a new one.
     *
     * @param committing true if the failure came from the COMMIT, which may have reached the disk
     */
    private void failBatch(List<Request> batch, Exception failure, boolean committing) {
        SqliteFault fault = SqliteFault.of(failure);
        String message = fault.writeFailed(file, failure, committing && !SqliteFault.commitCertainlyFailed(failure));
        closeSession();
        failures.failed(fault, message, batch.size(), failure);
        for (Request request : batch) {
            request.done().completeExceptionally(new StoreException(message, failure));
        }
    }

    /** The session to run a batch on, opened now if a failure closed the last one. */
    private WriteSession session() throws SQLException {
        WriteSession current = session;
        if (current == null) {
            current = opener.open();
            session = current;
            reconnects.increment();
        }
        return current;
    }

    private void closeSession() {
        WriteSession current = session;
        session = null;
        if (current != null) {
            try {
                current.close();
            } catch (SQLException ignored) {
                // the connection is given up: it holds no work that closing it could save
            }
        }
    }

    /** Runs one write in a savepoint; returns its result or, if it failed on its own, the exception to give its caller. */
    private Object runOne(WriteSession session, Operation<?> operation) throws SQLException {
        session.savepoint();
        Object outcome = apply(session, operation);
        if (outcome instanceof RuntimeException failure) {
            session.rollbackToSavepoint();
            renewStatementsAfter(session, failure);
        }
        session.release();
        return outcome;
    }

    /**
     * Runs one write; returns its result or, if it failed on its own, the exception to give its caller.
     *
     * @throws RuntimeException the write's failure if the storage failed ({@link SqliteFault#isStorage}),
     *     which ends the batch
     */
    private Object apply(WriteSession session, Operation<?> operation) {
        RuntimeException failure;
        try {
            return operation.apply(session);
        } catch (RuntimeException e) {
            failure = e;
        } catch (SQLException e) {
            failure = new StoreException(
                    "could not write to the SQLite store " + file + ": " + e.getMessage() + "; nothing was written", e);
        }
        if (SqliteFault.of(failure).isStorage()) {
            throw failure;
        }
        return failure;
    }

    /**
     * Renews the session's statements (each is prepared again when next needed) if the write failed with an
     * SQL error that may have finalized one.
     */
    private static void renewStatementsAfter(WriteSession session, RuntimeException failure) {
        if (SqliteFault.of(failure) == SqliteFault.STATEMENT) {
            session.renewStatements();
        }
    }
}
