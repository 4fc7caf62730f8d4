package io.factum.core.subscription;

import io.factum.core.AllSlice;
import io.factum.core.EventFilter;
import io.factum.core.EventReader;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StreamIds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The thread of one consumer-group member. */
final class GroupMember implements ConsumerGroup {

    private static final Logger LOG = LoggerFactory.getLogger(GroupMember.class);

    private final String group;
    private final String member;
    private final String checkpointBase;
    private final EventReader reader;
    private final CheckpointStore checkpoints;
    private final LeaseStore leases;
    private final int bucketCount;
    private final Duration leaseTime;
    private final long heartbeatNanos;
    private final int batchSize;
    private final RetryPolicy retry;
    private final EventFilter filter;
    private final Sink sink;
    private final Processor processor;
    private final Thread thread;

    /** Fenced saves in a row that the checkpoint store refused while the lease store said the lease was held. */
    private int disagreements;

    /** The leases held, by bucket; only the member's thread changes it. */
    private final TreeMap<Integer, Lease> held = new TreeMap<>();

    private final Map<Integer, Position> positions = new HashMap<>();
    private volatile Map<Integer, Position> published = Map.of();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile SubscriptionState state = SubscriptionState.CATCHING_UP;
    private volatile boolean closed;
    private volatile boolean crashed;
    private volatile boolean waiting;
    private volatile @Nullable String failure;
    private long nextHeartbeat;

    private GroupMember(ConsumerGroup.Builder builder) {
        this.group = builder.group;
        this.member = builder.member;
        this.reader = builder.reader;
        this.checkpoints = builder.checkpoints;
        this.leases = builder.leases;
        this.bucketCount = builder.buckets;
        this.leaseTime = builder.leaseTime;
        this.heartbeatNanos = builder.leaseTime.toNanos() / 3;
        this.batchSize = builder.batchSize;
        this.retry = builder.retry;
        this.filter = builder.filter;
        if (builder.projection != null) {
            this.sink = new SqlSink(builder.projection, (SqlCheckpointStore) builder.checkpoints);
            this.checkpointBase = SqlSink.checkpointName(builder.projection.name(), builder.projection.version());
        } else {
            this.sink = builder.batchHandler != null
                    ? new HandlerSink(group, builder.batchHandler, checkpoints)
                    : new HandlerSink(group, java.util.Objects.requireNonNull(builder.handler), checkpoints);
            this.checkpointBase = group;
        }
        this.processor = new Processor(group, sink, checkpoints, retry, builder.parking(), builder.clock);
        this.thread = Thread.ofPlatform()
                .name("factum-group-" + group + "-" + member)
                .daemon(true)
                .unstarted(this::run);
    }

    static ConsumerGroup start(ConsumerGroup.Builder builder) {
        GroupMember member = new GroupMember(builder);
        member.thread.start();
        return member;
    }

    private String checkpointOf(int bucket) {
        return checkpointBase + "/" + bucket;
    }

    // -------------------------------------------------------------------------------------------- the loop

    private void run() {
        try {
            boolean started = false;
            int failures = 0;
            while (!closed) {
                try {
                    if (!started) {
                        // tables and versions; members may race here, so a failure is retried
                        sink.start();
                        started = true;
                    }
                    if (System.nanoTime() >= nextHeartbeat) {
                        rebalance();
                        nextHeartbeat = System.nanoTime() + heartbeatNanos;
                    }
                    step();
                    failures = 0;
                    failure = null;
                } catch (SubscriptionStoppedException e) {
                    throw e;
                } catch (RuntimeException e) {
                    if (closed) {
                        break;
                    }
                    failures++;
                    failure = Processor.describe(e);
                    state = SubscriptionState.FAILED;
                    LOG.warn(
                            "consumer group {} member {}: the store failed (try {}): {}",
                            group,
                            member,
                            failures,
                            failure);
                    pause(retry.backoff(failures).toNanos());
                    nextHeartbeat = 0;
                }
            }
        } catch (InterruptedException e) {
            // closing
        } catch (SubscriptionStoppedException e) {
            failure = e.getMessage();
            state = SubscriptionState.FAILED;
        } catch (RuntimeException | Error e) {
            failure = Processor.describe(e);
            state = SubscriptionState.FAILED;
            LOG.error("consumer group {} member {} failed for good", group, member, e);
        } finally {
            try {
                if (!crashed) {
                    leases.leave(group, member);
                }
            } catch (RuntimeException e) {
                LOG.debug("consumer group {} member {}: leaving failed; the leases will expire", group, member, e);
            }
            held.clear();
            publish();
            if (state != SubscriptionState.FAILED) {
                state = SubscriptionState.STOPPED;
            }
        }
    }

