package io.factum.core.subscription;

import io.factum.core.EventFilter;
import io.factum.core.EventReader;
import io.factum.core.Position;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One member of a consumer group: the members of a group share the work of one subscription (a handler
 * or a SQL projection) by splitting the global log into a fixed number of buckets by the hash of the
 * stream id ({@link io.factum.core.StreamIds#bucket}). Each bucket has its own checkpoint ({@code
 * <name>/<bucket>}) and is processed by one member at a time, which holds a lease on it; so the events of
 * one stream are always processed in order, by one member.
 *
 * <p>Members send heartbeats and renew their leases every third of the lease time. When a member joins,
 * each member keeps at most its fair share (buckets / members, rounded up) and releases the rest, which
 * the newcomer takes; when a member dies, its leases expire and the others take its buckets over. Commits
 * are fenced: a member whose lease was taken over can no longer move the bucket's checkpoint or commit
 * read-model writes ({@link LeaseLostException}), so a stalled member that wakes up late does no harm.
 *
 * <p>A consumer group runs the active version of a SQL projection; build a new version with a single
 * {@link Subscription#sqlProjection} (or a new group name) and switch then.
 */
public interface ConsumerGroup extends AutoCloseable {

    /** The group's name. */
    String group();

    /** This member's id. */
    String member();

    /** The buckets this member holds now, ascending. */
    List<Integer> buckets();

    /** The checkpoints of the buckets this member holds. */
    Map<Integer, Position> checkpoints();

    /** The state of this member. */
    SubscriptionState state();

    /** The last failure of this member, if any since the last success. */
    Optional<String> lastError();

    /** Events this member processed since it started. */
    long processed();

    /**
     * Waits until this member has passed {@code position} in every bucket it holds and it holds at least
     * one.
     *
     * @return true if it has
     * @throws InterruptedException if interrupted while waiting
     */
    boolean awaitPosition(Position position, Duration timeout) throws InterruptedException;

    /** Leaves the group: finishes the current batch, releases the leases so others take over at once. */
    @Override
    void close();

    /**
     * A member of group {@code group} with the id {@code member} (unique among the group's members, for
     * example host and process id).
     */
    static Builder builder(
            String group, String member, EventReader reader, CheckpointStore checkpoints, LeaseStore leases) {
        return new Builder(group, member, reader, checkpoints, leases);
    }

    /** The settings of a member; {@link #start()} joins the group. Not thread-safe. */
    final class Builder {
        final String group;
        final String member;
        final EventReader reader;
        final CheckpointStore checkpoints;
        final LeaseStore leases;
        int buckets = 16;
        Duration leaseTime = Duration.ofSeconds(10);
        int batchSize = 500;
        RetryPolicy retry = RetryPolicy.DEFAULT;

        @Nullable
        OnParked onParked;

        EventFilter filter = EventFilter.all();
        Clock clock = Clock.systemUTC();

        @Nullable
        EventHandler handler;

        @Nullable
        BatchHandler batchHandler;

        @Nullable
        SqlProjection projection;

        Builder(String group, String member, EventReader reader, CheckpointStore checkpoints, LeaseStore leases) {
            this.group = SubscriptionRunner.requireName(group);
            this.member = SubscriptionRunner.requireName(member);
            this.reader = Objects.requireNonNull(reader, "reader");
            this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
            this.leases = Objects.requireNonNull(leases, "leases");
        }

        /** The number of buckets, 1-1024, 16 by default; every member of a group must use the same. */
        public Builder buckets(int count) {
            if (count < 1 || count > 1024) {
                throw new IllegalArgumentException("buckets must be 1-1024, got " + count);
            }
            this.buckets = count;
            return this;
        }

        /** How long a lease lasts unless renewed, 10 s by default: a dead member's buckets move after it. */
        public Builder leaseTime(Duration time) {
            if (time.toMillis() < 30) {
                throw new IllegalArgumentException("leaseTime must be at least 30 ms, got " + time);
            }
            this.leaseTime = time;
            return this;
        }

        /** The most events read at once, 500 by default. */
        public Builder batchSize(int size) {
            this.batchSize = Workers.requireBatchSize(size);
            return this;
        }

        /** How failing events are retried before they are parked. */
        public Builder retry(RetryPolicy policy) {
            this.retry = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * What a parked event does to the later events of its stream: {@link OnParked#HOLD_STREAM} by default
         * for a SQL projection, {@link OnParked#SKIP_EVENT} for handlers.
         */
        public Builder onParked(OnParked mode) {
            this.onParked = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** Which events to read; all by default (a SQL projection's own filter is used if it has one). */
        public Builder filter(EventFilter eventFilter) {
            this.filter = Objects.requireNonNull(eventFilter, "eventFilter");
            return this;
        }

        OnParked parking() {
            if (onParked != null) {
                return onParked;
            }
            return projection != null ? OnParked.HOLD_STREAM : OnParked.SKIP_EVENT;
        }

        /** The clock of parking times. */
        public Builder clock(Clock source) {
            this.clock = Objects.requireNonNull(source, "source");
            return this;
        }

        /** The group delivers events at least once to {@code eventHandler}. */
        public Builder handler(EventHandler eventHandler) {
            this.handler = Objects.requireNonNull(eventHandler, "eventHandler");
            this.batchHandler = null;
            this.projection = null;
            return this;
        }

        /** The group delivers events at least once to {@code handler}, a bucket's batch at a time. */
        public Builder batchHandler(BatchHandler handler) {
            this.batchHandler = Objects.requireNonNull(handler, "handler");
            this.handler = null;
            this.projection = null;
            return this;
        }

        /** The group keeps {@code sqlProjection} exactly once; needs a {@link SqlCheckpointStore}. */
        public Builder sqlProjection(SqlProjection sqlProjection) {
            if (!(checkpoints instanceof SqlCheckpointStore)) {
                throw new IllegalArgumentException("a SQL projection needs a SqlCheckpointStore, got "
                        + checkpoints.getClass().getName());
            }
            this.projection = Objects.requireNonNull(sqlProjection, "sqlProjection");
            this.filter = sqlProjection.filter();
            this.handler = null;
            this.batchHandler = null;
            return this;
        }

        /** Joins the group and starts processing on a thread of its own. */
        public ConsumerGroup start() {
            if (handler == null && batchHandler == null && projection == null) {
                throw new IllegalStateException(
                        "consumer group " + group + ": give a handler, a batchHandler or a sqlProjection");
            }
            return GroupMember.start(this);
        }
    }
}
