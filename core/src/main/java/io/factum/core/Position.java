package io.factum.core;

import java.util.Comparator;

/**
 * A place in the global log, and the checkpoint a catch-up reader keeps: the pair (transaction id,
 * position). The global log is ordered by this pair. On PostgreSQL {@code txId} is the appending
 * transaction's id, which is what makes catch-up reads gap-free; stores with a single writer use
 * {@code txId = 0}, so checkpoints have the same shape everywhere.
 *
 * @param txId the id of the transaction that appended the event (0 where the store has one writer)
 * @param position the event's global position, unique in the store
 */
public record Position(long txId, long position) implements Comparable<Position> {

    /** Before the first event: reading forward from here reads the whole log. */
    public static final Position START = new Position(0, 0);

    /** After the last event: reading backward from here starts at the head. */
    public static final Position END = new Position(Long.MAX_VALUE, Long.MAX_VALUE);

    private static final Comparator<Position> ORDER =
            Comparator.comparingLong(Position::txId).thenComparingLong(Position::position);

    public Position {
        if (txId < 0 || position < 0) {
            throw new IllegalArgumentException(
                    "a position's txId and position must be 0 or more, got " + txId + "/" + position);
        }
    }

    /** A position in a store with a single writer ({@code txId = 0}). */
    public static Position of(long position) {
        return new Position(0, position);
    }

    @Override
    public int compareTo(Position other) {
        return ORDER.compare(this, other);
    }

    /** True if this position comes strictly after {@code other} in the global log. */
    public boolean isAfter(Position other) {
        return compareTo(other) > 0;
    }

    /** The text form {@code txId/position}, which {@link #parse(String)} reads back. */
    @Override
    public String toString() {
        return txId + "/" + position;
    }

    /**
     * Reads the text form {@code txId/position} (or a bare {@code position}, meaning {@code txId = 0}).
     *
     * @throws IllegalArgumentException if the text is not of that form
     */
    public static Position parse(String text) {
        try {
            int slash = text.indexOf('/');
            if (slash < 0) {
                return of(Long.parseLong(text));
            }
            return new Position(Long.parseLong(text.substring(0, slash)), Long.parseLong(text.substring(slash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "a position must look like 'txId/position' or 'position' with whole numbers, got '" + text + "'",
                    e);
        }
    }
}
