package io.factum.core;

import java.util.UUID;

/** An event is larger than {@link StoreLimits#maxEventBytes()}. Nothing was written. HTTP: 413. */
public final class EventTooLargeException extends InvalidInputException {

    private final UUID eventId;
    private final long sizeBytes;
    private final int limitBytes;

    public EventTooLargeException(UUID eventId, long sizeBytes, int limitBytes) {
        super("event " + eventId + " is " + sizeBytes + " bytes, more than the limit of " + limitBytes
                + " bytes (type, data and metadata as UTF-8); store large payloads elsewhere and reference them");
        this.eventId = eventId;
        this.sizeBytes = sizeBytes;
        this.limitBytes = limitBytes;
    }

    public UUID eventId() {
        return eventId;
    }

    public long sizeBytes() {
        return sizeBytes;
    }

    public int limitBytes() {
        return limitBytes;
    }
}
