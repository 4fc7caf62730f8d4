package io.factum.core;

/**
 * What the caller believes about a stream's version when it appends or deletes: the optimistic
 * concurrency check. A store compares it with the stream's actual state atomically with the write and
 * fails with {@link WrongExpectedVersionException} when it does not hold.
 *
 * <p>Versions are 0-based: a stream with one event is at version 0; a stream that does not exist is at
 * {@link #NO_STREAM_VERSION}.
 */
public sealed interface ExpectedVersion {

    /** The version reported for a stream that does not exist (or has never had an event). */
    long NO_STREAM_VERSION = -1;

    /** No check: append whatever the stream's state (except a tombstoned stream). */
    static ExpectedVersion any() {
        return Any.INSTANCE;
    }

    /** The stream must not exist yet (or must be soft-deleted, which re-creates it). */
    static ExpectedVersion noStream() {
        return NoStream.INSTANCE;
    }

    /** The stream must exist and hold at least one event, whatever its version. */
    static ExpectedVersion streamExists() {
        return StreamExists.INSTANCE;
    }

    /**
     * The stream must be exactly at {@code version} (the version of its last event).
     *
     * @throws IllegalArgumentException if {@code version} is negative; use {@link #noStream()} instead
     */
    static ExpectedVersion exactly(long version) {
        return new Exactly(version);
    }

    /** See {@link #any()}. */
    record Any() implements ExpectedVersion {
        static final Any INSTANCE = new Any();

        @Override
        public String toString() {
            return "any";
        }
    }

    /** See {@link #noStream()}. */
    record NoStream() implements ExpectedVersion {
        static final NoStream INSTANCE = new NoStream();

        @Override
        public String toString() {
            return "no stream";
        }
    }

    /** See {@link #streamExists()}. */
    record StreamExists() implements ExpectedVersion {
        static final StreamExists INSTANCE = new StreamExists();

        @Override
        public String toString() {
            return "stream exists";
        }
    }

    /** See {@link #exactly(long)}. */
    record Exactly(long version) implements ExpectedVersion {
        public Exactly {
            if (version < 0) {
                throw new IllegalArgumentException(
                        "expected version must be 0 or more (use ExpectedVersion.noStream() for a new stream), got "
                                + version);
            }
        }

        @Override
        public String toString() {
            return "version " + version;
        }
    }
}
