package io.factum.core;

import java.util.List;

/**
 * One page of a read of the global log.
 *
 * @param direction the direction of the read
 * @param events the events, in the direction of the read; at most the requested count
 * @param next the checkpoint to read the next page from (exclusive), in the same direction
 * @param endOfLog true if the read reached the end of what is visible now (forward) or the start of the
 *     log (backward)
 */
public record AllSlice(ReadDirection direction, List<RecordedEvent> events, Position next, boolean endOfLog) {

    public AllSlice {
        events = List.copyOf(events);
    }
}
