package io.factum.core.subscription;

import io.factum.core.AllSlice;
import io.factum.core.EventFilter;
import io.factum.core.EventReader;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread of a subscription, or of the members of a {@link ProjectionGroup}: catch up in batches, then
 * wait for the store's wake-ups. Each subscription it drives is a {@link Track}; a round reads a page from
 * the lowest checkpoint with the union of the tracks' filters, gives every track whose checkpoint lies
 * before the page's end its share, and commits the shares of a group in one transaction.
 */
final class SubscriptionRunner implements ProjectionGroup {

    static final Logger LOG = LoggerFactory.getLogger(SubscriptionRunner.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@/-]{1,100}");

    /** How long a live subscription waits for a wake-up before it looks at the log anyway. */
    static final Duration IDLE_WAIT = Duration.ofSeconds(1);

    private final String label;
    private final EventReader reader;
    private final CheckpointStore checkpoints;
    private final int batchSize;
    private final RetryPolicy retry;
    private final List<Track> tracks = new ArrayList<>();

    /** The store that commits the tracks' shares of a page together; null for a single subscription. */
    private final @Nullable SqlCheckpointStore together;

    private final Thread thread;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    /** Held while a page is read and applied, so that closing a track can wait for a batch that includes it. */
    private final ReentrantLock pageLock = new ReentrantLock();

    private volatile boolean closed;
    private volatile boolean waiting;
    private volatile Position lastHead = Position.START;
    private boolean nearHead = true;
    private volatile long headSeenAt = System.nanoTime();
    private final AtomicBoolean refreshingHead = new AtomicBoolean();
    private final Object headLock = new Object();

    /** How old the head seen may be before {@link #knownHead()} reads it again, in the background. */
    private static final long HEAD_REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

    private SubscriptionRunner(
            String label,
            EventReader reader,
            CheckpointStore checkpoints,
            int batchSize,
            RetryPolicy retry,
            @Nullable SqlCheckpointStore together) {
        this.label = label;
        this.reader = reader;
        this.checkpoints = checkpoints;
        this.batchSize = batchSize;
        this.retry = retry;
        this.together = together;
        this.thread = Thread.ofPlatform()
                .name("factum-subscription-" + label)
                .daemon(true)
                .unstarted(this::run);
    }

    /** Starts a subscription of its own. */
    static Subscription start(Subscription.Builder builder) {
        SubscriptionRunner runner = new SubscriptionRunner(
                builder.name, builder.reader, builder.checkpoints, builder.batchSize, builder.retry, null);
        Track track;
        if (builder.projection != null) {
            SqlSink sink = new SqlSink(builder.projection, (SqlCheckpointStore) builder.checkpoints);
            track = runner.add(builder.name, builder.filter, sink, sink, builder.onParked, builder.clock);
        } else {
            HandlerSink sink = builder.batchHandler != null
                    ? new HandlerSink(builder.name, builder.batchHandler, builder.checkpoints)
                    : new HandlerSink(
                            builder.name, java.util.Objects.requireNonNull(builder.handler), builder.checkpoints);
            track = runner.add(builder.name, builder.filter, sink, null, builder.onParked, builder.clock);
        }
        if (builder.registry != null) {
            track.register(builder.registry);
        }
        runner.thread.start();
        return builder.projection != null ? track : new HandlerSubscription(track);
    }

    /** Starts a projection group. */
    static ProjectionGroup start(ProjectionGroup.Builder builder) {
        String label = builder.projections.stream().map(SqlProjection::name).collect(Collectors.joining("+"));
        SubscriptionRunner runner = new SubscriptionRunner(
                label.length() > 80 ? label.substring(0, 80) + "+..." : label,
                builder.reader,
                builder.store,
                builder.batchSize,
                builder.retry,
                builder.projections.size() > 1 ? builder.store : null);
        for (SqlProjection projection : builder.projections) {
            SqlSink sink = new SqlSink(projection, builder.store);
            Track track = runner.add(
                    SqlSink.checkpointName(projection.name(), projection.version()),
                    projection.filter(),
                    sink,
                    sink,
                    builder.onParked,
                    builder.clock);
            if (builder.registry != null) {
                track.register(builder.registry);
            }
        }
        runner.thread.start();
        return runner;
    }

