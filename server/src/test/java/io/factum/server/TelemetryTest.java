package io.factum.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventStore;
import io.factum.core.observation.Observed;
import io.factum.http.FactumHttp;
import io.factum.http.HttpSecurity;
import io.factum.http.Role;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Factum's observations as OpenTelemetry spans, wired as the server wires them. */
class TelemetryTest {

    private static final String KEY = "telemetry-test-key-0123456789";

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final SdkTracerProvider tracerProvider = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(exporter))
            .build();
    /** Traces only: OpenTelemetrySdk.builder() also builds a meter provider, which this test does not need. */
    private final OpenTelemetry telemetry = new OpenTelemetry() {
        @Override
        public TracerProvider getTracerProvider() {
            return tracerProvider;
        }

        @Override
        public ContextPropagators getPropagators() {
            return ContextPropagators.create(W3CTraceContextPropagator.getInstance());
        }
    };

    @Test
    void an_append_over_http_is_one_trace_from_the_callers_traceparent_down_to_the_append() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ObservationRegistry observations = Telemetry.observations(meters, telemetry);
        try (EventStore store = Observed.store(EventStore.inMemory(), observations, meters)) {
            var app = FactumHttp.builder(store)
                    .security(HttpSecurity.builder().apiKey(KEY, Role.ADMIN).build())
                    .meterRegistry(meters)
                    .observations(observations)
                    .build()
                    .start("127.0.0.1", 0);
            try {
                post(app.port(), "no-stream");
                post(app.port(), "no-stream"); // a conflict: 409
            } finally {
                app.stop();
            }
        }

        List<SpanData> spans = exporter.getFinishedSpanItems();
        assertThat(spans)
                .extracting(SpanData::getName)
                .containsExactly("append order", "HTTP POST /streams/{id}", "append order", "HTTP POST /streams/{id}");
        SpanData append = spans.get(0);
        SpanData request = spans.get(1);
        assertThat(request.getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        assertThat(request.getParentSpanId()).isEqualTo("b7ad6b7169203331");
        assertThat(request.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(append.getTraceId()).isEqualTo(request.getTraceId());
        assertThat(append.getParentSpanId()).isEqualTo(request.getSpanId());
        SpanData conflict = spans.get(2);
        assertThat(conflict.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(conflict.getEvents()).extracting(e -> e.getName()).contains("exception");
        // the same observations are the timers
        assertThat(meters.get("factum.appends")
                        .tag("outcome", "conflict")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(meters.get("http.server.requests")
                        .tag("status", "409")
                        .timer()
                        .count())
                .isEqualTo(1);
    }

    private static void post(int port, String expectedVersion) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/streams/order-1"))
                                .header("X-API-Key", KEY)
                                .header("Content-Type", "application/json")
                                .header("Expected-Version", expectedVersion)
                                .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                                .POST(HttpRequest.BodyPublishers.ofString("[{\"eventId\":\"" + UUID.randomUUID()
                                        + "\",\"eventType\":\"OrderPlaced\",\"data\":{}}]"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isIn(201, 409);
    }
}
