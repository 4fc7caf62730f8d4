package io.factum.store.postgres;

import io.factum.core.StoreException;
import io.factum.core.spi.StreamWindow;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Group commit: callers put their appends on a queue; each writer thread, with a connection of its own,
 * takes everything waiting and runs it as one transaction ({@link Appends}), so concurrent appends share
 * one commit and one WAL flush. Every append still succeeds or fails on its own; futures complete only
 * after COMMIT. A batch that cannot be decided together (a race with another process, an id reused within
 * the batch, a serialization failure) is rolled back and its appends run one by one.
 */
final class GroupCommit {

    /** The most appends one transaction takes. */
    static final int MAX_BATCH = 256;

    private static final int SOLO_ATTEMPTS = 5;

    private final DataSource dataSource;
    private final Appends appends;
    private final Clock clock;
    private final Runnable onCommit;
    private final LinkedBlockingQueue<AppendRequest> queue = new LinkedBlockingQueue<>();
    private final Object gate = new Object();
    private final List<Thread> writers = new ArrayList<>();
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong appended = new AtomicLong();
    private volatile boolean closed;

    GroupCommit(DataSource dataSource, Appends appends, Clock clock, int writerCount, String name, Runnable onCommit) {
        this.dataSource = dataSource;
        this.appends = appends;
        this.clock = clock;
        this.onCommit = onCommit;
        for (int i = 0; i < writerCount; i++) {
            Thread writer = new Thread(this::runWriter, "factum-pg-writer-" + name + "-" + i);
            writer.setDaemon(true);
            writers.add(writer);
        }
        writers.forEach(Thread::start);
    }

    /** Queues an append; its future completes after the transaction that wrote it commits. */
    void submit(AppendRequest request) {
        synchronized (gate) {
            if (closed) {
                throw closedException();
            }
            queue.add(request);
        }
    }

    /** Append transactions committed so far. */
    long transactions() {
        return transactions.get();
    }

    /** Appends completed (written, retried or failed on their own) so far. */
    long appends() {
        return appended.get();
    }

    /** Fails the queued appends, lets the running batches finish and stops the writers. */
    void close() {
        synchronized (gate) {
            closed = true;
        }
        failQueued();
        for (Thread writer : writers) {
            try {
                writer.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        failQueued();
    }

    private void failQueued() {
        List<AppendRequest> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(request -> request.result().completeExceptionally(closedException()));
    }

    private static StoreException closedException() {
        return new StoreException("the PostgreSQL event store is closed; the append was not written");
    }

    private void runWriter() {
        @Nullable Connection connection = null;
        List<AppendRequest> batch = new ArrayList<>(MAX_BATCH);
        try {
            while (!closed) {
                AppendRequest first;
                try {
                    first = queue.poll(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    break;
                }
                if (first == null) {
                    continue;
                }
                batch.clear();
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                try {
                    if (connection == null) {
                        connection = dataSource.getConnection();
                        connection.setAutoCommit(false);
                    }
                    runBatch(connection, batch);
                } catch (SQLException | RuntimeException e) {
                    for (AppendRequest request : batch) {
                        request.result()
                                .completeExceptionally(new StoreException(
                                        "stream " + request.streamId()
                                                + ": the append failed on the database, it may or may not be"
                                                + " written, retry it with the same event ids: " + e.getMessage(),
                                        e));
                    }
                    connection = discard(connection);
                }
            }
        } finally {
            discard(connection);
        }
    }

    private void runBatch(Connection connection, List<AppendRequest> batch) throws SQLException {
        Instant now = StreamWindow.recordedAt(clock);
        List<Appends.Outcome> outcomes;
        try {
            outcomes = batch.size() == 1
                    ? List.of(Appends.Outcome.ok(appends.runSingle(connection, batch.get(0), now)))
                    : appends.run(connection, batch, false, now);
            connection.commit();
        } catch (Appends.Contended e) {
            connection.rollback();
            runAlone(connection, batch);
            return;
        } catch (SQLException e) {
            if (!Sql.isRetryable(e) && !Sql.isUniqueViolation(e)) {
                throw e;
            }
            connection.rollback();
            runAlone(connection, batch);
            return;
        }
        committed(batch, outcomes);
    }

    private void runAlone(Connection connection, List<AppendRequest> batch) throws SQLException {
        for (AppendRequest request : batch) {
            List<AppendRequest> one = List.of(request);
            for (int attempt = 1; ; attempt++) {
                try {
                    List<Appends.Outcome> outcome = appends.run(connection, one, true, StreamWindow.recordedAt(clock));
                    connection.commit();
                    committed(one, outcome);
                    break;
                } catch (Appends.Contended | SQLException e) {
                    connection.rollback();
                    if (e instanceof SQLException sql && !Sql.isRetryable(sql) && !Sql.isUniqueViolation(sql)) {
                        throw sql;
                    }
                    if (attempt == SOLO_ATTEMPTS) {
                        request.result()
                                .completeExceptionally(new StoreException("stream " + request.streamId()
                                        + ": the append lost the race with concurrent writers " + SOLO_ATTEMPTS
                                        + " times; nothing was written, retry it: " + e.getMessage()));
                        appended.incrementAndGet();
                        break;
                    }
                }
            }
        }
    }

    private void committed(List<AppendRequest> batch, List<Appends.Outcome> outcomes) {
        transactions.incrementAndGet();
        appended.addAndGet(batch.size());
        onCommit.run();
        for (int i = 0; i < batch.size(); i++) {
            Appends.Outcome outcome = outcomes.get(i);
            AppendRequest request = batch.get(i);
            if (outcome.failure().isPresent()) {
                request.result().completeExceptionally(outcome.failure().get());
            } else {
                request.result().complete(outcome.result().orElseThrow());
            }
        }
    }

    private static @Nullable Connection discard(@Nullable Connection connection) {
        if (connection != null) {
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // the connection is broken; closing it is all that is left
            }
            try {
                connection.close();
            } catch (SQLException ignored) {
                // nothing more to release
            }
        }
        return null;
    }
}
