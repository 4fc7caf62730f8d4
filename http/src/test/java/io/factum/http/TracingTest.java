package io.factum.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.command.CommandContext;
import io.factum.core.command.CommandResult;
import io.factum.core.command.Middleware;
import io.factum.core.subscription.EventHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TracingTest {

    private static final AttributeKey<String> CORRELATION = AttributeKey.stringKey(Tracing.CORRELATION_ID);

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final SdkTracerProvider tracerProvider = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(exporter))
            .build();
    /** Traces only: OpenTelemetrySdk.builder() also builds a meter provider, whose SDK jars the test class path mixes. */
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
    void an_append_in_a_command_is_a_child_span_with_the_correlation_id() {
        try (EventStore store = Observed.store(EventStore.inMemory(), new SimpleMeterRegistry(), telemetry)) {
            // given
            CommandContext context = CommandContext.create();
            Middleware middleware = Tracing.commands(telemetry);

            // when
            middleware.handle(new PlaceOrder("order-7"), context, (command, ctx) -> {
                var result = store.append(
                        "order-7",
                        ExpectedVersion.noStream(),
                        EventData.of("Placed", "{}")
                                .withMetadata(
                                        "{\"causationId\":\"x\",\"correlationId\":\"" + ctx.correlationId() + "\"}"));
                return new CommandResult.Accepted(
                        ctx.commandId(), "order-7", result.streamVersion(), result.position(), 1, false);
            });

            // then
            List<SpanData> spans = exporter.getFinishedSpanItems();
            assertThat(spans).extracting(SpanData::getName).containsExactly("append order", "command PlaceOrder");
            SpanData append = spans.get(0);
            SpanData command = spans.get(1);
            assertThat(append.getParentSpanId()).isEqualTo(command.getSpanId());
            assertThat(append.getAttributes().get(CORRELATION))
                    .isEqualTo(context.correlationId().toString());
            assertThat(append.getAttributes().get(AttributeKey.longKey("factum.stream.version")))
                    .isEqualTo(0L);
            assertThat(command.getAttributes().get(AttributeKey.stringKey("factum.command.outcome")))
                    .isEqualTo("accepted");
        }
    }

    @Test
    void a_failed_append_ends_its_span_as_an_error() {
        try (EventStore store = Observed.store(EventStore.inMemory(), new SimpleMeterRegistry(), telemetry)) {
            store.append("order-1", ExpectedVersion.noStream(), EventData.of("Placed", "{}"));

            assertThatThrownBy(() -> store.append("order-1", ExpectedVersion.noStream(), EventData.of("Placed", "{}")))
                    .hasMessageContaining("order-1");

            SpanData failed = exporter.getFinishedSpanItems().get(1);
            assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
            assertThat(failed.getEvents()).extracting(e -> e.getName()).contains("exception");
        }
    }

    @Test
    void a_handler_runs_in_a_span_and_its_failure_goes_on() {
        EventHandler failing = event -> {
            throw new IllegalStateException("index down");
        };
        RecordedEvent event = new RecordedEvent(
                UUID.randomUUID(),
                "order-3",
                0,
                Position.of(5),
                "Placed",
                1,
                "{}",
                "{\"correlationId\":\"c-1\"}",
                Instant.EPOCH);

        assertThatThrownBy(() ->
                        Tracing.handler(failing, telemetry, "search-index").handle(event))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("index down");

        SpanData span = exporter.getFinishedSpanItems().get(0);
        assertThat(span.getName()).isEqualTo("handle search-index");
        assertThat(span.getAttributes().get(CORRELATION)).isEqualTo("c-1");
        assertThat(span.getAttributes().get(AttributeKey.longKey("factum.position")))
                .isEqualTo(5L);
        assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    }

    @Test
    void a_sql_projection_batch_is_a_span_with_its_size_and_positions() throws Exception {
        java.util.List<Integer> applied = new java.util.ArrayList<>();
        io.factum.core.subscription.SqlProjection counting = new io.factum.core.subscription.SqlProjection() {
            @Override
            public String name() {
                return "summary";
            }

            @Override
            public int version() {
                return 3;
            }

            @Override
            public void create(java.sql.Connection c, io.factum.core.subscription.ProjectionContext x) {}

            @Override
            public void apply(java.sql.Connection c, io.factum.core.subscription.ProjectionContext x, RecordedEvent e) {
                applied.add((int) e.position().position());
            }

            @Override
            public void drop(java.sql.Connection c, io.factum.core.subscription.ProjectionContext x) {}
        };
        io.factum.core.subscription.SqlProjection traced = Tracing.projection(counting, telemetry);
        java.util.List<RecordedEvent> batch =
                java.util.List.of(recorded(7, "{\"correlationId\":\"c-9\"}"), recorded(8, "{}"));

        traced.applyAll(null, new io.factum.core.subscription.ProjectionContext("summary", 3, false), batch);

        assertThat(applied).containsExactly(7, 8);
        assertThat(traced.name()).isEqualTo("summary");
        assertThat(traced.version()).isEqualTo(3);
        SpanData span = exporter.getFinishedSpanItems().get(0);
        assertThat(span.getName()).isEqualTo("project summary");
        assertThat(span.getAttributes().get(AttributeKey.longKey("factum.batch.size")))
                .isEqualTo(2L);
        assertThat(span.getAttributes().get(AttributeKey.longKey("factum.position.first")))
                .isEqualTo(7L);
        assertThat(span.getAttributes().get(AttributeKey.longKey("factum.position.last")))
                .isEqualTo(8L);
        assertThat(span.getAttributes().get(CORRELATION)).isEqualTo("c-9");
    }

    private static RecordedEvent recorded(long position, String metadata) {
        return new RecordedEvent(
                UUID.randomUUID(),
                "order-" + position,
                0,
                Position.of(position),
                "Placed",
                1,
                "{}",
                metadata,
                Instant.EPOCH);
    }

    @Test
    void finds_the_correlation_id_only_at_the_top_of_the_metadata() {
        assertThat(Tracing.correlationId("{\"a\":{\"correlationId\":\"nested\"},\"correlationId\":\"top\"}"))
                .hasValue("top");
        assertThat(Tracing.correlationId("{\"a\":{\"correlationId\":\"nested\"}}"))
                .isEmpty();
        assertThat(Tracing.correlationId("not json correlationId")).isEmpty();
        assertThat(Tracing.correlationId("{}")).isEmpty();
    }

    @Test
    void http_requests_get_server_spans_named_by_route() throws Exception {
        try (EventStore store = EventStore.inMemory()) {
            var app = FactumHttp.builder(store).openTelemetry(telemetry).build().start("127.0.0.1", 0);
            try {
                java.net.http.HttpClient.newHttpClient()
                        .send(
                                java.net.http.HttpRequest.newBuilder(
                                                java.net.URI.create("http://127.0.0.1:" + app.port() + "/health/live"))
                                        .header(
                                                "traceparent",
                                                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                                        .build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString());
            } finally {
                app.stop();
            }
            SpanData span = exporter.getFinishedSpanItems().get(0);
            assertThat(span.getName()).isEqualTo("HTTP GET /health/live");
            assertThat(span.getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        }
    }

    record PlaceOrder(String id) {}
}
