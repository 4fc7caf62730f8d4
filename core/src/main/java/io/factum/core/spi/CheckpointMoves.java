package io.factum.core.spi;

import io.factum.core.subscription.CheckpointMove;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The rule for the moves of a multi-checkpoint commit, in one place, so every store decides identically. */
public final class CheckpointMoves {

    private CheckpointMoves() {}

    /**
     * Checks the moves of a multi-checkpoint commit: one or more, no checkpoint twice.
     *
     * @return the moves sorted by checkpoint name: the order a store checks and locks them in, so that two
     *     commits of overlapping checkpoints cannot deadlock and a conflict names the same checkpoint on
     *     every store
     * @throws IllegalArgumentException if there are none or a checkpoint is named twice
     */
    public static List<CheckpointMove> require(List<CheckpointMove> moves) {
        if (moves.isEmpty()) {
            throw new IllegalArgumentException("a commit needs at least one checkpoint move, got none");
        }
        Set<String> names = new HashSet<>();
        for (CheckpointMove move : moves) {
            if (!names.add(move.name())) {
                throw new IllegalArgumentException(
                        "checkpoint " + move.name() + " is moved twice in one commit; give each checkpoint once");
            }
        }
        return moves.stream().sorted(Comparator.comparing(CheckpointMove::name)).toList();
    }
}
