package io.factum.core.spi;

import io.factum.core.ExpectedVersion;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StreamMetadata;
import io.factum.core.StreamSlice;
import io.factum.core.StreamState;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * The versions a stream read may return, from the stream's state and metadata, so every store applies
 * max count, max age, truncate-before and soft delete identically. A store queries the events with a
 * version in {@code [low, high]} and, if {@link #recordedNotBefore()} is present, recorded at or after
 * it, in the read's direction, up to the requested count; then {@link #slice} builds the page.
 *
 * @param streamId the stream
 * @param direction the direction of the read
 * @param fromVersion the version the caller asked to start at
 * @param lastVersion the stream's last version as reported to the reader ({@code -1} if none or deleted)
 * @param low the lowest version that may be returned
 * @param high the highest version that may be returned
 * @param recordedNotBefore the oldest recorded-at time that may be returned, if max age is set
 */
public record StreamWindow(
        String streamId,
        ReadDirection direction,
        long fromVersion,
        long lastVersion,
        long low,
        long high,
        Optional<Instant> recordedNotBefore) {

    /**
     * The window of a read.
     *
     * @param lastVersion the stream's last version ({@code -1} if it never had an event)
     * @param state the stream's state; a tombstoned stream must be rejected before
     */
    public static StreamWindow of(
            String streamId,
            ReadDirection direction,
            long fromVersion,
            long lastVersion,
            StreamState state,
            StreamMetadata metadata,
            Instant now) {
        if (state != StreamState.ACTIVE || lastVersion < 0) {
            return new StreamWindow(
                    streamId, direction, fromVersion, ExpectedVersion.NO_STREAM_VERSION, 0, -1, Optional.empty());
        }
        long first = metadata.firstVisibleVersion(lastVersion);
        long low = direction == ReadDirection.FORWARD ? Math.max(fromVersion, first) : first;
        long high = direction == ReadDirection.FORWARD ? lastVersion : Math.min(fromVersion, lastVersion);
        return new StreamWindow(streamId, direction, fromVersion, lastVersion, low, high, metadata.oldestVisible(now));
    }

    /** True if no event can be returned, so the store need not query. */
    public boolean isEmpty() {
        return low > high;
    }

    /** Builds the page from the events the store found in the window, in the read's direction. */
    public StreamSlice slice(List<RecordedEvent> events, int maxCount) {
        boolean forward = direction == ReadDirection.FORWARD;
        if (events.isEmpty()) {
            long next = forward ? Math.max(fromVersion, lastVersion + 1) : -1;
            return new StreamSlice(streamId, direction, events, lastVersion, next, true);
        }
        long lastRead = events.get(events.size() - 1).streamVersion();
        boolean end = events.size() < maxCount || lastRead == (forward ? high : low);
        long next = forward ? lastRead + 1 : lastRead - 1;
        return new StreamSlice(streamId, direction, events, lastVersion, next, end);
    }

    /** Checks the arguments every stream read takes. */
    public static void checkReadArguments(long fromVersion, int maxCount) {
        if (fromVersion < 0) {
            throw new IllegalArgumentException("fromVersion must be 0 or more, got " + fromVersion);
        }
        checkMaxCount(maxCount);
    }

    /** Checks a page size. */
    public static void checkMaxCount(int maxCount) {
        if (maxCount < 1) {
            throw new IllegalArgumentException("maxCount must be 1 or more, got " + maxCount);
        }
    }

    /**
     * The recorded-at time of an append: the store's clock, truncated to microseconds so every store keeps
     * exactly the same instant.
     */
    public static Instant recordedAt(Clock clock) {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
