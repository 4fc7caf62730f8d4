package io.factum.core.command;

import io.factum.core.ExpectedVersion;
import io.factum.core.serialization.EventMetadata;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Who sent a command and why: its id (the key of deduplication: a retry carries the same id, and the id
 * decides the ids of the events the command appends), the correlation id of the business transaction, the
 * id of the message that caused it, the user and tenant, and the aggregate version the sender decided on.
 *
 * @param commandId this command's id
 * @param correlationId the id shared by every message of the business transaction
 * @param causationId the message that caused this command (itself, if a person sent it)
 * @param userId who sent it, if known
 * @param tenantId on whose behalf
 * @param entries anything else, copied into the events' metadata
 * @param expectedVersion the version of the target aggregate the sender saw (an HTTP {@code If-Match}):
 *     the command is decided only at that version and never retried on a conflict; empty to decide on
 *     whatever the current version is
 * @param effectiveAt when the events of this command take effect in the business, if earlier (or later)
 *     than when they are decided: a retrospective command, such as a price agreed last week entered today;
 *     copied into the events' metadata ({@link EventMetadata#effectiveAt()})
 */
public record CommandContext(
        UUID commandId,
        UUID correlationId,
        UUID causationId,
        Optional<String> userId,
        Optional<String> tenantId,
        Map<String, String> entries,
        Optional<ExpectedVersion> expectedVersion,
        Optional<Instant> effectiveAt) {

    public CommandContext {
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(expectedVersion, "expectedVersion");
        Objects.requireNonNull(effectiveAt, "effectiveAt");
        Objects.requireNonNull(correlationId, "correlationId");
        Objects.requireNonNull(causationId, "causationId");
        entries = Map.copyOf(entries);
    }

    /** A context without an expected version. */
    public CommandContext(
            UUID commandId,
            UUID correlationId,
            UUID causationId,
            Optional<String> userId,
            Optional<String> tenantId,
            Map<String, String> entries) {
        this(commandId, correlationId, causationId, userId, tenantId, entries, Optional.empty(), Optional.empty());
    }

    /** A context that takes effect when it is decided. */
    public CommandContext(
            UUID commandId,
            UUID correlationId,
            UUID causationId,
            Optional<String> userId,
            Optional<String> tenantId,
            Map<String, String> entries,
            Optional<ExpectedVersion> expectedVersion) {
        this(commandId, correlationId, causationId, userId, tenantId, entries, expectedVersion, Optional.empty());
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
        return new CommandContext(
                commandId,
                correlationId,
                causationId,
                Optional.of(user),
                tenantId,
                entries,
                expectedVersion,
                effectiveAt);
    }

    public CommandContext withTenant(String tenant) {
        return new CommandContext(
                commandId,
                correlationId,
                causationId,
                userId,
                Optional.of(tenant),
                entries,
                expectedVersion,
                effectiveAt);
    }

    /**
     * This context for a sender that decided on version {@code version} of the target aggregate (an HTTP
     * {@code If-Match}), {@code -1} for one that expects the aggregate not to exist yet.
     */
    public CommandContext withExpectedVersion(long version) {
        return withExpectedVersion(
                version == ExpectedVersion.NO_STREAM_VERSION
                        ? ExpectedVersion.noStream()
                        : ExpectedVersion.exactly(version));
    }

    /** This context with the aggregate version its sender decided on. */
    public CommandContext withExpectedVersion(ExpectedVersion expected) {
        return new CommandContext(
                commandId, correlationId, causationId, userId, tenantId, entries, Optional.of(expected), effectiveAt);
    }

    /**
     * This context for a command whose events take effect at {@code instant} in the business, not when they
     * are decided: a retrospective command. Its events keep when they were decided and recorded too, so a
     * load can answer both "as recorded at" and "as effective at" ({@code DeciderRepository.loadAsOf}).
     */
    public CommandContext withEffectiveAt(Instant instant) {
        return new CommandContext(
                commandId,
                correlationId,
                causationId,
                userId,
                tenantId,
                entries,
                expectedVersion,
                Optional.of(Objects.requireNonNull(instant, "instant")));
    }

    /** This context with one more entry for the events' metadata (replacing one of the same key). */
    public CommandContext withEntry(String key, String value) {
        Map<String, String> more = new java.util.TreeMap<>(entries);
        more.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return new CommandContext(
                commandId, correlationId, causationId, userId, tenantId, more, expectedVersion, effectiveAt);
    }

    /** The metadata of the events this command causes: same correlation, caused by this command. */
    public EventMetadata eventMetadata(Instant occurredAt) {
        return new EventMetadata(correlationId, commandId, userId, tenantId, occurredAt, entries, effectiveAt);
    }
}
