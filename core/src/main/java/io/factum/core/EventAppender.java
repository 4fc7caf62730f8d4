package io.factum.core;

import java.util.List;

/**
 * The capability to append events to streams: to one stream, to several at once (all or nothing), and with
 * an {@link AppendCondition} over events of any stream (a dynamic consistency boundary). Implementations are
 * thread-safe.
 */
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

    /**
     * Appends events to several streams at once, all or nothing, each part if its stream is at its expected
     * version, and only if the condition holds. The check of every expected version and of the condition
     * and the write are one atomic step: no other append comes between them.
     *
     * <p>The parts' events get consecutive versions in their streams and global positions after every event
     * visible to readers. Appending again the same event ids (a retry of the whole append) writes nothing
     * and returns the original results, for ever, even if the condition would fail now (the retried events
     * may match it themselves).
     *
     * @param appends one part per stream, at least one; a stream may appear only once
     * @param condition {@link AppendCondition#none()} or the condition the decision depends on
     * @return the result of each part, in order
     * @throws WrongExpectedVersionException if a stream is not at its expected version (nothing is written)
     * @throws AppendConditionFailedException if an event matching the condition's query was appended after
     *     its position (nothing is written)
     * @throws DuplicateEventException if an event id is already stored, other than as a full retry
     * @throws StreamDeletedException if a stream is tombstoned
     * @throws InvalidStreamIdException if a stream id breaks the rules of {@link StreamIds}
     * @throws InvalidEventException if the list is empty, a stream appears twice, a part is empty, there are
     *     more events than the store takes in one append, or an event is malformed
     * @throws InvalidTagException if a tag breaks the rules of {@link Tags}
     * @throws EventTooLargeException if an event is larger than the store's limit
     * @throws StoreException if the storage fails; the append may or may not have happened, so retry it
     */
    AppendResults append(List<StreamAppend> appends, AppendCondition condition);

    /** Appends to several streams at once, all or nothing; see {@link #append(List, AppendCondition)}. */
    default AppendResults append(List<StreamAppend> appends) {
        return append(appends, AppendCondition.none());
    }

    /**
     * Appends to one stream if it is at the expected version and the condition holds; see {@link
     * #append(List, AppendCondition)}.
     */
    default AppendResult append(
            String streamId, ExpectedVersion expected, List<EventData> events, AppendCondition condition) {
        return append(List.of(new StreamAppend(streamId, expected, events)), condition)
                .results()
                .get(0);
    }
}
