package io.factum.store.sqlite;

import java.sql.SQLException;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * What a failed SQLite call means for the store: whether the storage failed under the connection (the disk
 * is full, the file is read-only, an I/O error, a damaged file, a file that cannot be opened), only one
 * statement failed, or nothing that outlives the call; and, for a write, what its caller is told.
 *
 * <p>Why it matters: sqlite-jdbc finalizes a prepared statement when it fails with any code but BUSY,
 * LOCKED, CONSTRAINT and MISUSE, and every later use of it fails with "statement is not executing". After
 * a full disk or an I/O error SQLite may also have rolled the transaction back by itself. A connection that
 * keeps its prepared statements must therefore prepare them again after such a failure, and after a failure
 * of the storage the writer replaces its connection.
 */
enum SqliteFault {

    /**
     * No SQLite error, or one that leaves the connection and its statements as they were: a busy or locked
     * file (another process held the write lock longer than the busy timeout), a constraint.
     */
    NONE("", "Retry the write", ""),

    /**
     * One statement failed (an SQL error, a value too big): the connection is sound, but the statement may
     * be finalized.
     */
    STATEMENT("", "Retry the write", ""),

    DISK_FULL("the disk holding it is full", "Free space on that disk", "; a write after that succeeds"),

    READ_ONLY(
            "it is read-only",
            "Make the file, the -wal and -shm files beside it and their directory writable for this process",
            "; a write after that succeeds"),

    IO_ERROR(
            "the disk failed under it",
            "Look at the disk and the kernel log",
            "; once the disk works a write succeeds"),

    CORRUPT(
            "it is damaged",
            "Retrying will not help: stop the application, check the file with PRAGMA integrity_check and restore"
                    + " it from a backup",
            ""),

    CANNOT_OPEN(
            "the file or its directory is gone or not accessible",
            "Put the file back where it was, or make it and its directory accessible to this process",
            "; a write after that succeeds");

    /** SQLite's primary result codes (the low byte of an extended code) that this class tells apart. */
    private static final int SQLITE_BUSY = 5;

    private static final int SQLITE_LOCKED = 6;
    private static final int SQLITE_READONLY = 8;

    private static final int SQLITE_IOERR = 10;
    private static final int SQLITE_CORRUPT = 11;
    private static final int SQLITE_FULL = 13;
    private static final int SQLITE_CANTOPEN = 14;
    private static final int SQLITE_CONSTRAINT = 19;
    private static final int SQLITE_MISUSE = 21;
    private static final int SQLITE_NOTADB = 26;

    /** The extended code of a failed write to a file: the write did not happen. */
    private static final int SQLITE_IOERR_WRITE = SQLITE_IOERR | (3 << 8);

    /** What is wrong with the store's file: "the disk holding it is full". */
    private final String reason;

    /** What the operator does about it. */
    private final String fix;

    /** What a write can expect once the fix is made, if anything; the store needs no reopen for it. */
    private final String afterFix;

    SqliteFault(String reason, String fix, String afterFix) {
        this.reason = reason;
        this.fix = fix;
        this.afterFix = afterFix;
    }

    /** True if the storage under the connection failed: the writer ends the batch and replaces its connection. */
    boolean isStorage() {
        return this != NONE && this != STATEMENT;
    }

    /** The fault of {@code failure}: of the first SQL exception among it and its causes, NONE if there is none. */
    static SqliteFault of(Throwable failure) {
        SQLException sql = sqlCause(failure);
        if (sql == null) {
            return NONE;
        }
        if (!(sql instanceof SQLiteException sqlite)) {
            // sqlite-jdbc's own checks, "statement is not executing" among them
            return STATEMENT;
        }
        return switch (code(sqlite) & 0xFF) {
            case SQLITE_FULL -> DISK_FULL;
            case SQLITE_READONLY -> READ_ONLY;
            case SQLITE_IOERR -> IO_ERROR;
            case SQLITE_CORRUPT, SQLITE_NOTADB -> CORRUPT;
            case SQLITE_CANTOPEN -> CANNOT_OPEN;
            // sqlite-jdbc keeps the statement
            case SQLITE_BUSY, SQLITE_LOCKED, SQLITE_CONSTRAINT, SQLITE_MISUSE -> NONE;
            default -> STATEMENT;
        };
    }

    /**
     * True if a COMMIT that failed with {@code failure} certainly did not commit. The WAL gets the commit's
     * frames in order, its commit frame last: a full disk, a refused or a failed write of a frame leaves no
     * complete commit frame. A failure after it (an fsync, say) may leave one, which a later recovery of the
     * WAL keeps, so such a commit may or may not have happened.
     */
    static boolean commitCertainlyFailed(Throwable failure) {
        SQLException sql = sqlCause(failure);
        if (!(sql instanceof SQLiteException sqlite)) {
            return false;
        }
        int code = code(sqlite);
        return switch (code & 0xFF) {
            case SQLITE_FULL, SQLITE_READONLY -> true;
            case SQLITE_IOERR -> code == SQLITE_IOERR_WRITE;
            default -> false;
        };
    }

    /**
     * The message for a write that failed with this fault: "could not write to the SQLite store F: the disk
     * holding it is full (SQLITE_FULL); nothing of this write was kept. Free space on that disk; a write after
     * that succeeds, the store needs no reopen".
     *
     * @param mayBeWritten false if nothing of the write was kept, true if it may or may not have been (it
     *     failed while committing)
     */
    String writeFailed(String file, Throwable failure, boolean mayBeWritten) {
        String outcome = mayBeWritten
                ? "the write may or may not have been made (it failed while committing), so retry it the same way,"
                        + " an append with the same event ids is stored once"
                : "nothing of this write was kept";
        return "could not write to the SQLite store " + file + ": " + reason(failure) + "; " + outcome + ". " + fix
                + (afterFix.isEmpty() ? "" : afterFix + ", the store needs no reopen");
    }

    /**
     * The message for a store that could not be opened because of this fault: "could not open the SQLite
     * store F: it is read-only (SQLITE_READONLY). Make the file, ... writable for this process".
     */
    String openFailed(String file, Throwable failure) {
        return "could not open the SQLite store " + file + ": " + reason(failure) + (isStorage() ? ". " + fix : "");
    }

    /** What is wrong, with SQLite's code, or SQLite's message if the storage did not fail. */
    private String reason(Throwable failure) {
        return isStorage() ? reason + " (" + codeName(failure) + ")" : String.valueOf(failure.getMessage());
    }

    private static String codeName(Throwable failure) {
        SQLException sql = sqlCause(failure);
        if (sql instanceof SQLiteException sqlite && sqlite.getResultCode() != SQLiteErrorCode.UNKNOWN_ERROR) {
            return sqlite.getResultCode().name();
        }
        return sql == null ? "no SQLite code" : "SQLite code " + sql.getErrorCode();
    }

    private static int code(SQLiteException sqlite) {
        SQLiteErrorCode code = sqlite.getResultCode();
        return code == SQLiteErrorCode.UNKNOWN_ERROR ? sqlite.getErrorCode() : code.code;
    }

    private static @Nullable SQLException sqlCause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql;
            }
        }
        return null;
    }
}
