package io.factum.core.subscription;

import io.factum.core.EventFilter;
import io.factum.core.EventReader;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StreamSlice;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One subscription a {@link SubscriptionRunner} drives: its sink, filter and checkpoint, how far it got, and
 * the API its users hold. A runner of a single subscription has one track; a {@link ProjectionGroup}'s
 * runner has one per member, each with its own checkpoint, status, parked events and rebuild.
 *
 * <p>Only the runner's thread moves the checkpoint and the state; the API methods read them and may be
 * called from any thread.
 */
final class Track implements ProjectionSubscription {

    /** How often a query waiting for a position looks at the checkpoint in the database, at first and at most. */
    private static final long FIRST_POLL_NANOS = Duration.ofMillis(20).toNanos();

    private static final long MAX_POLL_NANOS = Duration.ofMillis(500).toNanos();

    final String name;
    final EventFilter filter;
    final Sink sink;
    final @Nullable SqlSink sqlSink;
    final Processor processor;
    private final CheckpointStore checkpoints;
    private final EventReader reader;
    private final Clock clock;
    private final SubscriptionRunner runner;

    volatile SubscriptionState state = SubscriptionState.CATCHING_UP;
    /** How long a query waits for a projection that is starting to have its tables. */
    static final Duration STARTUP_WAIT = Duration.ofSeconds(5);

    volatile boolean started;
    volatile boolean paused;
    volatile boolean closed;

    /** True once this subscription stopped for good (an older version than the active one, say). */
    volatile boolean stopped;

    volatile Position checkpoint = Position.START;
    volatile Position reached = Position.START;
    volatile @Nullable Instant pendingSince;
    volatile @Nullable String failure;

    /**
     * The parked events as last read from the store, and the processor's count of parks then: {@link
     * #status()} answers from these without asking the store.
     */
    private volatile int parkedKnown;

    private volatile long parksCountedAt;

    Track(
            String name,
            EventFilter filter,
            Sink sink,
            @Nullable SqlSink sqlSink,
            CheckpointStore checkpoints,
            SubscriptionRunner runner,
            EventReader reader,
            RetryPolicy retry,
            OnParked onParked,
            Clock clock) {
        this.name = name;
        this.filter = filter;
        this.sink = sink;
        this.sqlSink = sqlSink;
        this.checkpoints = checkpoints;
        this.runner = runner;
        this.reader = reader;
        this.clock = clock;
        this.processor = new Processor(name, sink, checkpoints, retry, onParked, clock);
    }

    // ------------------------------------------------------------------------------- for the runner

    /** Prepares the sink and loads the checkpoint, once; a failure is retried by the runner. */
    void start() {
        if (started || stopped) {
            return;
        }
        try {
            sink.start();
        } catch (SubscriptionStoppedException e) {
            stop(e.getMessage());
            return;
        }
        checkpoint = checkpoints.load(name);
        reached = checkpoint;
        loadParked();
        started = true;
        // a waiter for a position at or before the checkpoint may go on now
        runner.signal();
    }

    /** Reads its parked events from the store: the streams they hold back, and their count for the status. */
    void loadParked() {
        List<ParkedEvent> parked = checkpoints.parked(name);
        processor.holdParked(parked);
        knowParked(parked);
    }

    private void knowParked(List<ParkedEvent> parked) {
        parksCountedAt = processor.parkedCount.get();
        parkedKnown = parked.size();
    }

    /** True if the runner should give it events now. */
    boolean runnable() {
        return started && !stopped && !closed && !paused;
    }

    /** True until it was closed or stopped for good. */
    boolean open() {
        return !closed && !stopped;
    }

    /** Stops it for good with {@code reason}, the others of its runner going on. */
    void stop(String reason) {
        stopped = true;
        failure = reason;
        state = SubscriptionState.FAILED;
        SubscriptionRunner.LOG.error("subscription {} stopped: {}", name, reason);
        runner.signal();
    }

    /** The events of {@code page} this subscription has not passed yet and its filter keeps. */
    List<RecordedEvent> share(List<RecordedEvent> page) {
        return page.stream()
                .filter(event -> event.position().isAfter(checkpoint) && filter.matches(event))
                .toList();
    }

    /** Moves what it has passed (queries and waiters see it). */
    void markReached(Position position) {
        if (position.isAfter(reached)) {
            reached = position;
            runner.signal();
        }
    }

    /** True if every event of its filter up to {@code position} is processed and queries read the result. */
    boolean passed(Position position) {
        // not before the runner prepared the sink (a projection's tables) and loaded the checkpoint
        return started && !position.isAfter(reached) && !sink.rebuilding();
    }

