package io.factum.core.subscription;

import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * At-least-once delivery: the handler runs, then the checkpoint is saved. An {@link EventHandler} gets the
 * events one by one, and a failure keeps the checkpoint of the events handled before it; a {@link
 * BatchHandler} gets the batch at once, and a failure leaves the whole batch to be delivered again, one
 * event at a time.
 */
final class HandlerSink implements Sink {

    private final String name;
    private final @Nullable EventHandler handler;
    private final @Nullable BatchHandler batchHandler;
    private final CheckpointStore checkpoints;

    HandlerSink(String name, EventHandler handler, CheckpointStore checkpoints) {
        this(name, handler, null, checkpoints);
    }

    HandlerSink(String name, BatchHandler batchHandler, CheckpointStore checkpoints) {
        this(name, null, batchHandler, checkpoints);
    }

    private HandlerSink(
            String name,
            @Nullable EventHandler handler,
            @Nullable BatchHandler batchHandler,
            CheckpointStore checkpoints) {
        this.name = name;
        this.handler = handler;
        this.batchHandler = batchHandler;
        this.checkpoints = checkpoints;
    }

    @Override
    public void batch(
            String checkpoint, List<RecordedEvent> events, Position expected, Position next, @Nullable Lease fence) {
        if (batchHandler != null) {
            handleAll(batchHandler, events);
            advance(checkpoint, expected, next, fence);
            return;
        }
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
        if (batchHandler != null) {
            handleAll(batchHandler, List.of(event));
        } else {
            handle(event);
        }
    }

    private void handle(RecordedEvent event) {
        try {
            java.util.Objects.requireNonNull(handler).handle(event);
        } catch (RetryLaterException e) {
            // not the event's fault: retried like a failure of the store, never parked
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProjectionException(name, event.streamId(), event.position(), e);
        } catch (Exception e) {
            throw new ProjectionException(name, event.streamId(), event.position(), e);
        }
    }

    /** A failure is reported at the batch's first event: which event failed is not known. */
    private void handleAll(BatchHandler batch, List<RecordedEvent> events) {
        RecordedEvent first = events.get(0);
        try {
            batch.handleAll(events);
        } catch (RetryLaterException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProjectionException(name, first.streamId(), first.position(), e);
        } catch (Exception e) {
            throw new ProjectionException(name, first.streamId(), first.position(), e);
        }
    }
}
