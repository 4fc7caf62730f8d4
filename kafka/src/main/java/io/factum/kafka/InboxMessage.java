package io.factum.kafka;

import io.factum.core.Position;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A record the inbox took from Kafka, read back into the event another service published (see {@link
 * KafkaHeaders}).
 *
 * @param inbox the inbox that took it
 * @param topic the topic it came from
 * @param partition the partition it came from
 * @param offset its offset in the partition
 * @param eventId the publisher's event id: the key of deduplication
 * @param type the event's type name
 * @param schemaVersion the event's schema version (1 if the record does not say)
 * @param streamId the publisher's stream (the record's key)
 * @param streamVersion the event's version in the publisher's stream (-1 if the record does not say)
 * @param sourcePosition the event's position in the publisher's global log, if the record says
 * @param recordedAt when the publisher recorded it (the record's timestamp if the record does not say)
 * @param correlationId the correlation id of the publisher's event, if any
 * @param causationId the causation id of the publisher's event, if any
 * @param traceparent the W3C trace context the publisher sent, if any
 * @param data the event's JSON data (the record's value)
 * @param headers every header of the record, as UTF-8 text
 */
public record InboxMessage(
        String inbox,
        String topic,
        int partition,
        long offset,
        UUID eventId,
        String type,
        int schemaVersion,
        String streamId,
        long streamVersion,
        Optional<Position> sourcePosition,
        Instant recordedAt,
        Optional<UUID> correlationId,
        Optional<UUID> causationId,
        Optional<String> traceparent,
        String data,
        Map<String, String> headers) {

    public InboxMessage {
        Objects.requireNonNull(inbox, "inbox");
        Objects.requireNonNull(eventId, "eventId");
        headers = Map.copyOf(headers);
    }

    /**
     * The id of the command this message becomes in this inbox: the same on every delivery of the event (a
     * name-based UUID of the inbox and the event id), so a command bus and its repositories recognise a
     * redelivery by it, atomically with the command's own events (the command's id decides their ids). Two
     * inboxes that take the same event get different ids.
     */
    public UUID commandId() {
        return UUID.nameUUIDFromBytes(
                ("factum-inbox\u0000" + inbox + "\u0000" + eventId).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * An event id for the {@code index}-th (0-based) event a handler writes for this message, the same on
     * every delivery: a handler that appends with these ids is deduplicated by the store's idempotent
     * append, atomically with what it writes.
     */
    public UUID eventIdFor(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("index must be 0 or more, got " + index);
        }
        return UUID.nameUUIDFromBytes(("factum-inbox\u0000" + inbox + "\u0000" + eventId + "\u0000" + index)
                .getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads a record's parts into a message.
     *
     * @throws PoisonRecordException if the record is not one the relay published: no or a bad event id, no
     *     type, no key or value
     */
    static InboxMessage read(
            String inbox,
            String topic,
            int partition,
            long offset,
            byte[] key,
            byte[] value,
            long timestamp,
            Map<String, String> headers) {
        String where = topic + "-" + partition + "@" + offset;
        if (key == null || value == null) {
            throw new PoisonRecordException(
                    "record " + where + " has no " + (key == null ? "key (the stream id)" : "value (the event data)"));
        }
        String id = headers.get(KafkaHeaders.EVENT_ID);
        if (id == null) {
            throw new PoisonRecordException("record " + where + " has no header " + KafkaHeaders.EVENT_ID);
        }
        UUID eventId = uuid(id, KafkaHeaders.EVENT_ID, where)
                .orElseThrow(() -> new PoisonRecordException(
                        "record " + where + ": header " + KafkaHeaders.EVENT_ID + " must be a UUID, got '" + id + "'"));
        String type = headers.get(KafkaHeaders.EVENT_TYPE);
        if (type == null || type.isBlank()) {
            throw new PoisonRecordException("record " + where + " has no header " + KafkaHeaders.EVENT_TYPE);
        }
        return new InboxMessage(
                inbox,
                topic,
                partition,
                offset,
                eventId,
                type,
                number(headers.get(KafkaHeaders.SCHEMA_VERSION), 1L, where).intValue(),
                new String(key, StandardCharsets.UTF_8),
                number(headers.get(KafkaHeaders.STREAM_VERSION), -1L, where),
                Optional.ofNullable(headers.get(KafkaHeaders.POSITION)).flatMap(InboxMessage::position),
                Optional.ofNullable(headers.get(KafkaHeaders.RECORDED_AT))
                        .flatMap(InboxMessage::instant)
                        .orElse(Instant.ofEpochMilli(timestamp)),
                Optional.ofNullable(headers.get(KafkaHeaders.CORRELATION_ID)).flatMap(v -> uuid(v, "", where)),
                Optional.ofNullable(headers.get(KafkaHeaders.CAUSATION_ID)).flatMap(v -> uuid(v, "", where)),
                Optional.ofNullable(headers.get(KafkaHeaders.TRACEPARENT)).filter(Traceparent::isValid),
                new String(value, StandardCharsets.UTF_8),
                new HashMap<>(headers));
    }

    private static Optional<UUID> uuid(String text, String header, String where) {
        try {
            return Optional.of(UUID.fromString(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Long number(String text, long absent, String where) {
        if (text == null) {
            return absent;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new PoisonRecordException(
                    "record " + where + ": a version header must be a number, got '" + text + "'");
        }
    }

    private static Optional<Position> position(String text) {
        try {
            return Optional.of(Position.parse(text));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<Instant> instant(String text) {
        try {
            return Optional.of(Instant.parse(text));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
