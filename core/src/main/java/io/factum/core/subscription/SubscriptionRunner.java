package io.factum.core.subscription;

import io.factum.core.AllSlice;
import io.factum.core.EventFilter;
import io.factum.core.EventReader;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StoreException;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The thread of one subscription: catch up in batches, then wait for the store's wake-ups. */
final class SubscriptionRunner implements ProjectionSubscription {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionRunner.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@/-]{1,100}");

    /** How long a live subscription waits for a wake-up before it looks at the log anyway. */
    static final Duration IDLE_WAIT = Duration.ofSeconds(1);

    private final String name;
    private final EventReader reader;
    private final CheckpointStore checkpoints;
    private final EventFilter filter;
    private final int batchSize;
    private final RetryPolicy retry;
    private final Clock clock;
    private final Sink sink;
    private final @Nullable SqlSink sqlSink;
    private final Processor processor;
    private final Thread thread;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile SubscriptionState state = SubscriptionState.CATCHING_UP;
    private volatile boolean paused;
    private volatile boolean closed;
    private volatile boolean waiting;
    private volatile Position checkpoint = Position.START;
    private volatile Position reached = Position.START;
    private volatile Position lastHead = Position.START;
    private boolean nearHead = true;
    private volatile @Nullable Instant pendingSince;
    private volatile @Nullable String failure;

    private SubscriptionRunner(Subscription.Builder builder) {
        this.name = builder.name;
        this.reader = builder.reader;
        this.checkpoints = builder.checkpoints;
        this.filter = builder.filter;
        this.batchSize = builder.batchSize;
        this.retry = builder.retry;
        this.clock = builder.clock;
        if (builder.projection != null) {
            this.sqlSink = new SqlSink(builder.projection, (SqlCheckpointStore) builder.checkpoints);
            this.sink = sqlSink;
        } else {
            this.sqlSink = null;
            this.sink = new HandlerSink(name, java.util.Objects.requireNonNull(builder.handler), checkpoints);
        }
        this.processor = new Processor(name, sink, checkpoints, retry, clock);
        this.thread = Thread.ofPlatform()
                .name("factum-subscription-" + name)
                .daemon(true)
                .unstarted(this::run);
    }

    static Subscription start(Subscription.Builder builder) {
        SubscriptionRunner runner = new SubscriptionRunner(builder);
        if (builder.registry != null) {
            runner.register(builder.registry);
        }
        runner.thread.start();
        return builder.projection != null ? runner : new HandlerSubscription(runner);
    }

    /** What a handler subscription shows: a {@link Subscription}, not a {@link ProjectionSubscription}. */
    private record HandlerSubscription(SubscriptionRunner runner) implements Subscription {
        @Override
        public String name() {
            return runner.name();
        }

        @Override
        public SubscriptionStatus status() {
            return runner.status();
        }

        @Override
        public void pause() {
            runner.pause();
        }

        @Override
        public void resume() {
            runner.resume();
        }

        @Override
        public boolean awaitPosition(Position position, Duration timeout) throws InterruptedException {
            return runner.awaitPosition(position, timeout);
        }

        @Override
        public List<ParkedEvent> parked() {
            return runner.parked();
        }

        @Override
        public boolean replayParked(Position position) {
            return runner.replayParked(position);
        }

        @Override
        public void close() {
            runner.close();
        }

        @Override
        public String toString() {
            return runner.toString();
        }
    }

    static String requireName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "a subscription name must be 1-100 letters, digits and . _ - @ /," + " got '" + name + "'");
        }
        return name;
    }

    private void register(MeterRegistry registry) {
        Gauge.builder("factum.subscription.lag.events", this, r -> r.lagEvents(r.freshHead()))
                .tag("subscription", name)
                .description("positions of the global log the subscription has not passed yet")
                .register(registry);
        Gauge.builder("factum.subscription.lag.seconds", this, r -> r.lag().toMillis() / 1000.0)
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

    // -------------------------------------------------------------------------------------------- the loop

    private void run() {
        try {
            boolean started = false;
            int storeFailures = 0;
            while (!closed) {
                if (!awaitUnpaused()) {
                    break;
                }
                try {
                    if (!started) {
                        // tables and versions; competing instances may race here, so a failure is retried
                        sink.start();
                        checkpoint = checkpoints.load(name);
                        reached = checkpoint;
                        started = true;
                    }
                    step();
                    storeFailures = 0;
                    failure = null;
                } catch (CheckpointConflictException e) {
                    LOG.info("subscription {}: {}", name, e.getMessage());
                    checkpoint = checkpoints.load(name);
                } catch (SubscriptionStoppedException e) {
                    throw e;
                } catch (RuntimeException e) {
                    if (closed) {
                        break;
                    }
                    storeFailures++;
                    failure = Processor.describe(e);
                    state = SubscriptionState.FAILED;
                    LOG.warn("subscription {}: the store failed (try {}), retrying: {}", name, storeFailures, failure);
                    sleep(retry.backoff(storeFailures));
                }
            }
            state = SubscriptionState.STOPPED;
        } catch (InterruptedException e) {
            state = SubscriptionState.STOPPED;
        } catch (SubscriptionStoppedException e) {
            failure = e.getMessage();
            state = SubscriptionState.FAILED;
            LOG.error("subscription {} stopped: {}", name, e.getMessage());
        } catch (RuntimeException | Error e) {
            failure = Processor.describe(e);
            state = SubscriptionState.FAILED;
            LOG.error("subscription {} failed for good", name, e);
        } finally {
            signal();
        }
    }

    private void step() throws InterruptedException {
        // the head is read before the page only near it: a page that ends the log then proves the
        // subscription passed the head (gap-free reads hide nothing before it); while catching up, a page
        // that happens to end the log is followed by one more read with the head
        @Nullable Position head = null;
        if (nearHead) {
            head = reader.headPosition();
            lastHead = head;
        }
        AllSlice slice = reader.readAll(checkpoint, ReadDirection.FORWARD, batchSize, filter);
        List<RecordedEvent> events = slice.events();
        if (!events.isEmpty()) {
            if (state != SubscriptionState.LIVE || !slice.endOfLog()) {
                state = SubscriptionState.CATCHING_UP;
            }
            pendingSince = events.get(0).recordedAt();
            checkpoint = processor.process(name, events, checkpoint, slice.next(), null);
        }
        if (slice.endOfLog()) {
            pendingSince = null;
        }
        if (!slice.endOfLog() || head == null) {
            nearHead = slice.endOfLog();
            markReached(checkpoint);
            return;
        }
        if (sink.rebuilding()) {
            sink.caughtUp();
            LOG.info("subscription {}: the rebuilt version caught up and is now active", name);
        }
        state = SubscriptionState.LIVE;
        markReached(checkpoint);
        markReached(head);
        Position waitAfter = head.isAfter(checkpoint) ? head : checkpoint;
        waiting = true;
        try {
            if (!closed) {
                reader.awaitAppend(waitAfter, IDLE_WAIT);
            }
        } finally {
            waiting = false;
        }
    }

    private boolean awaitUnpaused() throws InterruptedException {
        lock.lock();
        try {
            while (paused && !closed) {
                state = SubscriptionState.PAUSED;
                changed.await(1, TimeUnit.SECONDS);
            }
            if (state == SubscriptionState.PAUSED) {
                state = SubscriptionState.CATCHING_UP;
            }
            return !closed;
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

    private void markReached(Position position) {
        if (position.isAfter(reached)) {
            reached = position;
            signal();
        }
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------------------------------ the API

    @Override
    public String name() {
        return name;
    }

    @Override
    public SubscriptionStatus status() {
        Position head = freshHead();
        Position through = reached;
        return new SubscriptionStatus(
                name,
                state,
                checkpoint,
                through,
                head,
                lagEvents(head),
                lag(),
                processor.processed.get(),
                parkedCount(),
                Optional.ofNullable(failure != null ? failure : processor.lastError.get()));
    }

    /** The head now, or the last one seen if the store cannot tell. */
    private Position freshHead() {
        try {
            Position head = reader.headPosition();
            lastHead = head;
            return head;
        } catch (RuntimeException e) {
            return lastHead;
        }
    }

    private int parkedCount() {
        try {
            return checkpoints.parked(name).size();
        } catch (StoreException e) {
            return (int) processor.parkedCount.get();
        }
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
        lock.lock();
        try {
            paused = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void resume() {
        lock.lock();
        try {
            paused = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean awaitPosition(Position position, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        lock.lock();
        try {
            while (!passed(position)) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0 || state == SubscriptionState.STOPPED || !thread.isAlive() && !passed(position)) {
                    return passed(position);
                }
                changed.awaitNanos(remaining);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private boolean passed(Position position) {
        return !position.isAfter(reached) && !sink.rebuilding();
    }

    @Override
    public List<ParkedEvent> parked() {
        return checkpoints.parked(name);
    }

    @Override
    public boolean replayParked(Position position) {
        ParkedEvent parked = parked().stream()
                .filter(p -> p.position().equals(position))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "subscription " + name + " has no event parked at position " + position));
        StreamSlice slice =
                reader.readStream(parked.streamId(), io.factum.core.ReadDirection.FORWARD, parked.streamVersion(), 1);
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

    @Override
    public void close() {
        if (closed) {
            return;
        }
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        Workers.stop(thread, waiting);
        state = SubscriptionState.STOPPED;
        signal();
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
        ProjectionContext active = sink.activeContext();
        return sink.store().query(connection -> query.run(connection, active));
    }

    @Override
    public <T> T query(Position atLeast, Duration timeout, ReadModelQuery<T> query) {
        try {
            if (!awaitPosition(atLeast, timeout)) {
                throw new StaleReadModelException(name, atLeast, reached, timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StaleReadModelException(name, atLeast, reached, timeout);
        }
        return query(query);
    }

    @Override
    public String toString() {
        return "Subscription[" + name + ", " + state + " at " + checkpoint + "]";
    }
}
