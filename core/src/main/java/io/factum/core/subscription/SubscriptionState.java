package io.factum.core.subscription;

/** Where a subscription is in its life. */
public enum SubscriptionState {
    /** Reading events older than the head in batches. */
    CATCHING_UP,
    /** At the head, woken by the store when events are appended. */
    LIVE,
    /** Paused by {@link Subscription#pause()}; resumes where it stopped. */
    PAUSED,
    /** The store failed (the subscription retries with backoff) or the subscription cannot run. */
    FAILED,
    /** Stopped by {@link Subscription#close()}. */
    STOPPED
}
