package io.factum.core;

/** A request was malformed: nothing was read or written. The message says what was expected. HTTP: 400. */
public abstract class InvalidInputException extends FactumException {

    protected InvalidInputException(String message) {
        super(message);
    }

    protected InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
