package io.factum.core.spi;

import io.factum.core.ExpectedVersion;
import io.factum.core.StreamDeletedException;
import io.factum.core.StreamState;
import io.factum.core.WrongExpectedVersionException;

/** The expected-version rule, in one place, so every store decides identically. */
public final class ExpectedVersions {

    private ExpectedVersions() {}

    /**
     * Checks an expected version against a stream's state.
     *
     * <p>A stream "exists" when it is active and has at least one event. A soft-deleted stream counts as
     * not existing: {@code noStream} and {@code any} re-create it, {@code exactly(n)} and {@code
     * streamExists} fail.
     *
     * @param lastVersion the version of the stream's last event, {@link ExpectedVersion#NO_STREAM_VERSION}
     *     if none
     * @throws StreamDeletedException if the stream is tombstoned
     * @throws WrongExpectedVersionException if the expectation does not hold
     */
    public static void check(String streamId, ExpectedVersion expected, long lastVersion, StreamState state) {
        if (state == StreamState.TOMBSTONED) {
            throw new StreamDeletedException(streamId);
        }
        if (!holds(expected, lastVersion, state)) {
            throw new WrongExpectedVersionException(streamId, expected, lastVersion, state);
        }
    }

    /** True if the expectation holds for a stream that is not tombstoned. */
    public static boolean holds(ExpectedVersion expected, long lastVersion, StreamState state) {
        boolean exists = state == StreamState.ACTIVE && lastVersion >= 0;
        return switch (expected) {
            case ExpectedVersion.Any any -> true;
            case ExpectedVersion.NoStream none -> !exists;
            case ExpectedVersion.StreamExists some -> exists;
            case ExpectedVersion.Exactly exactly -> exists && exactly.version() == lastVersion;
        };
    }
}
