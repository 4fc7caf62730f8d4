package io.factum.core;

/** A tag of an event or of a query broke the rules in {@link Tags}. Nothing was read or written. HTTP: 400. */
public final class InvalidTagException extends InvalidInputException {

    private final String tag;

    public InvalidTagException(String tag, String message) {
        super(message);
        this.tag = tag;
    }

    /** The rejected tag (empty when the number of tags was the problem). */
    public String tag() {
        return tag;
    }
}
