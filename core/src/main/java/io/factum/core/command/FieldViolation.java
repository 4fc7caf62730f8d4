package io.factum.core.command;

/**
 * One field of a command that is not valid.
 *
 * @param field the field's name, as the client sent it
 * @param message what is wrong and what was expected ("must be more than 0, got -5")
 */
public record FieldViolation(String field, String message) {

    @Override
    public String toString() {
        return field + " " + message;
    }
}
