package io.factum.http;

import io.factum.core.AppendResult;
import io.factum.core.ConcurrencyException;
import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.InvalidInputException;
import io.factum.core.Position;
import io.factum.core.StreamDeletedException;
import io.factum.core.StreamIds;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/** The decorator of {@link Observed#store}. */
class OpsObservedStore extends ForwardingStore {

    private final MeterRegistry registry;
    private final Tracer tracer;
    private final DistributionSummary events;
    private final DistributionSummary bytes;

    OpsObservedStore(EventStore delegate, MeterRegistry registry, OpenTelemetry openTelemetry) {
        super(Objects.requireNonNull(delegate, "store"));
        this.registry = Objects.requireNonNull(registry, "registry");
        this.tracer = Tracing.tracer(Objects.requireNonNull(openTelemetry, "openTelemetry"));
        this.events = DistributionSummary.builder("factum.append.events")
                .description("events per successful append")
                .baseUnit("events")
                .register(registry);
        this.bytes = DistributionSummary.builder("factum.append.bytes")
                .description("UTF-8 bytes of data and metadata per successful append")
                .baseUnit("bytes")
                .register(registry);
        // a scrape waits a moment for the store, then takes the last head read
        Sampled<Position> head = new Sampled<>("factum-head-gauge", Duration.ZERO, delegate::headPosition);
        Gauge.builder("factum.head.position", head, sampled -> {
                    Position last = sampled.recent(Observed.SCRAPE_WAIT);
                    return last == null ? Double.NaN : last.position();
                })
                .description("the global position of the last event visible to readers (the last one read if"
                        + " the store does not answer at once; NaN until it first answered)")
                .strongReference(true)
                .register(registry);
    }

    @Override
    @SuppressWarnings("try") // the scope makes the span current for the store's own work; it is not used in the body
    public AppendResult append(String streamId, ExpectedVersion expected, List<EventData> events) {
        String category = StreamIds.category(streamId);
        Span span = tracer.spanBuilder("append " + category)
                .setAttribute("factum.stream.id", streamId)
                .setAttribute("factum.append.events", (long) events.size())
                .startSpan();
        if (!events.isEmpty()) {
            Tracing.correlationId(events.get(0).metadata())
                    .ifPresent(id -> span.setAttribute(Tracing.CORRELATION_ID, id));
        }
        long start = System.nanoTime();
        String outcome = "failed";
        try (Scope ignored = span.makeCurrent()) {
            AppendResult result = delegate.append(streamId, expected, events);
            outcome = "ok";
            span.setAttribute("factum.stream.version", result.streamVersion());
            span.setAttribute("factum.position", result.position().position());
            this.events.record(events.size());
            this.bytes.record(size(events));
            return result;
        } catch (RuntimeException e) {
            outcome = outcome(e);
            span.recordException(e);
            span.setStatus(StatusCode.ERROR, outcome);
            throw e;
        } finally {
            span.end();
            Timer.builder("factum.appends")
                    .description("appends, by stream category and outcome")
                    .tag("category", category)
                    .tag("outcome", outcome)
                    .register(registry)
                    .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    private static String outcome(RuntimeException e) {
        return switch (e) {
            case ConcurrencyException c -> "conflict";
            case InvalidInputException i -> "invalid";
            case StreamDeletedException d -> "deleted";
            default -> "failed";
        };
    }

    private static long size(List<EventData> events) {
        long total = 0;
        for (EventData event : events) {
            total += utf8Length(event.data()) + utf8Length(event.metadata());
        }
        return total;
    }

    static long utf8Length(String text) {
        long length = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                length += 1;
            } else if (c < 0x800) {
                length += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                length += 4;
                i++;
            } else {
                length += 3;
            }
        }
        return length;
    }
}
