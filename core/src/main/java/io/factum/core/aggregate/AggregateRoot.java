package io.factum.core.aggregate;

import java.util.ArrayList;
import java.util.List;

/**
 * The classic aggregate: command methods check invariants and {@link #raise} events, which are applied
 * to the aggregate at once and kept as uncommitted until the repository saves them.
 *
 * <pre>{@code
 * final class Account extends AggregateRoot<AccountEvent> {
 *     private long balance;
 *
 *     void withdraw(long amount) {
 *         if (amount > balance) throw new RuleViolation("no-overdraft", "balance " + balance + " < " + amount);
 *         raise(new Withdrawn(amount));
 *     }
 *
 *     protected void apply(AccountEvent event) {
 *         switch (event) { case Withdrawn w -> balance -= w.amount(); ... }
 *     }
 * }
 * }</pre>
 *
 * <p>Not thread-safe: load an instance per unit of work.
 *
 * @param <E> the aggregate's events
 */
public abstract class AggregateRoot<E> {

    private final List<E> uncommitted = new ArrayList<>();
    private long version = io.factum.core.ExpectedVersion.NO_STREAM_VERSION;

    /** Applies a new event to this aggregate and keeps it to be saved. */
    protected final void raise(E event) {
        apply(event);
        uncommitted.add(event);
    }

    /** Changes this aggregate's fields by one event, new or replayed. Must not fail or check rules. */
    protected abstract void apply(E event);

    /** The events raised since loading or saving, oldest first. */
    public final List<E> uncommittedEvents() {
        return List.copyOf(uncommitted);
    }

    /** The stream version this aggregate was loaded at or last saved at ({@code -1} if new). */
    public final long version() {
        return version;
    }

    /**
     * Rebuilds a new aggregate from its past events, as a repository's load does: the aggregate ends at
     * version {@code events.size() - 1} with nothing uncommitted. For tests and tools that hold events
     * in memory.
     *
     * @throws IllegalStateException if this aggregate was already loaded or has raised events
     */
    public final void loadFromHistory(List<? extends E> events) {
        if (version != io.factum.core.ExpectedVersion.NO_STREAM_VERSION || !uncommitted.isEmpty()) {
            throw new IllegalStateException("loadFromHistory needs a new aggregate, but this one is at version "
                    + version + " with " + uncommitted.size() + " uncommitted events");
        }
        for (int i = 0; i < events.size(); i++) {
            replay(events.get(i), i);
        }
    }

    final void replay(E event, long eventVersion) {
        apply(event);
        version = eventVersion;
    }

    final void committed(long newVersion) {
        uncommitted.clear();
        version = newVersion;
    }
}
