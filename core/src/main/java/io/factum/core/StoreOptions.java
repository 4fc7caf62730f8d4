package io.factum.core;

import java.time.Clock;

/**
 * Settings every store takes.
 *
 * @param clock the clock for recorded-at times and for {@code maxAge}; inject a fixed or moving clock in
 *     tests
 * @param limits the append limits
 */
public record StoreOptions(Clock clock, StoreLimits limits) {

    /** The system clock in UTC and {@link StoreLimits#DEFAULT}. */
    public static StoreOptions defaults() {
        return new StoreOptions(Clock.systemUTC(), StoreLimits.DEFAULT);
    }

    public StoreOptions withClock(Clock newClock) {
        return new StoreOptions(newClock, limits);
    }

    public StoreOptions withLimits(StoreLimits newLimits) {
        return new StoreOptions(clock, newLimits);
    }
}
