package io.factum.core.subscription;

import io.factum.core.EventReader;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Several SQL projections of one application in the store's database, kept by one thread that reads the
 * log once for all of them and applies each batch to every member in one transaction: N read models cost
 * one read and one commit per batch instead of N. Start one with {@link Subscription#sqlProjections}.
 *
 * <p><b>Members.</b> Each member is still a {@link ProjectionSubscription} of its own ({@link #member}),
 * queried, awaited, paused and watched as if it ran alone: it keeps its own checkpoint ({@code
 * <name>@v<version>}), status, parked events and blue/green rebuild. The group reads from the lowest
 * checkpoint of its members with the union of their filters and gives each member the events after its own
 * checkpoint that its filter keeps, so a member whose version was raised rebuilds from the start of the log
 * while the others, further on, only skip what they have; members whose checkpoints meet share their reads
 * from then on. While a member lags behind, each round reads a page for it and one for the others, so a
 * rebuild does not hold the live members back by more than a page.
 *
 * <p><b>One transaction per batch.</b> {@link SqlCheckpointStore#commit(List, SqlWork)} applies every
 * member's share ({@link SqlProjection#applyAll}) and moves every member's checkpoint by compare-and-set in
 * one transaction: exactly once for each member, across crashes and competing instances of the group
 * (the loser of a compare-and-set rolls back everything and reloads). If a member fails, the whole batch is
 * rolled back and processed again member by member, each alone through the retries and parking of a single
 * subscription: a poison event parks in its member only, the others apply the batch once.
 *
 * <p>A group runs on one thread, so one slow member slows the others; give a projection that is much slower
 * than the rest (or in another database) a {@link Subscription#sqlProjection} of its own. Thread-safe.
 */
public interface ProjectionGroup extends AutoCloseable {

    /** The members, in the order they were given. */
    List<ProjectionSubscription> members();

    /**
     * The member that keeps {@code projection}.
     *
     * @param projection the projection's {@link SqlProjection#name()}
     * @throws IllegalArgumentException if no member keeps it
     */
    ProjectionSubscription member(String projection);

    /**
     * Stops every member: the batch being applied finishes (its checkpoints are saved), then the thread
     * ends. Waits up to 10 seconds for it. Closing again does nothing.
     */
    @Override
    void close();

    /** The settings of a projection group; {@link #start()} starts it. Not thread-safe. */
    final class Builder {
        final EventReader reader;
        final SqlCheckpointStore store;
        final List<SqlProjection> projections;
        int batchSize = 500;
        RetryPolicy retry = RetryPolicy.DEFAULT;
        OnParked onParked = OnParked.HOLD_STREAM;
        Clock clock = Clock.systemUTC();

        @Nullable
        MeterRegistry registry;

        Builder(EventReader reader, SqlCheckpointStore store, List<SqlProjection> projections) {
            this.reader = Objects.requireNonNull(reader, "reader");
            this.store = Objects.requireNonNull(store, "store");
            this.projections = List.copyOf(projections);
            if (this.projections.isEmpty()) {
                throw new IllegalArgumentException("a projection group needs at least one projection, got none");
            }
            Set<String> names = new HashSet<>();
            for (SqlProjection projection : this.projections) {
                ProjectionContext.requireName(projection.name(), "projection name");
                if (!names.add(projection.name())) {
                    throw new IllegalArgumentException("projection " + projection.name()
                            + " is given twice to one group; each projection belongs to a group once");
                }
            }
        }

        /** The most events read at once (for all members together), 500 by default. */
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
         * What a parked event does to the later events of its stream, for every member: {@link
         * OnParked#HOLD_STREAM} by default.
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
         * Publishes each member's gauges and counters, as {@link Subscription.Builder#meterRegistry} does for
         * a subscription of its own ({@code subscription=<name>@v<version>}).
         */
        public Builder meterRegistry(MeterRegistry meters) {
            this.registry = Objects.requireNonNull(meters, "meters");
            return this;
        }

        /** Starts the group on a thread of its own. */
        public ProjectionGroup start() {
            return SubscriptionRunner.start(this);
        }
    }
}
