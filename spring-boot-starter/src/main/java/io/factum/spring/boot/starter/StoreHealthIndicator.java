package io.factum.spring.boot.starter;

import io.factum.core.EventReader;
import io.factum.core.Position;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Whether the store answers within a bound: it reads the head of the log (and a SQL store's figures, such as
 * PostgreSQL's xmin horizon age) on a thread of its own and waits at most {@code factum.health.store-timeout}
 * for it, so the health endpoint answers while the database hangs. A check that comes while the previous one
 * still waits for the store joins it instead of asking again, so a hanging database does not gather threads.
 */
final class StoreHealthIndicator implements HealthIndicator {

    private static final Executor VIRTUAL =
            task -> Thread.ofVirtual().name("factum-store-health").start(task);

    private final EventReader store;
    private final Supplier<Map<String, Long>> figures;
    private final Duration timeout;
    private final Supplier<Optional<String>> writeProblem;
    private @Nullable CompletableFuture<Map<String, Object>> inFlight;

    /**
     * @param figures the store's figures ({@code SqlEventStore.figures()}), read with the head
     */
    StoreHealthIndicator(EventReader store, Supplier<Map<String, Long>> figures, Duration timeout) {
        this(store, figures, Optional::empty, timeout);
    }

    /**
     * @param writeProblem why the store's writes fail now ({@code SqlEventStore.writeProblem()}): DOWN while
     *     it says something, though reads work (a full disk under SQLite)
     */
    StoreHealthIndicator(
            EventReader store,
            Supplier<Map<String, Long>> figures,
            Supplier<Optional<String>> writeProblem,
            Duration timeout) {
        this.store = store;
        this.figures = figures;
        this.writeProblem = writeProblem;
        this.timeout = timeout;
    }

    @Override
    public Health health() {
        Optional<String> writes = writeProblem.get();
        if (writes.isPresent()) {
            return Health.down()
                    .withDetail("error", "writes fail: " + writes.get())
                    .build();
        }
        try {
            return Health.up()
                    .withDetails(read().get(timeout.toMillis(), TimeUnit.MILLISECONDS))
                    .build();
        } catch (TimeoutException e) {
            return Health.down()
                    .withDetail("error", "no answer within " + timeout.toMillis() + " ms")
                    .build();
        } catch (ExecutionException e) {
            return Health.down(e.getCause() == null ? e : e.getCause()).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Health.unknown().withDetail("error", "interrupted").build();
        }
    }

    private synchronized CompletableFuture<Map<String, Object>> read() {
        CompletableFuture<Map<String, Object>> running = inFlight;
        if (running == null || running.isDone()) {
            running = CompletableFuture.supplyAsync(this::details, VIRTUAL);
            inFlight = running;
        }
        return running;
    }

    private Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        Position head = store.headPosition();
        details.put("headPosition", head.position());
        details.putAll(figures.get());
        return details;
    }
}
