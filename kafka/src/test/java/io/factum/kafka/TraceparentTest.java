package io.factum.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TraceparentTest {

    static RecordedEvent withMetadata(String metadata) {
        return new RecordedEvent(
                UUID.randomUUID(), "order-1", 0, Position.of(1), "OrderPlaced", 1, "{}", metadata, Instant.EPOCH);
    }

    @Test
    void reads_the_trace_context_from_the_events_metadata_and_drops_what_is_not_one() {
        Traceparent hook = Traceparent.fromMetadata("traceparent");
        String valid = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        assertThat(hook.of(withMetadata("{\"traceparent\":\"" + valid + "\"}"))).contains(valid);
        assertThat(hook.of(withMetadata("{}"))).isEmpty();
        assertThat(Traceparent.isValid("00-00000000000000000000000000000000-b7ad6b7169203331-01"))
                .isFalse();
        assertThat(Traceparent.isValid("not a trace")).isFalse();
    }

    @Test
    @SuppressWarnings("try") // the scope is only opened and closed: the span is current inside it
    void gives_opentelemetrys_current_span_as_a_w3c_traceparent() {
        assertThat(OpenTelemetryTraceparent.current()).isEmpty();
        SpanContext context = SpanContext.create(
                "0af7651916cd43dd8448eb211c80319c",
                "b7ad6b7169203331",
                TraceFlags.getSampled(),
                TraceState.getDefault());
        try (Scope ignored = Span.wrap(context).makeCurrent()) {
            assertThat(OpenTelemetryTraceparent.current())
                    .contains("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
            assertThat(OpenTelemetryTraceparent.ofRelayThread().of(withMetadata("{}")))
                    .contains("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        }
    }
}
