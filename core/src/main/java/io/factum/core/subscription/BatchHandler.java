package io.factum.core.subscription;

import io.factum.core.RecordedEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * Handles the events of a subscription a batch at a time, at least once, like an {@link EventHandler}:
 * for a handler that does better with a whole batch than with one event after another, such as one append
 * for the batch's results, or the independent events of a batch handled side by side ({@link
 * #concurrentBy}), so that their writes share the store's group commit instead of waiting for the disk one
 * after another. Run it with {@link Subscription#batchHandler}.
 *
 * <p>If it throws, the subscription goes through the batch again one event at a time (each a batch of
 * one), retrying and parking as for an {@link EventHandler}; so events of the batch that were handled
 * before the failure come again. Make the handler idempotent, by event id or position.
 */
@FunctionalInterface
public interface BatchHandler {

    /** Handles a batch of one or more events, given in log order. */
    void handleAll(List<RecordedEvent> events) throws Exception;

    /**
     * A batch handler that gives the events of a batch to {@code handler} grouped by {@code key}: the events
     * of one key one after another in log order, those of different keys side by side, on virtual threads,
     * at most {@code parallelism} keys at once. It returns when every event is handled; if any failed, the
     * first failure (in the order the keys first appear in the batch) is thrown once all are done.
     *
     * <p>Use it for events that only depend on others of the same key (the instance of a process, the
     * stream, the order): per-key order is kept, as a consumer group keeps per-stream order.
     *
     * @throws IllegalArgumentException if {@code parallelism} is less than 1
     */
    static BatchHandler concurrentBy(Function<RecordedEvent, String> key, int parallelism, EventHandler handler) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(handler, "handler");
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be 1 or more, got " + parallelism);
        }
        return events -> {
            Map<String, List<RecordedEvent>> byKey = new LinkedHashMap<>();
            for (RecordedEvent event : events) {
                byKey.computeIfAbsent(key.apply(event), k -> new ArrayList<>()).add(event);
            }
            if (byKey.size() == 1) {
                for (RecordedEvent event : events) {
                    handler.handle(event);
                }
                return;
            }
            Semaphore permits = new Semaphore(parallelism);
            List<Future<?>> running = new ArrayList<>(byKey.size());
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (List<RecordedEvent> ofKey : byKey.values()) {
                    permits.acquire();
                    running.add(threads.submit(() -> {
                        try {
                            for (RecordedEvent event : ofKey) {
                                handler.handle(event);
                            }
                            return null;
                        } finally {
                            permits.release();
                        }
                    }));
                }
            }
            for (Future<?> each : running) {
                try {
                    each.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Exception failure) {
                        throw failure;
                    }
                    throw e;
                }
            }
        };
    }
}
