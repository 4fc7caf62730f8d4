package io.factum.core.subscription;

import io.factum.core.Position;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/** Checkpoints in memory; every method holds the store's monitor, so each is one atomic step. */
final class InMemoryCheckpointStore implements CheckpointStore {

    private final LeaseStore leases;
    private final Map<String, Position> checkpoints = new HashMap<>();
    private final Map<String, Map<Position, ParkedEvent>> parked = new HashMap<>();
    private final Map<String, Integer> versions = new HashMap<>();

    InMemoryCheckpointStore(LeaseStore leases) {
        this.leases = leases;
    }

    @Override
    public synchronized Position load(String name) {
        return checkpoints.getOrDefault(name, Position.START);
    }

    @Override
    public synchronized void save(String name, Position expected, Position next) {
        Position actual = load(name);
        if (!actual.equals(expected)) {
            throw new CheckpointConflictException(name, expected, actual);
        }
        checkpoints.put(name, next);
    }

    @Override
    public synchronized void save(String name, Position expected, Position next, Lease fence) {
        if (!leases.holds(fence)) {
            throw new LeaseLostException(fence, "the lease store says so");
        }
        save(name, expected, next);
    }

    @Override
    public synchronized void delete(String name) {
        checkpoints.remove(name);
    }

    @Override
    public synchronized void park(ParkedEvent event) {
        parked.computeIfAbsent(event.subscription(), s -> new HashMap<>()).put(event.position(), event);
    }

    @Override
    public synchronized List<ParkedEvent> parked(String subscription) {
        return parked.getOrDefault(subscription, Map.of()).values().stream()
                .sorted(Comparator.comparing(ParkedEvent::position))
                .toList();
    }

    @Override
    public synchronized boolean unpark(String subscription, Position position) {
        Map<Position, ParkedEvent> events = parked.get(subscription);
        return events != null && events.remove(position) != null;
    }

    @Override
    public synchronized OptionalInt activeVersion(String projection) {
        Integer version = versions.get(projection);
        return version == null ? OptionalInt.empty() : OptionalInt.of(version);
    }

    @Override
    public synchronized void activate(String projection, int version) {
        versions.put(projection, version);
    }
}
