package io.factum.core.subscription;

import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** At-least-once delivery: the handler runs, then the checkpoint is saved. */
final class HandlerSink implements Sink {

    private final String name;
    private final EventHandler handler;
    private final CheckpointStore checkpoints;

    HandlerSink(String name, EventHandler handler, CheckpointStore checkpoints) {
        this.name = name;
        this.handler = handler;
        this.checkpoints = checkpoints;
    }

    @Override
    public void batch(
            String checkpoint, List<RecordedEvent> events, Position expected, Position next, @Nullable Lease fence) {
        Position at = expected;
        for (RecordedEvent event : events) {
            try {
                handle(event);
            } catch (ProjectionException failure) {
                if (!at.equals(expected)) {
                    // keep what was handled, so the retry starts at the failing event
                    advance(checkpoint, expected, at, fence);
                }
                throw failure;
            }
            at = event.position();
        }
        advance(checkpoint, expected, next, fence);
    }

    @Override
    public void advance(String checkpoint, Position expected, Position next, @Nullable Lease fence) {
        if (fence == null) {
            checkpoints.save(checkpoint, expected, next);
        } else {
            checkpoints.save(checkpoint, expected, next, fence);
        }
    }

    /** Parks, then moves the checkpoint: a crash in between delivers the event again (at least once). */
    @Override
    public void park(ParkedEvent event, String checkpoint, Position expected, Position next, @Nullable Lease fence) {
        checkpoints.park(event);
        advance(checkpoint, expected, next, fence);
    }

    @Override
    public void replay(RecordedEvent event) {
        handle(event);
    }

    private void handle(RecordedEvent event) {
        try {
            handler.handle(event);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProjectionException(name, event.streamId(), event.position(), e);
        } catch (Exception e) {
            throw new ProjectionException(name, event.streamId(), event.position(), e);
        }
    }
}
