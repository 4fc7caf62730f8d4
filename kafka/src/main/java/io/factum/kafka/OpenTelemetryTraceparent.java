package io.factum.kafka;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.util.Optional;

/**
 * The W3C {@code traceparent} of OpenTelemetry's current span. Needs {@code io.opentelemetry:opentelemetry-api}
 * on the class path (an optional dependency of this module: applications that trace have it, like Factum's
 * http module); nothing else of this module loads it.
 *
 * <p>Where to call it: on the appending side, to keep the trace of the command in the events' metadata
 * ({@code metadata.with("traceparent", ...)}), which the relay then sends with {@link
 * Traceparent#fromMetadata(String)}; or as the relay's hook ({@link #ofRelayThread()}) when something makes a
 * span current on the relay's thread.
 */
public final class OpenTelemetryTraceparent {

    private OpenTelemetryTraceparent() {}

    /** The current span's trace context, if a valid span is current. */
    public static Optional<String> current() {
        SpanContext context = Span.current().getSpanContext();
        if (!context.isValid()) {
            return Optional.empty();
        }
        return Optional.of("00-" + context.getTraceId() + "-" + context.getSpanId() + "-"
                + context.getTraceFlags().asHex());
    }

    /**
     * A relay hook that sends the span current on the thread that makes the record, if any: the relay's, or its
     * read-ahead thread's when the record is made ahead ({@link KafkaRelay.Builder#readAhead}).
     */
    public static Traceparent ofRelayThread() {
        return event -> current();
    }
}
