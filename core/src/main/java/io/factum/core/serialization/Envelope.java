package io.factum.core.serialization;

import io.factum.core.Position;
import java.time.Instant;
import java.util.UUID;

/**
 * A stored event read back as the user's type, with where it is stored and its metadata.
 *
 * @param event the event, upcast to the current schema
 * @param eventId the stored event's id (shared by every event an upcaster split it into)
 * @param streamId its stream
 * @param streamVersion its version in the stream
 * @param position its place in the global log
 * @param type its type name, after upcasting
 * @param recordedAt when the store recorded it
 * @param metadata its envelope
 * @param <E> the event type
 */
public record Envelope<E>(
        E event,
        UUID eventId,
        String streamId,
        long streamVersion,
        Position position,
        String type,
        Instant recordedAt,
        EventMetadata metadata) {}
