package io.factum.core;

/** An append was malformed: no events, a bad type or schema version, JSON that does not parse. */
public final class InvalidEventException extends InvalidInputException {

    public InvalidEventException(String message) {
        super(message);
    }

    public InvalidEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
