package io.factum.core.subscription;

import io.factum.core.Position;
import java.util.Objects;

/**
 * One checkpoint moved by compare-and-set inside a commit of a {@link SqlCheckpointStore}: from where the
 * writer believes it is to where the commit takes it.
 *
 * @param name the checkpoint
 * @param expected where the writer believes it is; {@link Position#START} for one never saved
 * @param next where the commit moves it
 */
public record CheckpointMove(String name, Position expected, Position next) {

    public CheckpointMove {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(next, "next");
    }
}
