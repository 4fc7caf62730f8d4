package io.factum.core.serialization;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The envelope around an event: why it happened and on whose behalf. Correlation and causation ids tie
 * a command to the events it caused and to the commands those events caused in turn: every message of
 * one business transaction shares the correlation id, and each names the message that caused it.
 *
 * @param correlationId the id shared by every message of one business transaction
 * @param causationId the id of the message (command or event) that caused this one
 * @param userId who asked, if known
 * @param tenantId on whose behalf, if the application has tenants
 * @param occurredAt when the event was decided, from the application's clock
 * @param entries anything else, kept as given
 * @param effectiveAt when the event took effect in the business, if not when it was decided: a
 *     retrospective (back-dated) event, such as a price agreed last week and recorded today. Empty for
 *     an event that took effect when it occurred ({@link #effectiveTime()} is then {@code occurredAt})
 */
public record EventMetadata(
        UUID correlationId,
        UUID causationId,
        Optional<String> userId,
        Optional<String> tenantId,
        Instant occurredAt,
        Map<String, String> entries,
        Optional<Instant> effectiveAt) {

    /** The keys the envelope's own fields are stored under; entries cannot use them. */
    public static final java.util.Set<String> RESERVED_KEYS =
            java.util.Set.of("correlationId", "causationId", "userId", "tenantId", "occurredAt", "effectiveAt");

    public EventMetadata {
        java.util.Objects.requireNonNull(effectiveAt, "effectiveAt");
        entries = Map.copyOf(entries);
        for (String key : entries.keySet()) {
            if (RESERVED_KEYS.contains(key)) {
                throw new IllegalArgumentException(
                        "metadata entry '" + key + "' clashes with a field of the envelope; use another key");
            }
        }
    }

    /** An envelope of an event that took effect when it occurred. */
    public EventMetadata(
            UUID correlationId,
            UUID causationId,
            Optional<String> userId,
            Optional<String> tenantId,
            Instant occurredAt,
            Map<String, String> entries) {
        this(correlationId, causationId, userId, tenantId, occurredAt, entries, Optional.empty());
    }

    /**
     * When the event took effect in the business: {@link #effectiveAt()} for a retrospective event, else
     * {@link #occurredAt()}. Bi-temporal loads ({@code DeciderRepository.loadEffectiveAt}) filter by it.
     */
    public Instant effectiveTime() {
        return effectiveAt.orElse(occurredAt);
    }

    /** This envelope for an event that took effect at {@code instant} (a retrospective event if earlier). */
    public EventMetadata effectiveAt(Instant instant) {
        return new EventMetadata(
                correlationId, causationId, userId, tenantId, occurredAt, entries, Optional.of(instant));
    }

    /** The envelope of a message that starts a business transaction: it correlates with itself. */
    public static EventMetadata startingWith(UUID messageId, Instant occurredAt) {
        return new EventMetadata(messageId, messageId, Optional.empty(), Optional.empty(), occurredAt, Map.of());
    }

    /**
     * The envelope of a message caused by the message {@code causeId} of this envelope's transaction.
     *
     * <p>Given to a repository, the causation id is the command's id, which decides the ids of the events
     * the command appends (see {@code DeciderRepository.handle}): when one event makes a handler send
     * several commands to the same aggregate, give each command an id of its own (a name-based UUID of the
     * event id and the command's index, as {@code ProcessManager} does), not the event's id, or the second
     * is answered as a retry of the first.
     */
    public EventMetadata causedBy(UUID causeId, Instant at) {
        return new EventMetadata(correlationId, causeId, userId, tenantId, at, entries);
    }

    /** This envelope at another time. */
    public EventMetadata at(Instant instant) {
        return new EventMetadata(correlationId, causationId, userId, tenantId, instant, entries, effectiveAt);
    }

    public EventMetadata withUser(String user) {
        return new EventMetadata(
                correlationId, causationId, Optional.of(user), tenantId, occurredAt, entries, effectiveAt);
    }

    public EventMetadata withTenant(String tenant) {
        return new EventMetadata(
                correlationId, causationId, userId, Optional.of(tenant), occurredAt, entries, effectiveAt);
    }

    /** This envelope with one more entry (replacing one of the same key). */
    public EventMetadata with(String key, String value) {
        Map<String, String> more = new TreeMap<>(entries);
        more.put(key, value);
        return new EventMetadata(correlationId, causationId, userId, tenantId, occurredAt, more, effectiveAt);
    }
}
