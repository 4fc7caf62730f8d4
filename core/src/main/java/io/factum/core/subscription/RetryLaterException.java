package io.factum.core.subscription;

import java.util.Objects;

/**
 * Thrown by an {@link EventHandler} or a {@link BatchHandler} when what it depends on is unavailable for a
 * while (a message broker that does not answer, a remote service that is down), not because of the event:
 * the subscription then treats it like a failure of the store itself. It is retried with the backoff of the
 * {@link RetryPolicy} for as long as it lasts, the state is {@link SubscriptionState#FAILED} with this
 * message as the last error meanwhile, and no event is parked. Any other exception of a handler counts
 * against the event, which is parked after the policy's last try.
 */
public class RetryLaterException extends RuntimeException {

    /**
     * @param message what is unavailable, for the subscription's status ("broker localhost:9092 did not
     *     acknowledge 12 records within 30 s")
     */
    public RetryLaterException(String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
    }

    /** See {@link #RetryLaterException(String, Throwable)}. */
    public RetryLaterException(String message) {
        super(Objects.requireNonNull(message, "message"));
    }
}
