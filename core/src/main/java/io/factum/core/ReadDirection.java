package io.factum.core;

/** The direction of a read, in stream versions or in global positions. */
public enum ReadDirection {
    /** Oldest first. */
    FORWARD,
    /** Newest first. */
    BACKWARD
}
