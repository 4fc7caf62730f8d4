package io.factum.core;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;
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
 * @param tags the tags given at append time, sorted; empty if it has none
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
        Instant recordedAt,
        Set<String> tags) {

    public RecordedEvent {
        tags = EventData.sorted(Objects.requireNonNull(tags, "tags"));
    }

    /** An event without tags. */
    public RecordedEvent(
            UUID eventId,
            String streamId,
            long streamVersion,
            Position position,
            String type,
            int schemaVersion,
            String data,
            String metadata,
            Instant recordedAt) {
        this(eventId, streamId, streamVersion, position, type, schemaVersion, data, metadata, recordedAt, Set.of());
    }

    /** This event with other data (a reader that decrypts personal data puts the plain text in). */
    public RecordedEvent withData(String newData) {
        return new RecordedEvent(
                eventId, streamId, streamVersion, position, type, schemaVersion, newData, metadata, recordedAt, tags);
    }

    /** The stream's category: the part of the stream id before the first {@code -}. */
    public String category() {
        return StreamIds.category(streamId);
    }
}
