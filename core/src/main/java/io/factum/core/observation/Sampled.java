package io.factum.core.observation;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A value read from the store on a virtual thread of its own and kept in memory, for the callers that must
 * not wait long for a store that is slow or down: a metrics scrape waits a moment for a fresh value and
 * otherwise takes the last one ({@link #recent}), a health probe waits a bounded time for a fresh one and
 * otherwise fails ({@link #fresh}). At most one read runs at a time; callers that come while it runs share
 * it.
 *
 * <p>Factum's gauges and health checks use it; it is public so that an application's own gauges over the
 * store can behave the same.
 */
public final class Sampled<T> {

    private final String name;
    private final Supplier<T> source;
    private final long maxAgeNanos;
    private final AtomicReference<@Nullable CompletableFuture<T>> reading = new AtomicReference<>();
    private volatile @Nullable T value;
    private volatile long readAt;

    /**
     * @param name the name of the reading thread
     * @param maxAge how old a value {@link #recent} answers may be without reading again
     */
    public Sampled(String name, Duration maxAge, Supplier<T> source) {
        this.name = name;
        this.source = source;
        this.maxAgeNanos = maxAge.toNanos();
        this.readAt = System.nanoTime() - maxAgeNanos;
    }

    /**
     * A value no older than the maximum age if the store gives one within {@code wait}, else the last value
     * read (null if none yet): the caller waits {@code wait} at most, whatever the store does.
     */
    @Nullable
    public T recent(Duration wait) {
        if (System.nanoTime() - readAt < maxAgeNanos) {
            return value;
        }
        try {
            return read().get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return value;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return value;
        }
    }

    /**
     * A value read now, waiting at most {@code timeout} for it.
     *
     * @throws TimeoutException if the read did not end in time (it goes on, and the next caller shares it)
     * @throws RuntimeException the read's own failure
     */
    public T fresh(Duration timeout) throws TimeoutException, InterruptedException {
        try {
            return read().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private CompletableFuture<T> read() {
        while (true) {
            CompletableFuture<T> running = reading.get();
            if (running != null) {
                return running;
            }
            CompletableFuture<T> next = new CompletableFuture<>();
            if (reading.compareAndSet(null, next)) {
                Thread.ofVirtual().name(name).start(() -> {
                    try {
                        T read = source.get();
                        value = read;
                        readAt = System.nanoTime();
                        next.complete(read);
                    } catch (RuntimeException | Error e) {
                        next.completeExceptionally(e);
                    } finally {
                        reading.compareAndSet(next, null);
                    }
                });
                return next;
            }
        }
    }
}
