package io.factum.core;

/** An {@link EventQuery} was malformed: no items, or an item that names neither types nor tags. HTTP: 400. */
public final class InvalidQueryException extends InvalidInputException {

    public InvalidQueryException(String message) {
        super(message);
    }
}
