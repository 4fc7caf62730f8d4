package io.factum.core.subscription;

import java.time.Duration;

/**
 * How a subscription retries an event whose handler failed: up to {@code maxAttempts} tries in all, waiting
 * {@code initialBackoff} after the first failure and twice as long after each next one, at most {@code
 * maxBackoff}; then the event is parked. Failures of the store itself (unreachable database) are retried
 * with the same backoff for as long as they last, and never park an event.
 *
 * @param maxAttempts tries per event before it is parked, 1 or more
 * @param initialBackoff the wait after the first failure
 * @param maxBackoff the longest wait
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

    /** 5 tries, waiting 100 ms, 200 ms, 400 ms, 800 ms; store failures retried every 5 s at most. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(5));

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be 1 or more, got " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("backoffs must be 0 or more with maxBackoff >= initialBackoff, got "
                    + initialBackoff + " and " + maxBackoff);
        }
    }

    /** The wait after failed try number {@code attempt} (1-based). */
    public Duration backoff(int attempt) {
        long millis = initialBackoff.toMillis() << Math.min(Math.max(attempt - 1, 0), 20);
        return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
    }
}