    /** Heartbeat, renew what is held, give up what is over the fair share, take free buckets up to it. */
    private void rebalance() {
        List<String> members = leases.heartbeat(group, member, leaseTime);
        int index = Math.max(0, members.indexOf(member));
        int fairShare = (bucketCount + members.size() - 1) / members.size();
        for (Integer bucket : new ArrayList<>(held.keySet())) {
            Optional<Lease> renewed = leases.acquire(group, bucket, member, leaseTime);
            if (renewed.isPresent() && renewed.get().epoch() == held.get(bucket).epoch()) {
                held.put(bucket, renewed.get());
            } else {
                drop(bucket, "its lease was taken over");
                renewed.ifPresent(leases::release);
            }
        }
        while (held.size() > fairShare) {
            Integer extra = held.lastKey();
            leases.release(held.get(extra));
            drop(extra, "rebalanced to another member");
        }
        if (held.size() < fairShare) {
            // first the buckets this member would get in an even split, then any other free one
            List<Integer> order = new ArrayList<>();
            for (int b = 0; b < bucketCount; b++) {
                if (b % members.size() == index) {
                    order.add(b);
                }
            }
            for (int b = 0; b < bucketCount; b++) {
                if (b % members.size() != index) {
                    order.add(b);
                }
            }
            for (int bucket : order) {
                if (held.size() >= fairShare) {
                    break;
                }
                if (held.containsKey(bucket)) {
                    continue;
                }
                Optional<Lease> lease = leases.acquire(group, bucket, member, leaseTime);
                if (lease.isPresent()) {
                    held.put(bucket, lease.get());
                    positions.put(bucket, checkpoints.load(checkpointOf(bucket)));
                    // another member may have parked events of the bucket's streams
                    processor.holdParked(checkpoints.parked(group));
                    LOG.info(
                            "consumer group {}: member {} took bucket {} (epoch {})",
                            group,
                            member,
                            bucket,
                            lease.get().epoch());
                }
            }
        }
        publish();
    }

    private void drop(int bucket, String why) {
        held.remove(bucket);
        positions.remove(bucket);
        LOG.info("consumer group {}: member {} gave up bucket {}: {}", group, member, bucket, why);
    }

