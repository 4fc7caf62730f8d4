package io.factum.core.process;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires the due deadlines of a set of process managers: {@link #fireDue()} hands every deadline due by the
 * clock to its owner; {@link #start(Duration)} does so on a thread of its own, looking at the store at least
 * every {@code pollInterval}. Deadlines are durable, so one whose time passed while the application was
 * down fires at the first look after it starts. A deadline whose owner fails stays in the store and is
 * tried again at the next look. Tests drive it with a controllable clock and {@link #fireDue()}.
 *
 * <p>Several processes may fire the same store's deadlines: a deadline handled twice is recognised by its
 * process manager (its step is recorded once, its commands carry derived ids).
 */
public final class DeadlineScheduler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeadlineScheduler.class);
    private static final int PAGE = 100;

    private final DeadlineStore deadlines;
    private final Clock clock;
    private final Map<String, ProcessManager<?, ?>> owners = new HashMap<>();
    private volatile boolean closed;
    private volatile Thread thread = null;

    /** A scheduler for the deadlines in {@code store} of the given process managers. */
    public DeadlineScheduler(DeadlineStore store, Clock clock, List<ProcessManager<?, ?>> processManagers) {
        this.deadlines = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        for (ProcessManager<?, ?> manager : processManagers) {
            owners.put(manager.name(), manager);
        }
    }

    /**
     * Hands every deadline due now to its process manager; deadlines of unknown owners stay in the store.
     *
     * @return how many deadlines were fired
     */
    public synchronized int fireDue() {
        Instant now = clock.instant();
        int fired = 0;
        while (true) {
            List<Deadline> due = deadlines.due(now, PAGE);
            int handled = 0;
            for (Deadline deadline : due) {
                ProcessManager<?, ?> owner = owners.get(deadline.owner());
                if (owner == null) {
                    continue;
                }
                try {
                    owner.fire(deadline);
                    fired++;
                    handled++;
                } catch (RuntimeException e) {
                    LOG.warn(
                            "deadline {} of {} {} failed, it is tried again later: {}",
                            deadline.name(),
                            deadline.owner(),
                            deadline.correlationId(),
                            e.toString());
                }
            }
            if (due.size() < PAGE || handled == 0) {
                return fired;
            }
        }
    }

    /** Fires due deadlines on a thread of its own, looking at least every {@code pollInterval}. */
    public DeadlineScheduler start(Duration pollInterval) {
        Thread worker = Thread.ofPlatform()
                .name("factum-deadlines")
                .daemon(true)
                .unstarted(() -> {
                    while (!closed) {
                        try {
                            fireDue();
                            Optional<Instant> next = deadlines.nextDue();
                            long wait = pollInterval.toMillis();
                            if (next.isPresent()) {
                                wait = Math.min(
                                        wait,
                                        Math.max(
                                                1,
                                                Duration.between(clock.instant(), next.get())
                                                        .toMillis()));
                            }
                            TimeUnit.MILLISECONDS.sleep(wait);
                        } catch (InterruptedException e) {
                            return;
                        } catch (RuntimeException e) {
                            LOG.warn("the deadline store failed, trying again: {}", e.toString());
                            try {
                                TimeUnit.MILLISECONDS.sleep(pollInterval.toMillis());
                            } catch (InterruptedException stop) {
                                return;
                            }
                        }
                    }
                });
        thread = worker;
        worker.start();
        return this;
    }

    /** Stops the thread, if started. */
    @Override
    public void close() {
        closed = true;
        Thread worker = thread;
        if (worker != null) {
            worker.interrupt();
            try {
                worker.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
