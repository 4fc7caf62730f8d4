package io.factum.core;

/** An operation needed an existing stream and there is none (or it is soft-deleted). HTTP: 404. */
public final class StreamNotFoundException extends FactumException {

    private final String streamId;

    public StreamNotFoundException(String streamId) {
        super("stream " + streamId + " does not exist");
        this.streamId = streamId;
    }

    /** The missing stream. */
    public String streamId() {
        return streamId;
    }
}
