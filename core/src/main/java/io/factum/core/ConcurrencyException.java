package io.factum.core;

/**
 * An append lost a race or repeated event ids at another place. Reload, decide again and retry; an HTTP
 * layer maps it to 409.
 */
public abstract class ConcurrencyException extends FactumException {

    private final String streamId;

    protected ConcurrencyException(String streamId, String message) {
        super(message);
        this.streamId = streamId;
    }

    /** The stream the failed write was for. */
    public String streamId() {
        return streamId;
    }
}
