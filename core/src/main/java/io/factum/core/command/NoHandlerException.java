package io.factum.core.command;

import io.factum.core.FactumException;

/** A command was sent for which the bus has no handler: a wiring mistake of the application. */
public final class NoHandlerException extends FactumException {

    private final Class<?> commandType;

    public NoHandlerException(Class<?> commandType, String message) {
        super(message);
        this.commandType = commandType;
    }

    public Class<?> commandType() {
        return commandType;
    }
}
