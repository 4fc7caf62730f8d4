package io.factum.core.subscription;

import io.factum.core.Position;
import java.time.Duration;
import java.util.Optional;

/**
 * A subscription at one moment.
 *
 * @param name the subscription
 * @param state where it is in its life
 * @param checkpoint the position of the last event it processed (START if none)
 * @param processedThrough the position it has passed: every event of its filter up to here is processed
 * @param head the head of the global log when the status was taken
 * @param lagEvents how many positions of the global log lie between {@code processedThrough} and the head
 * @param lag how long ago the oldest event not yet processed was recorded (zero when caught up)
 * @param processed events handled since the subscription started
 * @param parked events parked so far (durable, across restarts)
 * @param lastError the last failure, if any since the last success
 */
public record SubscriptionStatus(
        String name,
        SubscriptionState state,
        Position checkpoint,
        Position processedThrough,
        Position head,
        long lagEvents,
        Duration lag,
        long processed,
        int parked,
        Optional<String> lastError) {}
