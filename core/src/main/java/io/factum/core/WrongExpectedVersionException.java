package io.factum.core;

/**
 * The stream was not at the expected version: another writer got there first, or the caller's view is
 * stale. Nothing was written.
 */
public final class WrongExpectedVersionException extends ConcurrencyException {

    private final ExpectedVersion expected;
    private final long actualVersion;
    private final StreamState actualState;

    public WrongExpectedVersionException(
            String streamId, ExpectedVersion expected, long actualVersion, StreamState actualState) {
        super(streamId, message(streamId, expected, actualVersion, actualState));
        this.expected = expected;
        this.actualVersion = actualVersion;
        this.actualState = actualState;
    }

    private static String message(String streamId, ExpectedVersion expected, long actual, StreamState state) {
        String found;
        if (state == StreamState.SOFT_DELETED) {
            found = "it was deleted at version " + actual;
        } else if (actual == ExpectedVersion.NO_STREAM_VERSION) {
            found = "it does not exist";
        } else {
            found = "it is at version " + actual;
        }
        String wanted =
                switch (expected) {
                    case ExpectedVersion.Exactly e -> "version " + e.version();
                    case ExpectedVersion.NoStream n -> "no stream";
                    case ExpectedVersion.StreamExists s -> "the stream to exist";
                    case ExpectedVersion.Any a -> "any version";
                };
        return "stream " + streamId + ": expected " + wanted + " but " + found;
    }

    /** What the caller expected. */
    public ExpectedVersion expected() {
        return expected;
    }

    /** The stream's actual last version, {@link ExpectedVersion#NO_STREAM_VERSION} if it has none. */
    public long actualVersion() {
        return actualVersion;
    }

    /** Whether the stream was active or soft-deleted. */
    public StreamState actualState() {
        return actualState;
    }
}
