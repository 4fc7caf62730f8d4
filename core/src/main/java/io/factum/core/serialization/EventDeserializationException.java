package io.factum.core.serialization;

import io.factum.core.FactumException;

/**
 * A stored event could not be read as a user type: its type is unknown, its schema version is newer than
 * the code, or its data does not fit the class. Never skipped silently: a projection or aggregate that
 * skipped it would be wrong without anyone noticing.
 */
public final class EventDeserializationException extends FactumException {

    private final String streamId;
    private final long streamVersion;
    private final String type;

    public EventDeserializationException(String streamId, long streamVersion, String type, String reason) {
        super(message(streamId, streamVersion, type, reason));
        this.streamId = streamId;
        this.streamVersion = streamVersion;
        this.type = type;
    }

    public EventDeserializationException(
            String streamId, long streamVersion, String type, String reason, Throwable cause) {
        super(message(streamId, streamVersion, type, reason), cause);
        this.streamId = streamId;
        this.streamVersion = streamVersion;
        this.type = type;
    }

    private static String message(String streamId, long streamVersion, String type, String reason) {
        return "cannot read event " + type + " at version " + streamVersion + " of stream " + streamId + ": " + reason;
    }

    public String streamId() {
        return streamId;
    }

    public long streamVersion() {
        return streamVersion;
    }

    public String type() {
        return type;
    }
}
