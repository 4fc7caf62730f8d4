package io.factum.core;

/** The root of Factum's exceptions; all are unchecked and carry their data as fields. */
public abstract class FactumException extends RuntimeException {

    protected FactumException(String message) {
        super(message);
    }

    protected FactumException(String message, Throwable cause) {
        super(message, cause);
    }
}
