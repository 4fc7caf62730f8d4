package io.factum.core;

/**
 * An event store: streams of events with optimistic concurrency, idempotent appends and a gap-free
 * global log. Every implementation passes the same compatibility suite (factum-testkit). Application
 * code that only appends or only reads can depend on {@link EventAppender} or {@link EventReader}.
 *
 * <p>Implementations are thread-safe. {@link #close()} releases connections and threads; calls after it
 * fail with {@link StoreException}.
 */
public interface EventStore extends EventAppender, EventReader, StreamManager, AutoCloseable {

    /** A store that keeps everything in memory, for fast unit tests. */
    static EventStore inMemory() {
        return new InMemoryEventStore(StoreOptions.defaults());
    }

    /** An in-memory store with the given clock and limits. */
    static EventStore inMemory(StoreOptions options) {
        return new InMemoryEventStore(options);
    }

    @Override
    void close();
}
