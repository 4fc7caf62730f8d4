package io.factum.testkit.aggregate;

import io.factum.core.aggregate.RuleViolation;
import java.util.List;

/** What a command did in a scenario. */
sealed interface Result<E> {

    /**
     * The command was accepted.
     *
     * @param events the events to check: those decided (in memory) or those read back from the store
     * @param decided the events the aggregate decided, before any trip through the store
     */
    record Accepted<E>(List<E> events, List<E> decided) implements Result<E> {
        public Accepted {
            events = List.copyOf(events);
            decided = List.copyOf(decided);
        }
    }

    /** The command broke a business rule. */
    record Rejected<E>(RuleViolation violation) implements Result<E> {}
}
