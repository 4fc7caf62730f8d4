package io.factum.core.process;

import io.factum.core.FactumException;

/** A process manager could not handle a message (its command failed validation, its state is unreadable). */
public final class ProcessFailedException extends FactumException {

    private final String process;
    private final String instance;

    public ProcessFailedException(String process, String instance, String problem) {
        super("process " + process + " " + instance + ": " + problem);
        this.process = process;
        this.instance = instance;
    }

    /** The process manager. */
    public String process() {
        return process;
    }

    /** The instance (correlation id). */
    public String instance() {
        return instance;
    }
}
