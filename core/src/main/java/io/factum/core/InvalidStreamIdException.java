package io.factum.core;

/** A stream id broke the rules in {@link StreamIds}. */
public final class InvalidStreamIdException extends InvalidInputException {

    private final String streamId;

    public InvalidStreamIdException(String streamId, String message) {
        super(message);
        this.streamId = streamId;
    }

    /** The rejected id. */
    public String streamId() {
        return streamId;
    }
}
