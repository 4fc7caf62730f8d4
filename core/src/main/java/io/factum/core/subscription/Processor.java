package io.factum.core.subscription;

import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a page of events through a sink: the whole batch in one go; if the handler fails, event by
 * event with retries and backoff, parking what keeps failing. Shared by subscriptions and consumer groups.
 *
 * <p>With {@link OnParked#HOLD_STREAM} it remembers the streams that have a parked event ({@link
 * #holdParked}, then each park): their later events are parked behind it without being tried, and the
 * events of other streams around them are applied in batches as before.
 */
final class Processor {

    private static final Logger LOG = LoggerFactory.getLogger(Processor.class);

    private final String subscription;
    private final Sink sink;
    private final CheckpointStore checkpoints;
    private final RetryPolicy retry;
    private final Clock clock;
    private final OnParked onParked;

    /** With {@link OnParked#HOLD_STREAM}: the streams that have a parked event. */
    private final Set<String> held = ConcurrentHashMap.newKeySet();

    final AtomicLong processed = new AtomicLong();
    final AtomicLong parkedCount = new AtomicLong();
    final AtomicReference<@Nullable String> lastError = new AtomicReference<>();

    Processor(
            String subscription,
            Sink sink,
            CheckpointStore checkpoints,
            RetryPolicy retry,
            OnParked onParked,
            Clock clock) {
        this.subscription = subscription;
        this.sink = sink;
        this.checkpoints = checkpoints;
        this.retry = retry;
        this.onParked = onParked;
        this.clock = clock;
    }

    OnParked onParked() {
        return onParked;
    }

    /** Holds back the streams of {@code parked} (the subscription's parked events, as stored). */
    void holdParked(List<ParkedEvent> parked) {
        held.clear();
        if (onParked == OnParked.HOLD_STREAM) {
            parked.forEach(event -> held.add(event.streamId()));
        }
    }

    /** Applies the later events of {@code streamId} again (its last parked event was replayed). */
    void release(String streamId) {
        held.remove(streamId);
    }

    /** True if some of {@code events} belong to a held stream and must be parked behind it. */
    boolean holdsAny(List<RecordedEvent> events) {
        if (held.isEmpty()) {
            return false;
        }
        for (RecordedEvent event : events) {
            if (held.contains(event.streamId())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Applies {@code events} (read after {@code expected}) and moves the checkpoint to {@code next}.
     *
     * @return the new checkpoint, {@code next}
     * @throws CheckpointConflictException if another instance moved the checkpoint
     * @throws LeaseLostException if the fence no longer holds
     * @throws SubscriptionStoppedException if the subscription must stop
     * @throws InterruptedException if interrupted while backing off
     */
    Position process(
            String checkpoint, List<RecordedEvent> events, Position expected, Position next, @Nullable Lease fence)
            throws InterruptedException {
        if (!holdsAny(events)) {
            return apply(checkpoint, events, expected, next, fence);
        }
        // the events of held streams are parked one by one; the runs of other events between them are
        // applied in batches
        Position at = expected;
        List<RecordedEvent> run = new ArrayList<>();
        for (RecordedEvent event : events) {
            if (!held.contains(event.streamId())) {
                run.add(event);
                continue;
            }
            if (!run.isEmpty()) {
                at = apply(checkpoint, run, at, run.get(run.size() - 1).position(), fence);
                run = new ArrayList<>();
            }
            if (event.position().isAfter(at)) {
                at = holdBack(checkpoint, event, at, fence);
            }
        }
        if (!run.isEmpty()) {
            return apply(checkpoint, run, at, next, fence);
        }
        if (next.isAfter(at)) {
            sink.advance(checkpoint, at, next, fence);
            at = next;
        }
        return at;
    }

    /** Applies {@code events}, none of a held stream when it starts, and moves the checkpoint to {@code next}. */
    private Position apply(
            String checkpoint, List<RecordedEvent> events, Position expected, Position next, @Nullable Lease fence)
            throws InterruptedException {
        try {
            sink.batch(checkpoint, events, expected, next, fence);
            processed.addAndGet(events.size());
            lastError.set(null);
            return next;
        } catch (RuntimeException e) {
            if (handlerFailure(e) == null) {
                throw e;
            }
            if (events.size() > 1) {
                LOG.debug(
                        "subscription {}: a batch of {} failed, going event by event", subscription, events.size(), e);
            }
        }
        // an at-least-once sink may have moved the checkpoint past the events it handled before the failure
        Position at = checkpoints.load(checkpoint);
        if (expected.isAfter(at)) {
            at = expected;
        }
        for (RecordedEvent event : events) {
            if (!event.position().isAfter(at)) {
                continue;
            }
            at = held.contains(event.streamId())
                    ? holdBack(checkpoint, event, at, fence)
                    : processOne(checkpoint, event, at, fence);
        }
        if (next.isAfter(at)) {
            sink.advance(checkpoint, at, next, fence);
            at = next;
        }
        return at;
    }

    private Position processOne(String checkpoint, RecordedEvent event, Position expected, @Nullable Lease fence)
            throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                sink.batch(checkpoint, List.of(event), expected, event.position(), fence);
                processed.incrementAndGet();
                lastError.set(null);
                return event.position();
            } catch (RuntimeException e) {
                ProjectionException failure = handlerFailure(e);
                if (failure == null) {
                    throw e;
                }
                String error = describe(failure.getCause() == null ? failure : failure.getCause());
                lastError.set("event " + event.streamId() + "@" + event.streamVersion() + " (position "
                        + event.position() + ", try " + attempt + " of " + retry.maxAttempts() + "): " + error);
                if (attempt >= retry.maxAttempts()) {
                    String stop = sink.stopReason();
                    if (stop != null) {
                        throw new SubscriptionStoppedException(stop);
                    }
                    LOG.warn(
                            "subscription {} parks the event at {} of {} after {} tries: {}",
                            subscription,
                            event.position(),
                            event.streamId(),
                            attempt,
                            error);
                    sink.park(parked(event, attempt, error), checkpoint, expected, event.position(), fence);
                    parkedCount.incrementAndGet();
                    if (onParked == OnParked.HOLD_STREAM) {
                        held.add(event.streamId());
                    }
                    return event.position();
                }
                Thread.sleep(retry.backoff(attempt).toMillis());
            }
        }
    }

    /** Parks {@code event} without trying it: an earlier event of its stream is parked. */
    private Position holdBack(String checkpoint, RecordedEvent event, Position expected, @Nullable Lease fence) {
        LOG.info(
                "subscription {} holds back the event at {} of {}: an earlier event of the stream is parked",
                subscription,
                event.position(),
                event.streamId());
        sink.park(parked(event, 0, HELD_BACK), checkpoint, expected, event.position(), fence);
        parkedCount.incrementAndGet();
        return event.position();
    }

    private ParkedEvent parked(RecordedEvent event, int attempts, String error) {
        return new ParkedEvent(
                subscription,
                event.position(),
                event.eventId(),
                event.streamId(),
                event.streamVersion(),
                event.type(),
                attempts,
                error,
                clock.instant());
    }

    /** The error of an event parked behind an earlier one of its stream. */
    static final String HELD_BACK = "held back: an earlier event of its stream is parked; replay that one first";

    /** The handler's failure in {@code e}'s cause chain, or null if the failure is the store's. */
    static @Nullable ProjectionException handlerFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProjectionException failure) {
                return failure;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    static String describe(Throwable e) {
        return e.getClass().getName() + ": " + e.getMessage();
    }
}
