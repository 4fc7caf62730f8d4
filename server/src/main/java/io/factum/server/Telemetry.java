package io.factum.server;

import io.factum.core.observation.Observed;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelBaggageManager;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import java.util.List;

/**
 * The server's observation registry: every observation of Factum's (requests, commands, appends) is a timer
 * in the meter registry and, with OpenTelemetry, a span, through micrometer-tracing's OpenTelemetry bridge.
 * A request's span is a child of the caller's W3C {@code traceparent}, and an append's a child of its
 * request's.
 */
final class Telemetry {

    private Telemetry() {}

    /** Timers in {@code meters} and spans in {@code openTelemetry} (pass {@code null} for timers only). */
    static ObservationRegistry observations(
            MeterRegistry meters, @org.jspecify.annotations.Nullable OpenTelemetry openTelemetry) {
        ObservationRegistry registry = Observed.withMetrics(meters);
        if (openTelemetry == null) {
            return registry;
        }
        Tracer spans = openTelemetry.getTracer("io.factum");
        OtelCurrentTraceContext current = new OtelCurrentTraceContext();
        OtelTracer tracer =
                new OtelTracer(spans, current, event -> {}, new OtelBaggageManager(current, List.of(), List.of()));
        OtelPropagator propagator = new OtelPropagator(openTelemetry.getPropagators(), spans);
        registry.observationConfig()
                .observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
                        new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
                        new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
                        new DefaultTracingObservationHandler(tracer)));
        return registry;
    }
}