    private Track add(
            String name,
            EventFilter filter,
            Sink sink,
            @Nullable SqlSink sqlSink,
            OnParked onParked,
            java.time.Clock clock) {
        Track track = new Track(name, filter, sink, sqlSink, checkpoints, this, reader, retry, onParked, clock);
        tracks.add(track);
        return track;
    }

    /** What a handler subscription shows: a {@link Subscription}, not a {@link ProjectionSubscription}. */
    private record HandlerSubscription(Track track) implements Subscription {
        @Override
        public String name() {
            return track.name();
        }

        @Override
        public SubscriptionStatus status() {
            return track.status();
        }

        @Override
        public void pause() {
            track.pause();
        }

        @Override
        public void resume() {
            track.resume();
        }

        @Override
        public boolean awaitPosition(Position position, Duration timeout) throws InterruptedException {
            return track.awaitPosition(position, timeout);
        }

        @Override
        public List<ParkedEvent> parked() {
            return track.parked();
        }

        @Override
        public boolean replayParked(Position position) {
            return track.replayParked(position);
        }

        @Override
        public void close() {
            track.close();
        }

        @Override
        public String toString() {
            return track.toString();
        }
    }

    static String requireName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "a subscription name must be 1-100 letters, digits and . _ - @ /," + " got '" + name + "'");
        }
        return name;
    }

    // -------------------------------------------------------------------------------------------- the loop

    private void run() {
        try {
            int storeFailures = 0;
            while (!closed) {
                if (!awaitRunnable()) {
                    break;
                }
                try {
                    for (Track track : tracks) {
                        // tables and versions; competing instances may race here, so a failure is retried
                        if (track.open()) {
                            track.start();
                        }
                    }
                    step();
                    storeFailures = 0;
                    for (Track track : tracks) {
                        if (track.open()) {
                            track.failure = null;
                            if (track.state == SubscriptionState.FAILED) {
                                track.state = SubscriptionState.CATCHING_UP;
                            }
                        }
                    }
                } catch (CheckpointConflictException e) {
                    LOG.info("subscription {}: {}", e.checkpoint(), e.getMessage());
                    reload(tracks);
                } catch (RuntimeException e) {
                    if (closed) {
                        break;
                    }
                    storeFailures++;
                    String failure = Processor.describe(e);
                    for (Track track : tracks) {
                        if (track.open()) {
                            track.failure = failure;
                            track.state = SubscriptionState.FAILED;
                        }
                    }
                    LOG.warn("subscription {}: the store failed (try {}), retrying: {}", label, storeFailures, failure);
                    sleep(retry.backoff(storeFailures));
                }
            }
            stopOpenTracks();
        } catch (InterruptedException e) {
            stopOpenTracks();
        } catch (RuntimeException | Error e) {
            String failure = Processor.describe(e);
            for (Track track : tracks) {
                if (track.open()) {
                    track.failure = failure;
                    track.state = SubscriptionState.FAILED;
                }
            }
            LOG.error("subscription {} failed for good", label, e);
        } finally {
            signal();
        }
    }

    private void stopOpenTracks() {
        for (Track track : tracks) {
            if (!track.stopped) {
                track.state = SubscriptionState.STOPPED;
            }
        }
    }

    /**
     * One round: a page from the lowest checkpoint, applied to every track whose checkpoint lies before its
     * end; then a page for the tracks further on, and so on until every track had one page (tracks whose
     * checkpoints meet share it). Waits for an append when every track passed the head.
     */
    private void step() throws InterruptedException {
        List<Track> remaining = runnable();
        if (remaining.isEmpty()) {
            return;
        }
        // the head is read before the page only near it: a page that ends the log then proves the
        // tracks passed the head (gap-free reads hide nothing before it); while catching up, a page that
        // happens to end the log is followed by one more read with the head
        @Nullable Position head = null;
        if (nearHead) {
            head = sawHead(reader.headPosition());
        }
        boolean allAtEnd = true;
        boolean endOfLog = false;
        while (!remaining.isEmpty()) {
            // the whole page under the lock, positions and states included, so that a track closed meanwhile
            // waits for it and is not marked after it was stopped
            pageLock.lock();
            try {
                remaining.removeIf(track -> !track.runnable());
                if (remaining.isEmpty()) {
                    break;
                }
                Position from = remaining.get(0).checkpoint;
                for (Track track : remaining) {
                    if (from.isAfter(track.checkpoint)) {
                        from = track.checkpoint;
                    }
                }
                AllSlice slice = reader.readAll(from, ReadDirection.FORWARD, batchSize, union(remaining));
                Position next = slice.next();
                List<Track> participants = slice.events().isEmpty()
                        ? List.of()
                        : remaining.stream()
                                .filter(track -> next.isAfter(track.checkpoint))
                                .toList();
                List<Track> settled = participants.isEmpty() ? List.of() : process(participants, slice);
                for (Track track : participants) {
                    if (!settled.contains(track)) {
                        // moved elsewhere by another instance, or stopped: not at the end with the others
                        track.markReached(track.checkpoint);
                        remaining.remove(track);
                        allAtEnd = false;
                    }
                }
                if (slice.endOfLog()) {
                    endOfLog = true;
                    for (Track track : remaining) {
                        reachedEnd(track, head);
                    }
                    break;
                }
                allAtEnd = false;
                for (Track track : participants) {
                    track.markReached(track.checkpoint);
                }
                remaining.removeAll(participants);
            } finally {
                pageLock.unlock();
            }
        }
        nearHead = endOfLog;
        if (!endOfLog || !allAtEnd || head == null) {
            return;
        }
        Position waitAfter = null;
        for (Track track : runnable()) {
            Position after = head.isAfter(track.checkpoint) ? head : track.checkpoint;
            if (waitAfter == null || waitAfter.isAfter(after)) {
                waitAfter = after;
            }
        }
        waiting = true;
        try {
            if (!closed && waitAfter != null) {
                reader.awaitAppend(waitAfter, IDLE_WAIT);
            }
        } finally {
            waiting = false;
        }
    }

    /** A track has passed everything visible: with the head read before the page, it has passed the head. */
    private void reachedEnd(Track track, @Nullable Position head) {
        if (track.stopped) {
            return;
        }
        track.pendingSince = null;
        track.markReached(track.checkpoint);
        if (head == null) {
            return;
        }
        if (track.sink.rebuilding()) {
            track.sink.caughtUp();
            LOG.info("subscription {}: the rebuilt version caught up and is now active", track.name);
            // waiters for positions it passed while rebuilding may go on now
            signal();
        }
        track.state = SubscriptionState.LIVE;
        track.markReached(head);
    }

    /**
     * Applies the page to the participants and moves their checkpoints to the page's end: together in one
     * transaction for a group, else (or after a member failed) each on its own through its processor.
     *
     * @return the participants now at the page's end
     */
    private List<Track> process(List<Track> participants, AllSlice slice) throws InterruptedException {
        Position next = slice.next();
        List<List<RecordedEvent>> shares = new ArrayList<>(participants.size());
        for (Track track : participants) {
            List<RecordedEvent> share = track.share(slice.events());
            shares.add(share);
            if (!share.isEmpty()) {
                if (track.state != SubscriptionState.LIVE || !slice.endOfLog()) {
                    track.state = SubscriptionState.CATCHING_UP;
                }
                track.pendingSince = share.get(0).recordedAt();
            }
        }
        boolean holding = false;
        for (int i = 0; i < participants.size(); i++) {
            holding |= participants.get(i).processor.holdsAny(shares.get(i));
        }
        // a member with held-back events parks them one by one, on its own
        if (together != null && participants.size() > 1 && !holding) {
            try {
                commitTogether(together, participants, shares, next);
                return participants;
            } catch (CheckpointConflictException e) {
                LOG.info("subscription {}: {}", e.checkpoint(), e.getMessage());
                reload(participants);
                return List.of();
            } catch (RuntimeException e) {
                ProjectionException failure = Processor.handlerFailure(e);
                if (failure == null) {
                    throw e;
                }
                LOG.debug(
                        "projection group {}: {} failed a batch of {} events, going member by member",
                        label,
                        failure.projection(),
                        slice.events().size(),
                        e);
            }
        }
        List<Track> settled = new ArrayList<>(participants.size());
        for (int i = 0; i < participants.size(); i++) {
            Track track = participants.get(i);
            List<RecordedEvent> share = shares.get(i);
            try {
                if (share.isEmpty()) {
                    track.sink.advance(track.name, track.checkpoint, next, null);
                    track.checkpoint = next;
                } else {
                    track.checkpoint = track.processor.process(track.name, share, track.checkpoint, next, null);
                }
                settled.add(track);
            } catch (SubscriptionStoppedException e) {
                track.stop(e.getMessage());
            } catch (CheckpointConflictException e) {
                LOG.info("subscription {}: {}", track.name, e.getMessage());
                reload(List.of(track));
            }
        }
        return settled;
    }

    private static void commitTogether(
            SqlCheckpointStore store, List<Track> participants, List<List<RecordedEvent>> shares, Position next) {
        List<CheckpointMove> moves = new ArrayList<>(participants.size());
        List<SqlWork> works = new ArrayList<>(participants.size());
        for (int i = 0; i < participants.size(); i++) {
            Track track = participants.get(i);
            moves.add(new CheckpointMove(track.name, track.checkpoint, next));
            if (!shares.get(i).isEmpty()) {
                works.add(java.util.Objects.requireNonNull(track.sqlSink).work(shares.get(i)));
            }
        }
        store.commit(moves, connection -> {
            for (SqlWork work : works) {
                work.run(connection);
            }
        });
        for (int i = 0; i < participants.size(); i++) {
            Track track = participants.get(i);
            track.checkpoint = next;
            if (!shares.get(i).isEmpty()) {
                track.processor.processed.addAndGet(shares.get(i).size());
                track.processor.lastError.set(null);
            }
        }
    }

    /** Reads the checkpoints (and parked events) of {@code which} again: another instance moved them. */
    private void reload(List<Track> which) {
        for (Track track : which) {
            if (track.started && track.open()) {
                track.checkpoint = checkpoints.load(track.name);
                track.loadParked();
            }
        }
    }

    /** Runs {@code work} while no page is applied. */
    <T> T exclusively(java.util.function.Supplier<T> work) {
        pageLock.lock();
        try {
            return work.get();
        } finally {
            pageLock.unlock();
        }
    }

    private List<Track> runnable() {
        return tracks.stream().filter(Track::runnable).collect(Collectors.toCollection(ArrayList::new));
    }

    /** The smallest filter that keeps every event any of the tracks keeps; each track filters its share. */
    static EventFilter union(List<Track> of) {
        if (of.size() == 1) {
            return of.get(0).filter;
        }
        Set<String> categories = new HashSet<>();
        Set<String> types = new HashSet<>();
        boolean anyCategory = false;
        boolean anyType = false;
        for (Track track : of) {
            anyCategory |= track.filter.categories().isEmpty();
            anyType |= track.filter.eventTypes().isEmpty();
            categories.addAll(track.filter.categories());
            types.addAll(track.filter.eventTypes());
        }
        return new EventFilter(anyCategory ? Set.of() : categories, anyType ? Set.of() : types);
    }

    /**
     * Marks paused tracks, and waits while every open track is paused.
     *
     * @return false once the runner is closed or no track is open any more
     */
    private boolean awaitRunnable() throws InterruptedException {
        lock.lock();
        try {
            while (!closed) {
                boolean anyOpen = false;
                boolean anyGoing = false;
                for (Track track : tracks) {
                    if (!track.open()) {
                        continue;
                    }
                    anyOpen = true;
                    if (track.paused) {
                        track.state = SubscriptionState.PAUSED;
                    } else {
                        if (track.state == SubscriptionState.PAUSED) {
                            track.state = SubscriptionState.CATCHING_UP;
                        }
                        anyGoing = true;
                    }
                }
                if (!anyOpen) {
                    return false;
                }
                if (anyGoing) {
                    return true;
                }
                changed.await(1, TimeUnit.SECONDS);
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    private void sleep(Duration duration) throws InterruptedException {
        waiting = true;
        try {
            if (!closed) {
                Thread.sleep(duration.toMillis());
            }
        } finally {
            waiting = false;
        }
    }

    void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Remembers {@code head} as the last head seen (unless a later one was seen already), and returns it. */
    Position sawHead(Position head) {
        synchronized (headLock) {
            if (!lastHead.isAfter(head)) {
                lastHead = head;
            }
            headSeenAt = System.nanoTime();
        }
        return head;
    }

    /**
     * The last head seen, at once. If it was seen more than a second ago, one virtual thread reads it again
     * for the callers after this one: a status or a gauge never waits for the store (slow or down), and
     * still moves while the runner is busy with a long batch.
     */
    Position knownHead() {
        if (System.nanoTime() - headSeenAt >= HEAD_REFRESH_NANOS
                && !closed
                && refreshingHead.compareAndSet(false, true)) {
            Thread.ofVirtual().name("factum-head-" + label).start(() -> {
                try {
                    sawHead(reader.headPosition());
                } catch (RuntimeException e) {
                    // the store is failing: the runner reports it in the status; the last head stands
                } finally {
                    refreshingHead.set(false);
                }
            });
        }
        return lastHead;
    }

    // ------------------------------------------------------------------------------------------ the API

    /** Waits until the runner prepared {@code track} (its tables, its checkpoint); false if it did not in time. */
    boolean awaitStarted(Track track, Duration timeout) throws InterruptedException {
        return awaitUntil(track, () -> track.started, timeout);
    }

    /** Waits until {@code track} passed {@code position}, it stopped, or the timeout passed. */
    boolean await(Track track, Position position, Duration timeout) throws InterruptedException {
        return awaitUntil(track, () -> track.passed(position), timeout);
    }

    /**
     * Waits, woken whenever a track moves, until {@code done} holds, the track stopped or was closed, the
     * runner's thread ended, or the timeout passed; answers whether {@code done} holds.
     */
    private boolean awaitUntil(Track track, java.util.function.BooleanSupplier done, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        lock.lock();
        try {
            while (!done.getAsBoolean()) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0
                        || track.state == SubscriptionState.STOPPED
                        || track.stopped
                        || track.closed
                        || !thread.isAlive()) {
                    return done.getAsBoolean();
                }
                changed.awaitNanos(remaining);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<ProjectionSubscription> members() {
        return List.copyOf(tracks);
    }

    @Override
    public ProjectionSubscription member(String projection) {
        for (Track track : tracks) {
            if (track.sqlSink != null && track.sqlSink.projection().equals(projection)) {
                return track;
            }
        }
        throw new IllegalArgumentException(
                "projection group " + label + " has no member keeping projection " + projection + "; its members are "
                        + tracks.stream().map(Track::name).toList());
    }

    /**
     * Closes one track. The last open one closes the runner; otherwise this waits (up to 10 seconds) until
     * a page being applied, which may include it, is committed.
     */
    synchronized void close(Track track) {
        if (track.closed) {
            return;
        }
        track.closed = true;
        if (tracks.stream().noneMatch(Track::open)) {
            close();
            return;
        }
        signal();
        try {
            if (pageLock.tryLock(10, TimeUnit.SECONDS)) {
                pageLock.unlock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!track.stopped) {
            track.state = SubscriptionState.STOPPED;
        }
        signal();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            for (Track track : tracks) {
                track.closed = true;
            }
            closed = true;
        }
        signal();
        Workers.stop(thread, waiting);
        stopOpenTracks();
        signal();
    }

    @Override
    public String toString() {
        return "ProjectionGroup[" + label + ", " + tracks + "]";
    }
}
