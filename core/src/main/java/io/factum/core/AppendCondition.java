package io.factum.core;

import java.util.Objects;

/**
 * What must hold for an append to be written, beyond each stream's expected version: the "append
 * condition" of the dynamic consistency boundary (DCB) specification. Read the events a decision depends
 * on with {@link EventReader#read(EventQuery, Position, int)}, decide, and append with {@code
 * failIfEventsMatch(query, next)}, where {@code next} is the position the read returned: the append fails
 * with {@link AppendConditionFailedException} if any event matching the query was appended after it. The
 * check and the write are atomic on every store.
 */
public sealed interface AppendCondition {

    /** No condition: only the expected versions decide. */
    record None() implements AppendCondition {}

    /**
     * Fail if any event matching {@code query} is in the global log after {@code after}.
     *
     * @param query the events the decision depended on
     * @param after the position the decision's read reached ({@link Position#START} if it read nothing)
     */
    record FailIfEventsMatch(EventQuery query, Position after) implements AppendCondition {
        public FailIfEventsMatch {
            Objects.requireNonNull(query, "query");
            Objects.requireNonNull(after, "after");
        }
    }

    /** No condition. */
    static AppendCondition none() {
        return new None();
    }

    /** Fail if any event matching {@code query} was appended after {@code after}. */
    static AppendCondition failIfEventsMatch(EventQuery query, Position after) {
        return new FailIfEventsMatch(query, after);
    }
}
