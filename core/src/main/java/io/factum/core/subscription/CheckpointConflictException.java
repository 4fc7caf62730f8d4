package io.factum.core.subscription;

import io.factum.core.FactumException;
import io.factum.core.Position;

/**
 * A checkpoint was not where the writer expected it: another instance of the same subscription (or a
 * member of a consumer group that took the bucket over) moved it first. Nothing of the write was kept;
 * reload the checkpoint and go on from there.
 */
public final class CheckpointConflictException extends FactumException {

    private final String checkpoint;
    private final Position expected;
    private final Position actual;

    public CheckpointConflictException(String checkpoint, Position expected, Position actual) {
        super("checkpoint " + checkpoint + ": expected it at " + expected + " but it is at " + actual
                + "; another instance moved it first, nothing was written");
        this.checkpoint = checkpoint;
        this.expected = expected;
        this.actual = actual;
    }

    /** The name of the checkpoint. */
    public String checkpoint() {
        return checkpoint;
    }

    /** Where the writer expected the checkpoint. */
    public Position expected() {
        return expected;
    }

    /** Where it was. */
    public Position actual() {
        return actual;
    }
}
