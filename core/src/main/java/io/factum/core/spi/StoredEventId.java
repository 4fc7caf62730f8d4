package io.factum.core.spi;

import io.factum.core.Position;
import java.util.UUID;

/**
 * Where an event id is already stored: what a store looks up to decide whether an append is a retry.
 *
 * @param eventId the id
 * @param streamId the stream holding it
 * @param streamVersion its version there
 * @param position its global position
 */
public record StoredEventId(UUID eventId, String streamId, long streamVersion, Position position) {}
