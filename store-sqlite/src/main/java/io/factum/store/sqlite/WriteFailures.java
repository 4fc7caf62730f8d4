package io.factum.store.sqlite;

import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The writer's record of transactions that failed as a whole: counts them, and logs the first of an outage
 * (and a change of its cause) at WARNING and the first success after it at INFO, so that a full disk logs
 * two lines, not one per write. {@link #failed} and {@link #succeeded} are called under the writer's
 * connection lock; {@link #count} from any thread.
 */
final class WriteFailures {

    private static final System.Logger LOG = System.getLogger(Writer.class.getName());

    private final String file;
    private final LongAdder count = new LongAdder();

    /** The transactions that failed since the last one that did not. */
    private long inARow;

    /** The fault of the last failed transaction, to log a change of cause. */
    private @Nullable SqliteFault lastFault;

    /** What the callers of the last transaction were told, while no transaction succeeded since. */
    private volatile @Nullable String failing;

    WriteFailures(String file) {
        this.file = file;
    }

    /** A transaction of {@code writes} writes failed with {@code fault}; every write was told {@code message}. */
    void failed(SqliteFault fault, String message, int writes, Throwable failure) {
        count.increment();
        if (inARow++ == 0 || fault != lastFault) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    message + " (" + writes + " write(s) failed; the writer opens a new connection for the next)",
                    failure);
        }
        lastFault = fault;
        failing = message;
    }

    /** A transaction committed (or rolled back a write that failed on its own). */
    void succeeded() {
        if (inARow > 0) {
            LOG.log(
                    System.Logger.Level.INFO,
                    "the SQLite store {0} takes writes again, after {1} failed transaction(s)",
                    file,
                    inARow);
            inARow = 0;
            lastFault = null;
            failing = null;
        }
    }

    /** Why writes fail now: the last transaction failed as a whole and none succeeded since. */
    Optional<String> failing() {
        return Optional.ofNullable(failing);
    }

    /** The number of transactions that failed as a whole. */
    long count() {
        return count.sum();
    }
}
