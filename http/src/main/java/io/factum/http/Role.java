package io.factum.http;

/**
 * What a caller of the HTTP surfaces may do. Each role includes the ones before it: {@link #ADMIN} may
 * write, {@link #WRITE} may read.
 */
public enum Role {
    /** Read streams, the global log and live subscriptions. */
    READ,
    /** Everything {@link #READ} may, and append to and delete streams. */
    WRITE,
    /** Everything {@link #WRITE} may, and the admin pages and {@code /metrics}. */
    ADMIN;

    /** True if this role may do what {@code required} may. */
    public boolean includes(Role required) {
        return compareTo(required) >= 0;
    }

    /** The stricter of this role and {@code other}. */
    Role atLeast(Role other) {
        return includes(other) ? this : other;
    }
}
