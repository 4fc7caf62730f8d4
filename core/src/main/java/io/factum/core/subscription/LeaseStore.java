package io.factum.core.subscription;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The membership and bucket leases of consumer groups. Each store module offers one in its own database,
 * so members in separate processes share it; {@link #inMemory(Clock)} is for members in one process.
 * Expiry is judged by the store's clock. Implementations are thread-safe.
 */
public interface LeaseStore {

    /**
     * Records that {@code member} of {@code group} is alive until now + {@code ttl}.
     *
     * @return the members of the group alive now (this one included), sorted
     */
    List<String> heartbeat(String group, String member, Duration ttl);

    /** Removes {@code member} from the group and releases its leases (a clean shutdown). */
    void leave(String group, String member);

    /**
     * Takes bucket {@code bucket} of {@code group} for {@code member} until now + {@code ttl} if nobody
     * holds it, its lease expired, or {@code member} holds it already. Taking it from nobody or from another
     * member raises the epoch; renewing one's own keeps it.
     *
     * @return the lease, or empty if another member holds it
     */
    Optional<Lease> acquire(String group, int bucket, String member, Duration ttl);

    /** Gives the bucket up if {@code lease} is still its current lease. */
    void release(Lease lease);

    /** True if {@code lease} is still the bucket's current lease: same member and epoch, not expired. */
    boolean holds(Lease lease);

    /** The current leases of the group (expired ones included, with their expiry), by bucket. */
    List<Lease> leases(String group);

    /** Leases in memory, for members in one process. */
    static LeaseStore inMemory(Clock clock) {
        return new InMemoryLeaseStore(clock);
    }
}
