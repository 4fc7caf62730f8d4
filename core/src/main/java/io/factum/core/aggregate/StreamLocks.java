package io.factum.core.aggregate;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One lock per stream, held while a repository loads, decides and appends a command, so that commands on
 * the same aggregate in this process take turns instead of losing version races and deciding again (Axon's
 * repositories lock an aggregate the same way). Commands on different streams never wait for each other.
 * The store's expected version still decides between processes. A lock that is not free within {@link
 * #WAIT_MILLIS} is not waited for any longer: the command goes on without it and the store catches a
 * conflict as before, so a handler that sends commands across aggregates from inside a decision cannot
 * deadlock two threads.
 */
final class StreamLocks {

    /** How long a command waits for its stream's lock before it goes on without it. */
    static final long WAIT_MILLIS = 2_000;

    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock();
        int users; // changed only inside the map's compute functions
    }

    private final ConcurrentHashMap<String, Entry> locks = new ConcurrentHashMap<>();

    /** Runs {@code work} holding {@code stream}'s lock (or without it, after {@link #WAIT_MILLIS}). */
    <T> T withLock(String stream, Supplier<T> work) {
        Entry entry = locks.compute(stream, (id, existing) -> {
            Entry used = existing == null ? new Entry() : existing;
            used.users++;
            return used;
        });
        boolean locked = false;
        try {
            locked = entry.lock.tryLock(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            return work.get();
        } finally {
            if (locked) {
                entry.lock.unlock();
            }
            locks.computeIfPresent(stream, (id, used) -> --used.users == 0 ? null : used);
        }
    }

    /** How many streams have a lock now: for tests, to see that locks do not pile up. */
    int size() {
        return locks.size();
    }
}
