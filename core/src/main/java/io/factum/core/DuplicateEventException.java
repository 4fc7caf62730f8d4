package io.factum.core;

import java.util.UUID;

/**
 * An append carried an event id that the store already holds, and not as a retry of the very same append
 * at the same place (same stream, same versions, same order, all of the ids). Nothing was written.
 */
public final class DuplicateEventException extends ConcurrencyException {

    private final UUID eventId;
    private final String existingStreamId;
    private final long existingVersion;

    public DuplicateEventException(String streamId, UUID eventId, String existingStreamId, long existingVersion) {
        super(
                streamId,
                "stream " + streamId + ": event " + eventId + " is already stored as version " + existingVersion
                        + " of stream " + existingStreamId
                        + "; a retry must repeat the whole original append at the same place, new events need new ids");
        this.eventId = eventId;
        this.existingStreamId = existingStreamId;
        this.existingVersion = existingVersion;
    }

    /**
     * The id is stored at the very place of the append, but with other content: not a retry.
     *
     * @param difference what differs, e.g. {@code "type OrderPlaced, not OrderCancelled"} or {@code "other
     *     data"}
     */
    public DuplicateEventException(
            String streamId, UUID eventId, String existingStreamId, long existingVersion, String difference) {
        super(
                streamId,
                "stream " + streamId + ": event " + eventId + " is already stored as version " + existingVersion
                        + " of stream " + existingStreamId + " with " + difference
                        + "; a retry must repeat the original events unchanged, new events need new ids");
        this.eventId = eventId;
        this.existingStreamId = existingStreamId;
        this.existingVersion = existingVersion;
    }

    /** The id that is already stored. */
    public UUID eventId() {
        return eventId;
    }

    /** The stream that holds it. */
    public String existingStreamId() {
        return existingStreamId;
    }

    /** Its version in that stream. */
    public long existingVersion() {
        return existingVersion;
    }
}