    void register(MeterRegistry registry) {
        Gauge.builder("factum.subscription.lag.events", this, t -> t.lagEvents(t.knownHead()))
                .tag("subscription", name)
                .description("positions of the global log the subscription has not passed yet")
                .register(registry);
        Gauge.builder("factum.subscription.lag.seconds", this, t -> t.lag().toMillis() / 1000.0)
                .tag("subscription", name)
                .description("age of the oldest event the subscription has not processed yet")
                .baseUnit("seconds")
                .register(registry);
        FunctionCounter.builder("factum.subscription.events", processor, p -> p.processed.get())
                .tag("subscription", name)
                .register(registry);
        FunctionCounter.builder("factum.subscription.parked", processor, p -> p.parkedCount.get())
                .tag("subscription", name)
                .register(registry);
        Counter.builder("factum.subscription.started")
                .tag("subscription", name)
                .register(registry)
                .increment();
    }

    // ------------------------------------------------------------------------------------------ the API

    @Override
    public String name() {
        return name;
    }

    /**
     * Answers from memory, without asking the store: the head is the last one read (at most a second old
     * while the store answers), the parked count the last one read plus the parks since. So a health check
     * or a metrics scrape never waits for a database that is slow or down.
     */
    @Override
    public SubscriptionStatus status() {
        Position head = knownHead();
        return new SubscriptionStatus(
                name,
                state,
                checkpoint,
                reached,
                head,
                lagEvents(head),
                lag(),
                processor.processed.get(),
                parkedCount(),
                Optional.ofNullable(failure != null ? failure : processor.lastError.get()));
    }

    /** The last head the runner saw, or what this subscription reached if that is further. */
    private Position knownHead() {
        Position head = runner.knownHead();
        Position at = reached;
        return at.isAfter(head) ? at : head;
    }

    private int parkedCount() {
        return (int) Math.max(0, parkedKnown + processor.parkedCount.get() - parksCountedAt);
    }

    private long lagEvents(Position head) {
        return Math.max(0, head.position() - reached.position());
    }

    private Duration lag() {
        Instant since = pendingSince;
        if (since == null) {
            return Duration.ZERO;
        }
        Duration lag = Duration.between(since, clock.instant());
        return lag.isNegative() ? Duration.ZERO : lag;
    }

    @Override
    public void pause() {
        paused = true;
        runner.signal();
    }

    @Override
    public void resume() {
        paused = false;
        runner.signal();
    }

    @Override
    public boolean awaitPosition(Position position, Duration timeout) throws InterruptedException {
        return runner.await(this, position, timeout);
    }

    @Override
    public List<ParkedEvent> parked() {
        List<ParkedEvent> parked = checkpoints.parked(name);
        knowParked(parked);
        return parked;
    }

