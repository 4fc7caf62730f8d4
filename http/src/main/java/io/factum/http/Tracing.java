package io.factum.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.factum.core.EventFilter;
import io.factum.core.RecordedEvent;
import io.factum.core.command.CommandResult;
import io.factum.core.command.Middleware;
import io.factum.core.subscription.EventHandler;
import io.factum.core.subscription.ProjectionContext;
import io.factum.core.subscription.SqlProjection;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * OpenTelemetry spans for the parts of a Factum application: commands (as command bus {@link Middleware})
 * and event handlers. Appends are traced by {@link Observed#store}. Spans come from the tracer {@value
 * #INSTRUMENTATION}; with {@link OpenTelemetry#noop()} they cost next to nothing.
 */
public final class Tracing {

    /** The instrumentation scope name of Factum's spans. */
    public static final String INSTRUMENTATION = "io.factum";

    /** The span attribute holding the correlation id of the business transaction. */
    public static final String CORRELATION_ID = "factum.correlation_id";

    private static final JsonFactory JSON = new JsonFactory();

    private Tracing() {}

    static Tracer tracer(OpenTelemetry openTelemetry) {
        return openTelemetry.getTracer(INSTRUMENTATION);
    }

    /**
     * Middleware that runs every command in a span {@code command <Type>} (current while the command runs,
     * so the append it makes is a child), with the command id, the correlation id and the outcome ({@code
     * accepted}, {@code rejected}, {@code invalid}, {@code forbidden}, {@code conflict} or an exception as
     * an error).
     */
    @SuppressWarnings("try") // the scope makes the span current for the rest of the chain; it is not used in the body
    public static Middleware commands(OpenTelemetry openTelemetry) {
        Tracer tracer = tracer(Objects.requireNonNull(openTelemetry, "openTelemetry"));
        return (command, context, next) -> {
            Span span = tracer.spanBuilder("command " + command.getClass().getSimpleName())
                    .setAttribute("factum.command.type", command.getClass().getSimpleName())
                    .setAttribute("factum.command.id", context.commandId().toString())
                    .setAttribute(CORRELATION_ID, context.correlationId().toString())
                    .startSpan();
            try (Scope ignored = span.makeCurrent()) {
                CommandResult result = next.proceed(command, context);
                span.setAttribute("factum.command.outcome", result.outcome());
                return result;
            } catch (RuntimeException e) {
                span.recordException(e);
                span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
                throw e;
            } finally {
                span.end();
            }
        };
    }

    /**
     * {@code handler} with a span {@code handle <name>} around each event (current while it runs), with
     * the event's type, stream, position and correlation id; a handler that throws ends its span as an
     * error, and the exception goes on to the subscription's retry and parking unchanged.
     */
    @SuppressWarnings("try") // the scope makes the span current for the handler; it is not used in the body
    public static EventHandler handler(EventHandler handler, OpenTelemetry openTelemetry, String name) {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(name, "name");
        Tracer tracer = tracer(Objects.requireNonNull(openTelemetry, "openTelemetry"));
        return event -> {
            Span span = tracer.spanBuilder("handle " + name)
                    .setAttribute("factum.handler", name)
                    .setAttribute("factum.event.type", event.type())
                    .setAttribute("factum.stream.id", event.streamId())
                    .setAttribute("factum.position", event.position().position())
                    .startSpan();
            correlationId(event).ifPresent(id -> span.setAttribute(CORRELATION_ID, id));
            try (Scope ignored = span.makeCurrent()) {
                handler.handle(event);
            } catch (Exception e) {
                span.recordException(e);
                span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
                throw e;
            } finally {
                span.end();
            }
        };
    }

    /**
     * Wraps a SQL projection so that each batch the runtime applies ({@link SqlProjection#applyAll}, and
     * {@link SqlProjection#apply} when it goes event by event) is a span {@code project <name>} with the
     * batch size, the positions it covers and the correlation id of its first event. The wrapper has the
     * projection's name, version and filter, so its tables and checkpoint stay the same.
     */
    public static SqlProjection projection(SqlProjection projection, OpenTelemetry openTelemetry) {
        Objects.requireNonNull(projection, "projection");
        Tracer tracer = tracer(Objects.requireNonNull(openTelemetry, "openTelemetry"));
        return new SqlProjection() {
            @Override
            public String name() {
                return projection.name();
            }

            @Override
            public int version() {
                return projection.version();
            }

            @Override
            public EventFilter filter() {
                return projection.filter();
            }

            @Override
            public void create(Connection connection, ProjectionContext context) throws SQLException {
                projection.create(connection, context);
            }

            @Override
            public void apply(Connection connection, ProjectionContext context, RecordedEvent event)
                    throws SQLException {
                traced(List.of(event), () -> projection.apply(connection, context, event));
            }

            @Override
            public void applyAll(Connection connection, ProjectionContext context, List<RecordedEvent> events)
                    throws SQLException {
                traced(events, () -> projection.applyAll(connection, context, events));
            }

            @Override
            public void drop(Connection connection, ProjectionContext context) throws SQLException {
                projection.drop(connection, context);
            }

            @SuppressWarnings("try") // the scope is held for its side effect: the span is current inside
            private void traced(List<RecordedEvent> events, SqlAction action) throws SQLException {
                Span span = tracer.spanBuilder("project " + projection.name())
                        .setAttribute("factum.projection", projection.name())
                        .setAttribute("factum.projection.version", projection.version())
                        .setAttribute("factum.batch.size", events.size())
                        .setAttribute(
                                "factum.position.first",
                                events.get(0).position().position())
                        .setAttribute(
                                "factum.position.last",
                                events.getLast().position().position())
                        .startSpan();
                correlationId(events.get(0)).ifPresent(id -> span.setAttribute(CORRELATION_ID, id));
                try (Scope ignored = span.makeCurrent()) {
                    action.run();
                } catch (SQLException | RuntimeException e) {
                    span.recordException(e);
                    span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
                    throw e;
                } finally {
                    span.end();
                }
            }
        };
    }

    /** A step of SQL work. */
    private interface SqlAction {
        void run() throws SQLException;
    }

    private static Optional<String> correlationId(RecordedEvent event) {
        return correlationId(event.metadata());
    }

    /** The top-level string (or number) {@code correlationId} of a metadata JSON object, if it has one. */
    static Optional<String> correlationId(String metadataJson) {
        if (!metadataJson.contains("correlationId")) {
            return Optional.empty();
        }
        try (JsonParser parser = JSON.createParser(metadataJson)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("correlationId".equals(field) && value.isScalarValue() && value != JsonToken.VALUE_NULL) {
                    return Optional.of(parser.getText());
                }
                parser.skipChildren();
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
