package io.factum.core.observation;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.factum.core.EventStore;
import io.factum.core.RecordedEvent;
import io.factum.core.SqlEventStore;
import io.factum.core.command.CommandResult;
import io.factum.core.command.Middleware;
import io.factum.core.subscription.EventHandler;
import io.factum.core.subscription.SqlProjection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Factum's one home for timing and tracing: commands, event handlers, SQL projections and appends, each an
 * <a href="https://docs.micrometer.io/micrometer/reference/observation.html">Micrometer Observation</a>.
 * What an observation becomes is decided by the handlers of the {@link ObservationRegistry} the
 * application gives: a timer in a {@link MeterRegistry} ({@link #withMetrics}), a span in OpenTelemetry or
 * Brave (through micrometer-tracing's bridges), both, or nothing ({@link ObservationRegistry#NOOP}, which
 * costs next to nothing). Spring Boot hands its own registry over as it is.
 *
 * <pre>{@code
 * ObservationRegistry observations = Observed.withMetrics(meterRegistry);
 * EventStore store = Observed.store(SqliteEventStore.open(file), observations, meterRegistry);
 * CommandBus bus = CommandBus.builder().use(Observed.commands(observations)).handle(...).build();
 * }</pre>
 *
 * <p>Each observation has a name (the timer's), a contextual name (the span's) and keys: low-cardinality
 * keys become timer tags and span attributes, high-cardinality keys span attributes only.
 *
 * <table>
 *   <caption>Factum's observations</caption>
 *   <tr><th>name</th><th>span</th><th>low-cardinality keys</th><th>high-cardinality keys</th></tr>
 *   <tr><td>{@value #COMMANDS}</td><td>{@code command <Type>}</td><td>{@code command}, {@code outcome}</td>
 *       <td>{@code factum.command.id}, {@value #CORRELATION_ID}</td></tr>
 *   <tr><td>{@value #APPENDS}</td><td>{@code append <category>}</td><td>{@code category}, {@code outcome}</td>
 *       <td>{@code factum.stream.id}, {@code factum.append.events}, {@code factum.stream.version},
 *       {@code factum.position}, {@value #CORRELATION_ID}</td></tr>
 *   <tr><td>{@value #HANDLERS}</td><td>{@code handle <name>}</td><td>{@code handler}</td>
 *       <td>{@code factum.event.type}, {@code factum.stream.id}, {@code factum.position},
 *       {@value #CORRELATION_ID}</td></tr>
 *   <tr><td>{@value #PROJECTIONS}</td><td>{@code project <name>}</td><td>{@code projection}</td>
 *       <td>{@code factum.projection.version}, {@code factum.batch.size}, {@code factum.position.first},
 *       {@code factum.position.last}, {@value #CORRELATION_ID}</td></tr>
 * </table>
 *
 * <p>Each observation is current while its work runs, so an append made by a command handler is a child of
 * the command's, and a command taken by factum-http is a child of the request's ({@code http.server.requests},
 * whose parent is the caller's W3C {@code traceparent} when the registry propagates).
 */
public final class Observed {

    /** Commands handled: {@link #commands}. */
    public static final String COMMANDS = "factum.commands";

    /** Appends to a store: {@link #store(EventStore, ObservationRegistry, MeterRegistry)}. */
    public static final String APPENDS = "factum.appends";

    /** Events handled by an event handler: {@link #handler}. */
    public static final String HANDLERS = "factum.handlers";

    /** Batches applied by a SQL projection: {@link #projection}. */
    public static final String PROJECTIONS = "factum.projections";

    /** The key holding the correlation id of the business transaction. */
    public static final String CORRELATION_ID = "factum.correlation_id";

    /**
     * How long a scrape waits for a gauge that reads the store; then it shows the last value read, so that
     * a metrics endpoint answers while the database is slow or down.
     */
    public static final Duration SCRAPE_WAIT = Duration.ofMillis(250);

    private static final Logger COMMAND_LOG = LoggerFactory.getLogger("io.factum.commands");
    private static final JsonFactory JSON = new JsonFactory();

    private Observed() {}

    /**
     * A registry whose observations become timers in {@code meters} (named as the observation, tagged with
     * its low-cardinality keys and {@code error}), for an application without Spring Boot or a tracer. Give
     * the same registry to every decorator, so that each is measured once. To add spans, register a tracing
     * handler on it too (micrometer-tracing; docs/operations.md shows OpenTelemetry).
     */
    public static ObservationRegistry withMetrics(MeterRegistry meters) {
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig()
                .observationHandler(new DefaultMeterObservationHandler(
                        Objects.requireNonNull(meters, "meters"),
                        DefaultMeterObservationHandler.IgnoredMeters.LONG_TASK_TIMER));
        return registry;
    }

    /**
     * Command bus middleware that runs every command in the observation {@value #COMMANDS}, current while
     * the command runs, with its outcome ({@link CommandResult#outcome()}: {@code accepted}, {@code
     * completed}, {@code rejected}, {@code invalid}, {@code forbidden}, {@code conflict}, {@code duplicate};
     * {@code failed} with the exception as the error when the handler throws).
     */
    @SuppressWarnings("try") // the scope makes the observation current; it is not used in the body
    public static Middleware commands(ObservationRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        return (command, context, next) -> {
            String type = command.getClass().getSimpleName();
            Observation observation = Observation.createNotStarted(COMMANDS, registry)
                    .contextualName("command " + type)
                    .lowCardinalityKeyValue("command", type)
                    .highCardinalityKeyValue(
                            "factum.command.id", context.commandId().toString())
                    .highCardinalityKeyValue(
                            CORRELATION_ID, context.correlationId().toString())
                    .start();
            String outcome = "failed";
            try (Observation.Scope ignored = observation.openScope()) {
                CommandResult result = next.proceed(command, context);
                outcome = result.outcome();
                return result;
            } catch (RuntimeException e) {
                observation.error(e);
                throw e;
            } finally {
                observation.lowCardinalityKeyValue("outcome", outcome).stop();
            }
        };
    }

    /** The entry of the events' metadata that holds the W3C trace context of the command that caused them. */
    public static final String TRACEPARENT = "traceparent";

    /**
     * Command bus middleware that writes the trace context current while the command runs into the metadata
     * of the events it appends, as the entry {@value #TRACEPARENT}, so that whoever handles the events later
     * (a process manager, a relay to Kafka with {@code Traceparent.fromMetadata("traceparent")}, another
     * service) can continue the command's trace. Put it after {@link #commands} so that the command's own
     * span is the current one. A sender's own entry is kept; a value that is not a valid W3C {@code
     * traceparent} ({@code 00-<32 hex>-<16 hex>-<2 hex>}) is not written, nor is anything when {@code current}
     * fails.
     *
     * <p>{@code current} asks the application's tracer, which Factum does not depend on: with OpenTelemetry
     * (or Micrometer Tracing's OpenTelemetry bridge) {@code OpenTelemetryTraceparent::current} of the kafka
     * module; with Micrometer Tracing alone, a function of {@code tracer.currentTraceContext().context()}.
     */
    public static Middleware traceContext(java.util.function.Supplier<java.util.Optional<String>> current) {
        Objects.requireNonNull(current, "current");
        return (command, context, next) -> {
            if (context.entries().containsKey(TRACEPARENT)) {
                return next.proceed(command, context);
            }
            java.util.Optional<String> trace;
            try {
                trace = java.util.Optional.ofNullable(current.get())
                        .flatMap(value -> value)
                        .filter(Observed::isTraceparent);
            } catch (RuntimeException e) {
                // a broken tracer costs the trace, not the command
                trace = java.util.Optional.empty();
            }
            return next.proceed(
                    command,
                    trace.map(value -> context.withEntry(TRACEPARENT, value)).orElse(context));
        };
    }

    private static final java.util.regex.Pattern TRACEPARENT_FORMAT =
            java.util.regex.Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

    /** A well-formed W3C {@code traceparent} (version 00) of a valid trace and span. */
    public static boolean isTraceparent(String value) {
        return TRACEPARENT_FORMAT.matcher(value).matches()
                && !value.startsWith("00-00000000000000000000000000000000-")
                && !value.substring(36).startsWith("0000000000000000");
    }

    /**
     * Command bus middleware that puts the correlation and command ids in the SLF4J MDC ({@code
     * correlationId}, {@code commandId}) while the command runs and logs its outcome to {@code
     * io.factum.commands}: debug for accepted, info for refused, warn for failures.
     */
    @SuppressWarnings("try") // the MDC entries are closed by the try, not used in it
    public static Middleware logging() {
        return (command, context, next) -> {
            String type = command.getClass().getSimpleName();
            try (var correlation = MDC.putCloseable(
                            "correlationId", context.correlationId().toString());
                    var id = MDC.putCloseable("commandId", context.commandId().toString())) {
                CommandResult result;
                try {
                    result = next.proceed(command, context);
                } catch (RuntimeException e) {
                    COMMAND_LOG.warn("command {} failed: {}", type, e.toString());
                    throw e;
                }
                switch (result) {
                    case CommandResult.Accepted accepted ->
                        COMMAND_LOG.debug(
                                "command {} accepted: {} at version {}", type, accepted.streamId(), accepted.version());
                    case CommandResult.Rejected rejected ->
                        COMMAND_LOG.info(
                                "command {} rejected by rule {}: {}", type, rejected.rule(), rejected.message());
                    default -> COMMAND_LOG.info("command {}: {}", type, result);
                }
                return result;
            }
        };
    }

    /**
     * {@code handler} with the observation {@value #HANDLERS} around each event, current while it runs; a
     * handler that throws ends its observation with the error, and the exception goes on to the
     * subscription's retry and parking unchanged.
     */
    @SuppressWarnings("try") // the scope makes the observation current; it is not used in the body
    public static EventHandler handler(EventHandler handler, ObservationRegistry registry, String name) {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(name, "name");
        return event -> {
            Observation observation = Observation.createNotStarted(HANDLERS, registry)
                    .contextualName("handle " + name)
                    .lowCardinalityKeyValue("handler", name)
                    .highCardinalityKeyValue("factum.event.type", event.type())
                    .highCardinalityKeyValue("factum.stream.id", event.streamId())
                    .highCardinalityKeyValue(
                            "factum.position", Long.toString(event.position().position()));
            correlationId(event).ifPresent(id -> observation.highCardinalityKeyValue(CORRELATION_ID, id));
            observation.start();
            try (Observation.Scope ignored = observation.openScope()) {
                handler.handle(event);
            } catch (Exception e) {
                observation.error(e);
                throw e;
            } finally {
                observation.stop();
            }
        };
    }

    /**
     * {@code projection} with the observation {@value #PROJECTIONS} around each batch the runtime applies
     * ({@link SqlProjection#applyAll}, and {@link SqlProjection#apply} when it goes event by event), with the
     * batch size, the positions it covers and the correlation id of its first event. The wrapper has the
     * projection's name, version and filter, so its tables and checkpoint stay the same.
     */
    public static SqlProjection projection(SqlProjection projection, ObservationRegistry registry) {
        return new ObservedProjection(
                Objects.requireNonNull(projection, "projection"), Objects.requireNonNull(registry, "registry"));
    }

    /**
     * {@code store} with every append observed as {@value #APPENDS} (outcome {@code ok}, {@code conflict},
     * {@code invalid}, {@code deleted} or {@code failed}), and in {@code meters}:
     *
     * <ul>
     *   <li>distribution summaries {@code factum.append.events} (events per append) and {@code
     *       factum.append.bytes} (UTF-8 bytes of data and metadata per append), of successful appends;
     *   <li>gauge {@code factum.head.position}: the global position of the last event (read from the store
     *       at each scrape; if the store does not answer within {@link #SCRAPE_WAIT}, the last position read).
     * </ul>
     *
     * <p>Everything else is passed through unchanged; closing the decorator closes {@code store}. Decorate a
     * store once per registry: two decorators on one registry count every append twice.
     */
    public static EventStore store(EventStore store, ObservationRegistry registry, MeterRegistry meters) {
        return new ObservedStore(store, registry, meters);
    }

    /**
     * {@link #store(EventStore, ObservationRegistry, MeterRegistry)} for a store in a SQL database: the
     * decorator keeps its checkpoints, leases, deadlines, snapshots, subject keys and figures, which are the
     * store's own (their writes are not observed as appends).
     */
    public static SqlEventStore store(SqlEventStore store, ObservationRegistry registry, MeterRegistry meters) {
        return new ObservedStore.Sql(store, registry, meters);
    }

    /** What a piece of observed work returned, and the keys it adds to its observation. */
    record Written<R>(R result, java.util.Map<String, String> keys) {}

    static Optional<String> correlationId(RecordedEvent event) {
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
