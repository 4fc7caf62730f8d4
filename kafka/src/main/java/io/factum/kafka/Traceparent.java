package io.factum.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factum.core.RecordedEvent;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the relay takes the W3C {@code traceparent} header of a record from: the hook between the relay
 * and whatever tracing the application runs, so that this module depends on no tracing library. {@link
 * #none()} by default; {@link #fromMetadata(String)} when the application's tracing writes the trace
 * context into the events' metadata as they are appended (the trace of the command that caused the event,
 * which is what a consumer wants to continue); or a function of the application's own, for example one
 * that asks OpenTelemetry or Micrometer Tracing for the current span.
 *
 * <p>Values that are not a valid {@code traceparent} ({@code 00-<32 hex>-<16 hex>-<2 hex>}) are dropped,
 * so a broken hook cannot make records unreadable to consumers.
 */
@FunctionalInterface
public interface Traceparent {

    /**
     * The trace context to send with {@code event}, if any. Called on the relay's thread or on its read-ahead
     * thread, so it must be thread-safe.
     */
    Optional<String> of(RecordedEvent event);

    /** No {@code traceparent} header. */
    static Traceparent none() {
        return event -> Optional.empty();
    }

    /** The value of the entry {@code key} of the event's metadata (a top-level text field), if it has one. */
    static Traceparent fromMetadata(String key) {
        Objects.requireNonNull(key, "key");
        ObjectMapper json = new ObjectMapper();
        return event -> {
            try {
                JsonNode value = json.readTree(event.metadata()).path(key);
                return value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                return Optional.empty();
            }
        };
    }

    /** True for a well-formed W3C {@code traceparent} value (version 00) of a valid trace. */
    static boolean isValid(String value) {
        return io.factum.core.observation.Observed.isTraceparent(value);
    }
}
