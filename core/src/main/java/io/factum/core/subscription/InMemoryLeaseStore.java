package io.factum.core.subscription;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Leases in memory; every method holds the store's monitor, so each is one atomic step. */
final class InMemoryLeaseStore implements LeaseStore {

    private final Clock clock;
    private final Map<String, Map<String, Instant>> members = new HashMap<>();
    private final Map<String, TreeMap<Integer, Lease>> leases = new HashMap<>();

    InMemoryLeaseStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized List<String> heartbeat(String group, String member, Duration ttl) {
        Instant now = clock.instant();
        Map<String, Instant> alive = members.computeIfAbsent(group, g -> new HashMap<>());
        alive.put(member, now.plus(ttl));
        alive.values().removeIf(until -> !until.isAfter(now));
        return alive.keySet().stream().sorted().toList();
    }

    @Override
    public synchronized void leave(String group, String member) {
        members.getOrDefault(group, new HashMap<>()).remove(member);
        TreeMap<Integer, Lease> held = leases.get(group);
        if (held != null) {
            held.replaceAll((bucket, lease) ->
                    lease.member().equals(member) ? new Lease(group, bucket, "", lease.epoch(), Instant.EPOCH) : lease);
        }
    }

    @Override
    public synchronized Optional<Lease> acquire(String group, int bucket, String member, Duration ttl) {
        Instant now = clock.instant();
        TreeMap<Integer, Lease> held = leases.computeIfAbsent(group, g -> new TreeMap<>());
        Lease current = held.get(bucket);
        Lease next;
        if (current == null) {
            next = new Lease(group, bucket, member, 1, now.plus(ttl));
        } else if (current.member().equals(member) && current.expiresAt().isAfter(now)) {
            next = new Lease(group, bucket, member, current.epoch(), now.plus(ttl));
        } else if (!current.expiresAt().isAfter(now)) {
            next = new Lease(group, bucket, member, current.epoch() + 1, now.plus(ttl));
        } else {
            return Optional.empty();
        }
        held.put(bucket, next);
        return Optional.of(next);
    }

    @Override
    public synchronized void release(Lease lease) {
        if (holds(lease)) {
            leases.get(lease.group())
                    .put(lease.bucket(), new Lease(lease.group(), lease.bucket(), "", lease.epoch(), Instant.EPOCH));
        }
    }

    @Override
    public synchronized boolean holds(Lease lease) {
        Lease current = leases.getOrDefault(lease.group(), new TreeMap<>()).get(lease.bucket());
        return current != null
                && current.member().equals(lease.member())
                && current.epoch() == lease.epoch()
                && current.expiresAt().isAfter(clock.instant());
    }

    @Override
    public synchronized List<Lease> leases(String group) {
        return new ArrayList<>(leases.getOrDefault(group, new TreeMap<>()).values());
    }
}