    private void step() throws InterruptedException {
        if (held.isEmpty()) {
            state = SubscriptionState.LIVE;
            pause(heartbeatNanos);
            return;
        }
        Position from = null;
        for (Integer bucket : held.keySet()) {
            Position at = positions.getOrDefault(bucket, Position.START);
            if (from == null || from.isAfter(at)) {
                from = at;
            }
        }
        Position head = reader.headPosition();
        AllSlice slice = reader.readAll(from, ReadDirection.FORWARD, batchSize, filter);
        Map<Integer, List<RecordedEvent>> byBucket = new HashMap<>();
        for (RecordedEvent event : slice.events()) {
            int bucket = StreamIds.bucket(event.streamId(), bucketCount);
            Position at = positions.get(bucket);
            if (at != null && event.position().isAfter(at)) {
                byBucket.computeIfAbsent(bucket, b -> new ArrayList<>()).add(event);
            }
        }
        Position target = slice.events().isEmpty() ? from : slice.next();
        if (slice.endOfLog() && head.isAfter(target)) {
            target = head;
        }
        Map<Integer, Lease> read = new TreeMap<>(held);
        for (Map.Entry<Integer, Lease> entry : read.entrySet()) {
            int bucket = entry.getKey();
            Lease lease = held.get(bucket);
            Position at = positions.get(bucket);
            // a bucket lost, or lost and taken again, since the page was read has another checkpoint
            if (lease == null || lease.epoch() != entry.getValue().epoch() || at == null || !target.isAfter(at)) {
                continue;
            }
            String checkpoint = checkpointOf(bucket);
            try {
                List<RecordedEvent> events = byBucket.getOrDefault(bucket, List.of());
                if (events.isEmpty()) {
                    sink.advance(checkpoint, at, target, lease);
                } else {
                    processor.process(checkpoint, events, at, target, lease);
                }
                positions.put(bucket, target);
                disagreements = 0;
            } catch (LeaseLostException e) {
                // the lease store says the lease is held, the checkpoint store says it is not: they are not the
                // same store, and the member would take and give up its buckets for ever. Three times in a row,
                // so that a clock stepping back between the two answers does not stop a sound member
                disagreements = leases.holds(lease) ? disagreements + 1 : 0;
                if (disagreements >= 3) {
                    throw new SubscriptionStoppedException("consumer group " + group + ": the checkpoint store "
                            + "refuses the lease of bucket " + bucket + " that the lease store says member " + member
                            + " holds: the two do not share their leases; give the group a checkpoint store that "
                            + "checks its fences against the same lease store (the same database, or "
                            + "CheckpointStore.inMemory(leases)). The checkpoint store said: " + e.getMessage());
                }
                drop(bucket, e.getMessage());
            } catch (CheckpointConflictException e) {
                positions.put(bucket, checkpoints.load(checkpoint));
                processor.holdParked(checkpoints.parked(group));
            }
            if (System.nanoTime() >= nextHeartbeat) {
                rebalance();
                nextHeartbeat = System.nanoTime() + heartbeatNanos;
            }
        }
        publish();
        if (slice.endOfLog()) {
            state = SubscriptionState.LIVE;
            Position after = head.isAfter(from) ? head : from;
            long remaining = Math.max(TimeUnit.MILLISECONDS.toNanos(1), nextHeartbeat - System.nanoTime());
            waiting = true;
            try {
                if (!closed) {
                    reader.awaitAppend(after, Duration.ofNanos(Math.min(remaining, heartbeatNanos)));
                }
            } finally {
                waiting = false;
            }
        } else {
            state = SubscriptionState.CATCHING_UP;
        }
    }

    private void pause(long nanos) throws InterruptedException {
        waiting = true;
        try {
            if (!closed) {
                TimeUnit.NANOSECONDS.sleep(Math.max(nanos, TimeUnit.MILLISECONDS.toNanos(1)));
            }
        } finally {
            waiting = false;
        }
    }

    private void publish() {
        lock.lock();
        try {
            published = Map.copyOf(positions);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------------------------------ the API

    @Override
    public String group() {
        return group;
    }

    @Override
    public String member() {
        return member;
    }

    @Override
    public List<Integer> buckets() {
        return published.keySet().stream().sorted().toList();
    }

    @Override
    public Map<Integer, Position> checkpoints() {
        return new TreeMap<>(published);
    }

    @Override
    public SubscriptionState state() {
        return state;
    }

    @Override
    public Optional<String> lastError() {
        return Optional.ofNullable(failure != null ? failure : processor.lastError.get());
    }

    @Override
    public long processed() {
        return processor.processed.get();
    }

    @Override
    public boolean awaitPosition(Position position, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        lock.lock();
        try {
            while (true) {
                Map<Integer, Position> now = published;
                if (!now.isEmpty() && now.values().stream().noneMatch(position::isAfter)) {
                    return true;
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0 || !thread.isAlive()) {
                    return false;
                }
                changed.awaitNanos(remaining);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Workers.stop(thread, waiting);
    }

    /** Stops the thread as if the process died: no leave, the leases stay until they expire (tests). */
    void crash() {
        crashed = true;
        close();
    }

    @Override
    public String toString() {
        return "ConsumerGroup[" + group + "/" + member + ", buckets " + buckets() + "]";
    }
}
