package io.factum.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.RecordedEvent;
import io.factum.core.command.CommandBus;
import io.factum.core.command.CommandContext;
import io.factum.core.command.CommandResult;
import io.factum.core.observation.Observed;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.serialization.EventTypes;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelBaggageManager;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The trace of a command reaches the records of its events: the command runs in an observation that
 * micrometer-tracing's OpenTelemetry bridge makes a span, {@link Observed#traceContext} writes that span's
 * context into the events' metadata, and the relay's {@link Traceparent#fromMetadata} hook reads it back
 * for the record's {@code traceparent} header.
 */
class TraceContextTest {

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final SdkTracerProvider tracing = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(spans))
            .build();
    private final OpenTelemetrySdk openTelemetry =
            OpenTelemetrySdk.builder().setTracerProvider(tracing).build();
    private final EventStore store = EventStore.inMemory();
    private final EventSerializer serializer = EventSerializer.of(
            EventTypes.builder().register(Shipped.class, "Shipped").build());

    record Ship(String orderId) {}

    record Shipped(String orderId) {}

    @AfterEach
    void close() {
        store.close();
        openTelemetry.close();
    }

    private ObservationRegistry tracedRegistry() {
        OtelCurrentTraceContext current = new OtelCurrentTraceContext();
        OtelTracer tracer = new OtelTracer(
                openTelemetry.getTracer("test"),
                current,
                event -> {},
                new OtelBaggageManager(current, List.of(), List.of()));
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new DefaultTracingObservationHandler(tracer));
        return registry;
    }

    @Test
    void the_records_of_a_command_s_events_carry_the_command_s_span_as_their_traceparent() {
        CommandBus bus = CommandBus.builder()
                .use(Observed.commands(tracedRegistry()))
                .use(Observed.traceContext(OpenTelemetryTraceparent::current))
                .handle(Ship.class, (command, context) -> {
                    var event = serializer.serialize(
                            new Shipped(command.orderId()), UUID.randomUUID(), context.eventMetadata(Instant.now()));
                    store.append("order-" + command.orderId(), ExpectedVersion.any(), event);
                    return "shipped";
                })
                .build();

        CommandResult result = bus.send(new Ship("7"), CommandContext.create());

        assertThat(result).isInstanceOf(CommandResult.Completed.class);
        SpanData command = spans.getFinishedSpanItems().stream()
                .filter(span -> span.getName().equals("command Ship"))
                .findFirst()
                .orElseThrow();
        RecordedEvent recorded = store.readStream("order-7", io.factum.core.ReadDirection.FORWARD, 0, 1)
                .events()
                .get(0);
        String expected = "00-" + command.getTraceId() + "-" + command.getSpanId() + "-"
                + command.getSpanContext().getTraceFlags().asHex();
        assertThat(serializer.readMetadata(recorded).entries()).containsEntry(Observed.TRACEPARENT, expected);
        assertThat(Traceparent.fromMetadata(Observed.TRACEPARENT).of(recorded)).contains(expected);
        assertThat(new RelayProducer.RecordMapper(event -> "orders", Traceparent.fromMetadata(Observed.TRACEPARENT))
                        .record(recorded)
                        .headers()
                        .lastHeader(KafkaHeaders.TRACEPARENT)
                        .value())
                .asString()
                .isEqualTo(expected);
    }

    @Test
    void without_a_current_span_nothing_is_written() {
        CommandBus bus = CommandBus.builder()
                .use(Observed.traceContext(OpenTelemetryTraceparent::current))
                .handle(Ship.class, (command, context) -> {
                    var event = serializer.serialize(
                            new Shipped(command.orderId()), UUID.randomUUID(), context.eventMetadata(Instant.now()));
                    store.append("order-" + command.orderId(), ExpectedVersion.any(), event);
                    return "shipped";
                })
                .build();

        bus.send(new Ship("8"), CommandContext.create());

        RecordedEvent recorded = store.readStream("order-8", io.factum.core.ReadDirection.FORWARD, 0, 1)
                .events()
                .get(0);
        assertThat(serializer.readMetadata(recorded).entries()).doesNotContainKey(Observed.TRACEPARENT);
        assertThat(Traceparent.fromMetadata(Observed.TRACEPARENT).of(recorded)).isEmpty();
    }
}
