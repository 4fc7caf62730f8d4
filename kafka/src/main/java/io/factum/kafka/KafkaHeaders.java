package io.factum.kafka;

/**
 * The headers of a record the relay publishes, all UTF-8 text. The key is the event's stream id and the
 * value its JSON data; the rest of the event travels here, so a consumer needs no Factum to read it. The
 * inbox reads them back into an {@link InboxMessage}.
 */
public final class KafkaHeaders {

    private KafkaHeaders() {}

    /** The event's id (a UUID): the key of the inbox's deduplication. */
    public static final String EVENT_ID = "factum-event-id";

    /** The event's type name. */
    public static final String EVENT_TYPE = "factum-event-type";

    /** The event's schema version, a decimal number. */
    public static final String SCHEMA_VERSION = "factum-schema-version";

    /** The event's 0-based version in its stream, a decimal number. */
    public static final String STREAM_VERSION = "factum-stream-version";

    /** The event's position in the publishing store's global log ({@code <tx>/<position>}). */
    public static final String POSITION = "factum-position";

    /** When the publishing store recorded the event (ISO-8601). */
    public static final String RECORDED_AT = "factum-recorded-at";

    /** The correlation id of the event's metadata, if it has one. */
    public static final String CORRELATION_ID = "factum-correlation-id";

    /** The causation id of the event's metadata, if it has one. */
    public static final String CAUSATION_ID = "factum-causation-id";

    /** The W3C trace context of the event ({@code 00-<trace id>-<span id>-<flags>}), when tracing is on. */
    public static final String TRACEPARENT = "traceparent";
}
