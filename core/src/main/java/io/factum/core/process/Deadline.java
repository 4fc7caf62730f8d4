package io.factum.core.process;

import java.time.Instant;
import java.util.UUID;

/**
 * A durable timer: at {@code dueAt} the process manager {@code owner} is told, for its instance {@code
 * correlationId}, unless the deadline was cancelled first.
 *
 * @param id the deadline's id, derived from owner, correlation and name, so scheduling again replaces it
 * @param owner the process manager's name
 * @param correlationId the process instance
 * @param name what the deadline is for, unique within the instance (for example {@code payment-timeout})
 * @param dueAt when it fires
 * @param payload JSON the process manager attached
 */
public record Deadline(UUID id, String owner, String correlationId, String name, Instant dueAt, String payload) {

    /** The id of the deadline {@code name} of an instance: the same inputs always give the same id. */
    public static UUID idOf(String owner, String correlationId, String name) {
        return UUID.nameUUIDFromBytes(("deadline\u0000" + owner + "\u0000" + correlationId + "\u0000" + name)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
