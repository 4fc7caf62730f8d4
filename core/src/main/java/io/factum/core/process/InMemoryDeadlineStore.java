package io.factum.core.process;

import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Deadlines in memory; every method holds the store's monitor. */
final class InMemoryDeadlineStore implements DeadlineStore {

    private static final Comparator<Deadline> EARLIEST =
            Comparator.comparing(Deadline::dueAt).thenComparing(Deadline::id);

    private final Map<UUID, Deadline> deadlines = new HashMap<>();

    @Override
    public synchronized void schedule(Deadline deadline) {
        deadlines.put(deadline.id(), deadline);
    }

    @Override
    public synchronized boolean cancel(UUID id) {
        return deadlines.remove(id) != null;
    }

    @Override
    public synchronized List<Deadline> due(Instant now, int max) {
        return deadlines.values().stream()
                .filter(d -> !d.dueAt().isAfter(now))
                .sorted(EARLIEST)
                .limit(max)
                .toList();
    }

    @Override
    public synchronized List<Deadline> pending(String owner) {
        return deadlines.values().stream()
                .filter(d -> d.owner().equals(owner))
                .sorted(EARLIEST)
                .toList();
    }

    @Override
    public synchronized Optional<Instant> nextDue() {
        return deadlines.values().stream().min(EARLIEST).map(Deadline::dueAt);
    }
}
