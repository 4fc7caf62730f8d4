package io.factum.core.subscription;

import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where a runner puts events: applies them and moves the checkpoint. A failure of the handler itself is a
 * {@link ProjectionException} (possibly as the cause of a store's exception); anything else is the store's.
 */
interface Sink {

    /** Prepares (tables, versions) before the first read. */
    default void start() {}

    /** Applies a batch and moves the checkpoint from {@code expected} to {@code next}. */
    void batch(String checkpoint, List<RecordedEvent> events, Position expected, Position next, @Nullable Lease fence);

    /** Moves the checkpoint over events it will not apply (a parked event). */
    void advance(String checkpoint, Position expected, Position next, @Nullable Lease fence);

    /**
     * Parks {@code event} (it failed on every try) and moves the checkpoint from {@code expected} over it to
     * {@code next}.
     */
    void park(ParkedEvent event, String checkpoint, Position expected, Position next, @Nullable Lease fence);

    /** Called when the runner reached the head. */
    default void caughtUp() {}

    /** True while a new version builds beside the active one. */
    default boolean rebuilding() {
        return false;
    }

    /** Applies one parked event again, outside the checkpoint. */
    void replay(RecordedEvent event);

    /**
     * Called before an event is parked: a reason why the runner must stop instead (the projection was
     * replaced by a newer version), if there is one.
     */
    default @Nullable String stopReason() {
        return null;
    }
}
