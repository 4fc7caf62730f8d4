package io.factum.core.command;

import io.factum.core.serialization.EventMetadata;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Who sent a command and why: its id (the key of deduplication: a retry carries the same id), the
 * correlation id of the business transaction, the id of the message that caused it, the user and tenant.
 *
 * @param commandId this command's id
 * @param correlationId the id shared by every message of the business transaction
 * @param causationId the message that caused this command (itself, if a person sent it)
 * @param userId who sent it, if known
 * @param tenantId on whose behalf
 * @param entries anything else, copied into the events' metadata
 */
public record CommandContext(
        UUID commandId,
        UUID correlationId,
        UUID causationId,
        Optional<String> userId,
        Optional<String> tenantId,
        Map<String, String> entries) {

    public CommandContext {
        entries = Map.copyOf(entries);
    }

    /** The context of a command a person or client sent: it starts a business transaction. */
    public static CommandContext of(UUID commandId) {
        return new CommandContext(commandId, commandId, commandId, Optional.empty(), Optional.empty(), Map.of());
    }

    /** A context with a new random command id. */
    public static CommandContext create() {
        return of(UUID.randomUUID());
    }

    /**
     * The context of a command that an event (or another message) caused, for example sent by a process
     * manager: same correlation, caused by {@code messageId}, same user and tenant.
     */
    public static CommandContext causedBy(EventMetadata cause, UUID messageId, UUID commandId) {
        return new CommandContext(
                commandId, cause.correlationId(), messageId, cause.userId(), cause.tenantId(), cause.entries());
    }

    public CommandContext withUser(String user) {
        return new CommandContext(commandId, correlationId, causationId, Optional.of(user), tenantId, entries);
    }

    public CommandContext withTenant(String tenant) {
        return new CommandContext(commandId, correlationId, causationId, userId, Optional.of(tenant), entries);
    }

    /** The metadata of the events this command causes: same correlation, caused by this command. */
    public EventMetadata eventMetadata(Instant occurredAt) {
        return new EventMetadata(correlationId, commandId, userId, tenantId, occurredAt, entries);
    }
}
