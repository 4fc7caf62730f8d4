package io.factum.core;

/** Whether a stream can be read and appended to. */
public enum StreamState {
    /** Readable and appendable. */
    ACTIVE,
    /**
     * Soft-deleted: reads return nothing, and the next append re-creates it with versions that continue
     * where they stopped (earlier events stay hidden).
     */
    SOFT_DELETED,
    /** Hard-deleted: reads and appends fail for good. */
    TOMBSTONED
}
