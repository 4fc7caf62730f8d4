package io.factum.core.process;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Where deadlines are kept until they fire or are cancelled. The SQLite and PostgreSQL stores keep them in
 * their database ({@code store.deadlines()}, {@code store.deadlines()}), so
 * a deadline whose time passed while the application was down fires when it starts again. Implementations
 * are thread-safe.
 */
public interface DeadlineStore {

    /** Keeps a deadline; one with the same id is replaced (its time and payload). */
    void schedule(Deadline deadline);

    /**
     * Removes a deadline (cancelled, or fired and handled).
     *
     * @return true if there was one
     */
    boolean cancel(UUID id);

    /** Up to {@code max} deadlines due at {@code now} or before, earliest first. */
    List<Deadline> due(Instant now, int max);

    /** The deadlines of process manager {@code owner} not yet fired or cancelled, earliest first. */
    List<Deadline> pending(String owner);

    /** When the earliest deadline is due, if there is one. */
    Optional<Instant> nextDue();

    /** Deadlines in memory, for tests. */
    static DeadlineStore inMemory() {
        return new InMemoryDeadlineStore();
    }
}
