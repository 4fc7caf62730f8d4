package io.factum.core;

/** The stream is tombstoned (hard-deleted): it can never be read or appended to again. HTTP: 410. */
public final class StreamDeletedException extends FactumException {

    private final String streamId;

    public StreamDeletedException(String streamId) {
        super("stream " + streamId + " is tombstoned (hard-deleted): it cannot be read or written again");
        this.streamId = streamId;
    }

    /** The tombstoned stream. */
    public String streamId() {
        return streamId;
    }
}
