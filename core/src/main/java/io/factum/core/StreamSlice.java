package io.factum.core;

import java.util.List;

/**
 * One page of a stream read.
 *
 * @param streamId the stream read
 * @param direction the direction of the read
 * @param events the events, in the direction of the read; at most the requested count
 * @param lastVersion the stream's last version when it was read ({@link
 *     ExpectedVersion#NO_STREAM_VERSION} if it has no events), usable as an expected version
 * @param nextVersion where the next page starts, in the same direction
 * @param endOfStream true if there is nothing more to read in this direction
 */
public record StreamSlice(
        String streamId,
        ReadDirection direction,
        List<RecordedEvent> events,
        long lastVersion,
        long nextVersion,
        boolean endOfStream) {

    /** Read forward from here to start at the first event, backward to start at the last. */
    public static final long START = 0;

    /** Read backward from here to start at the last event. */
    public static final long END = Long.MAX_VALUE;

    public StreamSlice {
        events = List.copyOf(events);
    }
}
