package io.factum.core;

import java.util.Objects;
import java.util.UUID;

/**
 * An event to append, before the store gives it a version and a position.
 *
 * <p>The event id makes appends idempotent: appending the same ids at the same place again returns the
 * original result instead of writing twice. Generate it once, where the event is decided, and keep it
 * across retries.
 *
 * @param eventId unique in the whole store, for ever
 * @param type the stable type name (not a class name), 1-200 characters
 * @param schemaVersion the version of the event's schema, 1 or more, for upcasting old events on read
 * @param data the event's payload as a JSON document
 * @param metadata a JSON object: correlation id, causation id, user, and anything else
 */
public record EventData(UUID eventId, String type, int schemaVersion, String data, String metadata) {

    /** The metadata of an event that has none. */
    public static final String NO_METADATA = "{}";

    public EventData {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(metadata, "metadata");
    }

    /** An event with a random id, schema version 1 and no metadata. */
    public static EventData of(String type, String data) {
        return new EventData(UUID.randomUUID(), type, 1, data, NO_METADATA);
    }

    /** An event with the given id, schema version 1 and no metadata. */
    public static EventData of(UUID eventId, String type, String data) {
        return new EventData(eventId, type, 1, data, NO_METADATA);
    }

    /** This event with other metadata. */
    public EventData withMetadata(String metadataJson) {
        return new EventData(eventId, type, schemaVersion, data, metadataJson);
    }

    /** This event with another schema version. */
    public EventData withSchemaVersion(int version) {
        return new EventData(eventId, type, version, data, metadata);
    }
}
