package io.factum.store.postgres;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import org.jspecify.annotations.Nullable;

/**
 * The clock that judges the expiry of leases and group members. With the system clock (the default of
 * {@link io.factum.core.StoreOptions}) that is the database's clock ({@code clock_timestamp()}): every
 * member of a group, in any process on any machine, shares the database and so one clock, and a JVM whose
 * clock is skewed can neither keep a lease too long nor take one too early. With another clock in the
 * store's options (a test's controllable clock) that clock is used, its time passed as a parameter; then
 * every process of a group must use the same clock.
 */
final class LeaseClock {

    /** "Now" in SQL: the parameter if one is bound, else the database's clock. */
    static final String NOW = "coalesce(?::timestamptz, clock_timestamp())";

    private final @Nullable Clock clock;

    private LeaseClock(@Nullable Clock clock) {
        this.clock = clock;
    }

    static LeaseClock of(Clock storeClock) {
        return new LeaseClock(storeClock.getClass() == Clock.systemUTC().getClass() ? null : storeClock);
    }

    /** The value to bind to {@link #NOW}: null for the database's clock. */
    @Nullable
    String now() {
        return clock == null
                ? null
                : clock.instant().truncatedTo(ChronoUnit.MICROS).toString();
    }

    boolean isDatabaseClock() {
        return clock == null;
    }
}
