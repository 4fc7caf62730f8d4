package io.factum.kafka;

import io.factum.core.subscription.SubscriptionState;
import java.time.Duration;
import java.util.Optional;

/**
 * A relay at one moment.
 *
 * @param name the relay's name (its subscription's or consumer group's)
 * @param state where its subscription is: {@link SubscriptionState#FAILED} while the broker does not answer
 *     or the store fails (it keeps retrying), with the reason in {@code lastError}
 * @param lagEvents positions of the global log between what the relay published and the head; for a
 *     consumer group member, from the lowest checkpoint of the buckets it holds
 * @param lag how long ago the oldest event not yet published was recorded (zero when caught up)
 * @param published records the broker acknowledged since the relay started (a record published again after
 *     a restart counts again)
 * @param refused records Kafka refused since the relay started (each try counts; parked ones are in the
 *     subscription's parked events)
 * @param unavailable times the broker did not answer in time since the relay started
 * @param lastError the last failure, if any since the last success
 */
public record RelayStatus(
        String name,
        SubscriptionState state,
        long lagEvents,
        Duration lag,
        long published,
        long refused,
        long unavailable,
        Optional<String> lastError) {

    /** True unless the relay failed or stopped: what a health check asks. */
    public boolean healthy() {
        return state != SubscriptionState.FAILED && state != SubscriptionState.STOPPED;
    }
}
