package io.factum.testkit.aggregate;

import io.factum.core.aggregate.AggregateRoot;
import java.util.List;

/** Applies past events to a classic aggregate in memory, as a repository's load does. */
final class Replay {

    private Replay() {}

    /** Applies the events in order; the aggregate ends at version {@code events.size() - 1}. */
    static <E> void apply(AggregateRoot<E> aggregate, List<? extends E> events) {
        aggregate.loadFromHistory(events);
    }
}
