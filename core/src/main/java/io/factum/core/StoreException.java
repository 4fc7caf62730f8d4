package io.factum.core;

/**
 * The store's storage failed (I/O, a lost connection, a closed store). The operation may or may not have
 * taken effect; appends are safe to retry with the same event ids.
 */
public final class StoreException extends FactumException {

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