    /**
     * Replays the parked event at {@code position}. With {@link OnParked#HOLD_STREAM} it must be the first
     * parked event of its stream; if it succeeds, the stream's events held back behind it are replayed
     * after it, in order, until one fails (it stays parked and holds the rest back again) or none is left
     * (the stream goes on). The runner applies no page meanwhile, so nothing of the stream slips past.
     */
    @Override
    public boolean replayParked(Position position) {
        return runner.exclusively(() -> {
            List<ParkedEvent> all = parked();
            ParkedEvent parked = all.stream()
                    .filter(p -> p.position().equals(position))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(
                            "subscription " + name + " has no event parked at position " + position));
            if (processor.onParked() != OnParked.HOLD_STREAM) {
                return replay(parked);
            }
            List<ParkedEvent> stream = all.stream()
                    .filter(p -> p.streamId().equals(parked.streamId()))
                    .toList();
            if (!stream.get(0).equals(parked)) {
                throw new IllegalArgumentException("the event at position " + position + " of stream "
                        + parked.streamId() + " is held back behind the stream's parked event at position "
                        + stream.get(0).position() + "; replay that one first, the held ones follow it");
            }
            for (ParkedEvent next : stream) {
                if (!replay(next)) {
                    knowParked(checkpoints.parked(name));
                    return !next.equals(parked);
                }
            }
            processor.release(parked.streamId());
            knowParked(checkpoints.parked(name));
            return true;
        });
    }

    private boolean replay(ParkedEvent parked) {
        Position position = parked.position();
        StreamSlice slice = reader.readStream(parked.streamId(), ReadDirection.FORWARD, parked.streamVersion(), 1);
        if (slice.events().isEmpty() || !slice.events().get(0).eventId().equals(parked.eventId())) {
            processor.lastError.set("the parked event " + parked.streamId() + "@" + parked.streamVersion()
                    + " can no longer be read (truncated or deleted); unpark it by hand");
            return false;
        }
        try {
            sink.replay(slice.events().get(0));
        } catch (RuntimeException e) {
            processor.lastError.set("replay of the parked event at " + position + " failed: "
                    + Processor.describe(e.getCause() == null ? e : e.getCause()));
            return false;
        }
        return checkpoints.unpark(name, position);
    }

    /**
     * Stops this subscription: a batch being applied that includes it finishes (its checkpoint is saved)
     * first. When it is the last open subscription of its runner, the runner's thread ends (waiting up to
     * 10 seconds for it).
     */
    @Override
    public void close() {
        runner.close(this);
    }

    // ----------------------------------------------------------------------------------- SQL projections

    private SqlSink sql() {
        if (sqlSink == null) {
            throw new UnsupportedOperationException("subscription " + name + " is not a SQL projection");
        }
        return sqlSink;
    }

    @Override
    public ProjectionContext active() {
        return sql().activeContext();
    }

    @Override
    public <T> T query(ReadModelQuery<T> query) {
        SqlSink sink = sql();
        awaitTables();
        ProjectionContext active = sink.activeContext();
        return sink.store().query(connection -> query.run(connection, active));
    }

    /**
     * The runner creates the tables on its own thread: a query right after start waits for them. A
     * subscription closed before it started goes on at once: another instance may keep the read model.
     */
    private void awaitTables() {
        if (started || stopped || closed) {
            return;
        }
        try {
            if (!runner.awaitStarted(this, STARTUP_WAIT) && !stopped && !closed) {
                throw new StaleReadModelException(name, Position.START, reached, STARTUP_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StaleReadModelException(name, Position.START, reached, STARTUP_WAIT);
        }
    }

    @Override
    public <T> T query(Position atLeast, Duration timeout, ReadModelQuery<T> query) {
        return answer(atLeast, timeout, query).value();
    }

    @Override
    public <T> Answer<T> answer(ReadModelQuery<T> query) {
        SqlSink sink = sql();
        awaitTables();
        ProjectionContext active = sink.activeContext();
        // read before the snapshot is taken, so that the snapshot holds everything it counts
        Position passedHere = passedHere(active);
        Answer<T> answer = sink.store()
                .queryWithCheckpoint(
                        SqlSink.checkpointName(active.projection(), active.version()),
                        connection -> query.run(connection, active));
        // a replica's snapshot may be older than what this process passed: its own checkpoint tells then
        return passedHere.isAfter(answer.position()) && !sink.store().queriesReplica()
                ? new Answer<>(answer.value(), passedHere)
                : answer;
    }

    /**
     * Waits for this process's subscription (woken as it moves) and, in between, looks at the checkpoint in
     * the database, which another process sharing the read model may have moved: with a paused or slow
     * subscription here, the answer still comes as soon as the read model in the database has got there.
     */
    @Override
    public <T> Answer<T> answer(Position atLeast, Duration timeout, ReadModelQuery<T> query) {
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        long poll = FIRST_POLL_NANOS;
        // what the queries read, if behind: a streaming replica that has not replayed this far yet
        @Nullable Position answered = null;
        try {
            while (true) {
                // what this process passed needs no round trip; the database is asked only when it falls short
                if (passed(atLeast) || !atLeast.isAfter(storedCheckpoint())) {
                    Answer<T> answer = answer(query);
                    if (!atLeast.isAfter(answer.position())) {
                        return answer;
                    }
                    answered = answer.position();
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new StaleReadModelException(
                            name, atLeast, answered != null ? answered : furthest(storedCheckpoint()), timeout);
                }
                long wait = Math.min(remaining, poll);
                long before = System.nanoTime();
                // passed here while queries read another version (switching now), or this subscription
                // stopped: only the database tells, so wait out the interval before looking again
                boolean moved = !passed(atLeast) && awaitPosition(atLeast, Duration.ofNanos(wait));
                long rest = wait - (System.nanoTime() - before);
                if (!moved && rest > 0) {
                    Thread.sleep(Duration.ofNanos(rest));
                }
                poll = Math.min(poll * 2, MAX_POLL_NANOS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StaleReadModelException(name, atLeast, reached, timeout);
        }
    }

    /**
     * What this process knows the tables of {@code active} reflect: what its subscription passed, if it runs
     * that version and is not rebuilding it; else nothing.
     */
    private Position passedHere(ProjectionContext active) {
        SqlSink sink = sql();
        if (!started || sink.rebuilding() || active.version() != sink.version()) {
            return Position.START;
        }
        return reached;
    }

    /** The active version's checkpoint as the database has it now. */
    private Position storedCheckpoint() {
        SqlSink sink = sql();
        ProjectionContext active = sink.activeContext();
        return sink.store().load(SqlSink.checkpointName(active.projection(), active.version()));
    }

    private Position furthest(Position stored) {
        Position here = reached;
        return here.isAfter(stored) ? here : stored;
    }

    @Override
    public String toString() {
        return "Subscription[" + name + ", " + state + " at " + checkpoint + "]";
    }
}
