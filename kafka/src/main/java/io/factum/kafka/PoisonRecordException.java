package io.factum.kafka;

/**
 * A record the inbox can never handle: it is not one a Factum relay published (no event id, no type), or a
 * handler says so (a command the bus finds invalid or forbidden, a payload it cannot read). The inbox parks
 * it at once, without retries, and goes on with the partition; the admin pages show it.
 */
public class PoisonRecordException extends RuntimeException {

    /** @param message why the record cannot be handled */
    public PoisonRecordException(String message) {
        super(message);
    }

    /** @param message why the record cannot be handled */
    public PoisonRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
