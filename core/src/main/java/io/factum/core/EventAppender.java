package io.factum.core;

import java.util.List;

/** The capability to append events to streams. Implementations are thread-safe. */
public interface EventAppender {

    /**
     * Appends events to the end of a stream, all or nothing, if the stream is at the expected version.
     *
     * <p>The events get consecutive stream versions following the stream's last version, and global
     * positions after every event already visible to readers. Appending again the same event ids at the
     * same place (a retry) writes nothing and returns the original result, for ever.
     *
     * @return the stream's new version and the global position of the last event
     * @throws WrongExpectedVersionException if the stream is not at the expected version
     * @throws DuplicateEventException if an event id is already stored, other than as a full retry
     * @throws StreamDeletedException if the stream is tombstoned
     * @throws InvalidStreamIdException if the stream id breaks the rules of {@link StreamIds}
     * @throws InvalidEventException if the list is empty or too long, or an event is malformed
     * @throws EventTooLargeException if an event is larger than the store's limit
     * @throws StoreException if the storage fails; the append may or may not have happened, so retry it
     */
    AppendResult append(String streamId, ExpectedVersion expected, List<EventData> events);

    /** Appends one or more events; see {@link #append(String, ExpectedVersion, List)}. */
    default AppendResult append(String streamId, ExpectedVersion expected, EventData... events) {
        return append(streamId, expected, List.of(events));
    }
}
