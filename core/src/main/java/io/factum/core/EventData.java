package io.factum.core;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
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
 * @param tags labels for {@link EventQuery queries} and {@link AppendCondition append conditions} across
 *     streams ({@code course:c1}), kept sorted; empty for most events. The rules are in {@link Tags}, checked
 *     at append time
 */
public record EventData(UUID eventId, String type, int schemaVersion, String data, String metadata, Set<String> tags) {

    /** The metadata of an event that has none. */
    public static final String NO_METADATA = "{}";

    public EventData {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(metadata, "metadata");
        tags = sorted(Objects.requireNonNull(tags, "tags"));
    }

    /** An event without tags. */
    public EventData(UUID eventId, String type, int schemaVersion, String data, String metadata) {
        this(eventId, type, schemaVersion, data, metadata, Set.of());
    }

    static Set<String> sorted(Collection<String> tags) {
        return tags.isEmpty() ? Set.of() : Collections.unmodifiableSortedSet(new TreeSet<>(tags));
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
        return new EventData(eventId, type, schemaVersion, data, metadataJson, tags);
    }

    /** This event with another schema version. */
    public EventData withSchemaVersion(int version) {
        return new EventData(eventId, type, version, data, metadata, tags);
    }

    /** This event with these tags instead of its own. */
    public EventData withTags(Collection<String> newTags) {
        return new EventData(eventId, type, schemaVersion, data, metadata, sorted(newTags));
    }

    /** This event with these tags instead of its own. */
    public EventData withTags(String... newTags) {
        return withTags(List.of(newTags));
    }

    /** This event with other data (crypto-shredding encrypts it before the append). */
    public EventData withData(String newData) {
        return new EventData(eventId, type, schemaVersion, newData, metadata, tags);
    }
}
