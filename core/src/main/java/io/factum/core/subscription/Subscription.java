package io.factum.core.subscription;

import io.factum.core.EventFilter;
import io.factum.core.EventReader;
import io.factum.core.Position;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A reader of the global log that hands each event, in log order, to a handler, and keeps a durable
 * checkpoint: it catches up in batches from where it stopped, then goes live, woken by the store when
 * events are appended (LISTEN/NOTIFY on PostgreSQL, an in-process signal on SQLite) instead of polling.
 *
 * <p><b>Failures.</b> A handler that throws is retried with backoff ({@link RetryPolicy}); an event that
 * keeps failing is parked (a durable record with the error, see {@link #parked()}) and the subscription
 * goes on, so one poison event does not stop it. A failing store (unreachable database) is retried for as
 * long as it lasts, with the state {@link SubscriptionState#FAILED} and the error in the status.
 *
 * <p><b>Delivery.</b> With {@link #sqlProjection} the read-model writes of a batch and the checkpoint
 * commit in one transaction: exactly once, also across crashes and competing instances (the checkpoint is
 * moved by compare-and-set; an instance that lost the race rolls back and reloads). With {@link #handler}
 * events are delivered at least once: the checkpoint is saved after the handler returned, so a crash in
 * between delivers the batch again.
 *
 * <p>Each subscription runs on a thread of its own; the members of a {@link ProjectionGroup} share one.
 * The methods of this interface are thread-safe.
 */
public interface Subscription extends AutoCloseable {

    /** Its name, which is also its checkpoint's name (for SQL projections: {@code name@v<version>}). */
    String name();

    /** Where it is now: state, positions, lag, errors. */
    SubscriptionStatus status();

    /** Stops reading after the current event or batch, until {@link #resume()}. */
    void pause();

    /** Goes on after {@link #pause()}. */
    void resume();

    /**
     * Waits until the subscription has passed {@code position} (every event of its filter up to there is
     * processed and, for a projection, visible to queries) or the timeout passed.
     *
     * @return true if it has passed the position
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    boolean awaitPosition(Position position, Duration timeout) throws InterruptedException;

    /** The events this subscription parked, in log order. */
    List<ParkedEvent> parked();

    /**
     * Runs the handler once more on a parked event (after the cause was fixed) and, if it succeeds, removes
     * it from the parked events. The event is read from its stream; one hidden since (truncated, deleted)
     * cannot be replayed.
     *
     * @return true if the handler succeeded and the event was unparked
     * @throws IllegalArgumentException if no event is parked at that position
     */
    boolean replayParked(Position position);

    /**
     * Stops the subscription: the batch being processed finishes (its checkpoint is saved), then the thread
     * ends. Waits up to 10 seconds for it. Closing again does nothing.
     */
    @Override
    void close();

    /**
     * A subscription that delivers events at least once to {@code handler}.
     *
     * @param name 1-100 characters: letters, digits, {@code . _ - @ /}
     */
    static Builder handler(String name, EventReader reader, CheckpointStore checkpoints, EventHandler handler) {
        return new Builder(name, reader, checkpoints, Objects.requireNonNull(handler, "handler"), null, null);
    }

    /**
     * A subscription that delivers events at least once to {@code handler} a batch at a time (as many as it
     * read at once, up to {@link Builder#batchSize}); if the handler throws, the batch comes again one event
     * at a time. See {@link BatchHandler}.
     *
     * @param name 1-100 characters: letters, digits, {@code . _ - @ /}
     */
    static Builder batchHandler(String name, EventReader reader, CheckpointStore checkpoints, BatchHandler handler) {
        return new Builder(name, reader, checkpoints, null, Objects.requireNonNull(handler, "handler"), null);
    }

    /**
     * A subscription that keeps a SQL projection exactly once in the store's database, with blue/green
     * rebuilds of new versions; see {@link ProjectionSubscription}. Its filter is the projection's.
     */
    static ProjectionBuilder sqlProjection(EventReader reader, SqlCheckpointStore store, SqlProjection projection) {
        return new ProjectionBuilder(reader, store, projection);
    }

    /**
     * A group of SQL projections in one store's database that share one read of the log and one transaction
     * per batch; each member is still a {@link ProjectionSubscription} of its own. See {@link
     * ProjectionGroup}.
     *
     * @throws IllegalArgumentException if {@code projections} is empty or names a projection twice
     */
    static ProjectionGroup.Builder sqlProjections(
            EventReader reader, SqlCheckpointStore store, List<SqlProjection> projections) {
        return new ProjectionGroup.Builder(reader, store, projections);
    }

    /** The settings of a subscription; {@link #start()} starts it. Not thread-safe. */
    sealed class Builder permits ProjectionBuilder {
        final String name;
        final EventReader reader;
        final CheckpointStore checkpoints;
        final @Nullable EventHandler handler;
        final @Nullable BatchHandler batchHandler;
        final @Nullable SqlProjection projection;
        EventFilter filter = EventFilter.all();
        int batchSize = 500;
        RetryPolicy retry = RetryPolicy.DEFAULT;
        OnParked onParked = OnParked.SKIP_EVENT;
        Clock clock = Clock.systemUTC();

        @Nullable
        MeterRegistry registry;

        Builder(
                String name,
                EventReader reader,
                CheckpointStore checkpoints,
                @Nullable EventHandler handler,
                @Nullable BatchHandler batchHandler,
                @Nullable SqlProjection projection) {
            this.name = SubscriptionRunner.requireName(name);
            this.reader = Objects.requireNonNull(reader, "reader");
            this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
            this.handler = handler;
            this.batchHandler = batchHandler;
            this.projection = projection;
        }

        /** Which events to read (categories, types); all by default. */
        public Builder filter(EventFilter eventFilter) {
            this.filter = Objects.requireNonNull(eventFilter, "eventFilter");
            return this;
        }

        /** The most events read and committed at once, 500 by default. */
        public Builder batchSize(int size) {
            this.batchSize = Workers.requireBatchSize(size);
            return this;
        }

        /** How failing events are retried before they are parked; {@link RetryPolicy#DEFAULT} by default. */
        public Builder retry(RetryPolicy policy) {
            this.retry = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * What a parked event does to the later events of its stream: skipped by default for handlers
         * ({@link OnParked#SKIP_EVENT}), held back by default for SQL projections ({@link
         * OnParked#HOLD_STREAM}).
         */
        public Builder onParked(OnParked mode) {
            this.onParked = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** The clock of lag and parking times; the system clock by default. */
        public Builder clock(Clock source) {
            this.clock = Objects.requireNonNull(source, "source");
            return this;
        }

        /**
         * Publishes gauges {@code factum.subscription.lag.events} and {@code factum.subscription.lag.seconds},
         * and counters {@code factum.subscription.events} and {@code factum.subscription.parked}, tagged with
         * {@code subscription=<name>}.
         */
        public Builder meterRegistry(MeterRegistry meters) {
            this.registry = Objects.requireNonNull(meters, "meters");
            return this;
        }

        /** Starts the subscription on a thread of its own. */
        public Subscription start() {
            return SubscriptionRunner.start(this);
        }
    }

    /** The settings of a SQL projection's subscription. */
    final class ProjectionBuilder extends Builder {

        ProjectionBuilder(EventReader reader, SqlCheckpointStore store, SqlProjection projection) {
            super(
                    ProjectionContext.requireName(projection.name(), "projection name") + "@v" + projection.version(),
                    reader,
                    store,
                    null,
                    null,
                    projection);
            this.filter = projection.filter();
            this.onParked = OnParked.HOLD_STREAM;
        }

        @Override
        public ProjectionBuilder filter(EventFilter eventFilter) {
            super.filter(eventFilter);
            return this;
        }

        @Override
        public ProjectionBuilder batchSize(int size) {
            super.batchSize(size);
            return this;
        }

        @Override
        public ProjectionBuilder retry(RetryPolicy policy) {
            super.retry(policy);
            return this;
        }

        @Override
        public ProjectionBuilder onParked(OnParked mode) {
            super.onParked(mode);
            return this;
        }

        @Override
        public ProjectionBuilder clock(Clock source) {
            super.clock(source);
            return this;
        }

        @Override
        public ProjectionBuilder meterRegistry(MeterRegistry meters) {
            super.meterRegistry(meters);
            return this;
        }

        /** Starts the projection on a thread of its own. */
        @Override
        public ProjectionSubscription start() {
            return (ProjectionSubscription) SubscriptionRunner.start(this);
        }
    }
}
