package io.factum.server;

/** The flags or environment variables do not make a server; the message says which and how to fix it. */
final class ServerUsageException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    ServerUsageException(String message) {
        super(message);
    }
}
