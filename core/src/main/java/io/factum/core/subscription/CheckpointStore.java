package io.factum.core.subscription;

import io.factum.core.Position;
import java.util.List;
import java.util.OptionalInt;

/**
 * Where subscriptions keep their durable state: a checkpoint per name (moved by compare-and-set), the
 * events they parked, and the active version of each versioned projection. Each store module offers one
 * kept in the store's own database; {@link #inMemory()} is for tests. Implementations are thread-safe and
 * shared by all the subscriptions of an application.
 */
public interface CheckpointStore {

    /** The checkpoint of {@code name}: the position of the last event it processed, START if none. */
    Position load(String name);

    /**
     * Moves the checkpoint {@code name} from {@code expected} to {@code next} atomically.
     *
     * @param expected where the caller believes the checkpoint is; START for a checkpoint never saved
     * @throws CheckpointConflictException if the checkpoint is elsewhere; nothing was written
     */
    void save(String name, Position expected, Position next);

    /**
     * Like {@link #save(String, Position, Position)}, and only while {@code fence} is still the bucket's
     * current lease (same member and epoch, not expired): the check and the move are one atomic step.
     *
     * @throws LeaseLostException if the lease was taken over, released or expired; nothing was written
     */
    void save(String name, Position expected, Position next, Lease fence);

    /** Forgets the checkpoint {@code name} (a later {@link #load} reads START). */
    void delete(String name);

    /** Keeps a parked event; parking the same subscription and position again replaces the record. */
    void park(ParkedEvent event);

    /** The events {@code subscription} parked, in log order. */
    List<ParkedEvent> parked(String subscription);

    /**
     * Removes a parked event (after it was replayed).
     *
     * @return true if there was one
     */
    boolean unpark(String subscription, Position position);

    /** The version of {@code projection} that queries read, if one was activated. */
    OptionalInt activeVersion(String projection);

    /** Makes {@code version} the one queries read (the switch of a blue/green rebuild). */
    void activate(String projection, int version);

    /**
     * A checkpoint store in memory: lost when the process ends. Fenced saves are refused (it knows no
     * leases); use {@link #inMemory(LeaseStore)} for consumer groups.
     */
    static CheckpointStore inMemory() {
        return new InMemoryCheckpointStore(LeaseStore.inMemory(java.time.Clock.systemUTC()));
    }

    /** A checkpoint store in memory whose fenced saves are checked against {@code leases}. */
    static CheckpointStore inMemory(LeaseStore leases) {
        return new InMemoryCheckpointStore(leases);
    }
}
