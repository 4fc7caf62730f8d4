package io.factum.core;

import java.time.Instant;
import java.util.UUID;

/**
 * An event as the store recorded it.
 *
 * @param eventId the id given at append time, unique in the store
 * @param streamId the stream it belongs to
 * @param streamVersion its 0-based version in the stream; versions of a stream have no gaps
 * @param position its place in the global log
 * @param type the stable type name
 * @param schemaVersion the schema version given at append time
 * @param data the JSON payload
 * @param metadata the JSON metadata object
 * @param recordedAt when the store recorded it, from the store's clock
 */
public record RecordedEvent(
        UUID eventId,
        String streamId,
        long streamVersion,
        Position position,
        String type,
        int schemaVersion,
        String data,
        String metadata,
        Instant recordedAt) {

    /** The stream's category: the part of the stream id before the first {@code -}. */
    public String category() {
        return StreamIds.category(streamId);
    }
}
