package io.factum.http;

import io.factum.core.EventStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;

/**
 * Decorators that measure and trace Factum's parts.
 *
 * <pre>{@code
 * EventStore store = Observed.store(SqliteEventStore.open(file), registry, OpenTelemetry.noop());
 * }</pre>
 */
public final class Observed {

    /**
     * How long a scrape waits for a gauge that reads the store; then it shows the last value read, so that
     * {@code /metrics} answers while the database is slow or down.
     */
    static final Duration SCRAPE_WAIT = Duration.ofMillis(250);

    private Observed() {}

    /**
     * {@code store} with metrics and a span around every append:
     *
     * <ul>
     *   <li>timer {@code factum.appends}, tagged {@code category} (of the stream) and {@code outcome}
     *       ({@code ok}, {@code conflict}, {@code invalid}, {@code deleted} or {@code failed});
     *   <li>distribution summaries {@code factum.append.events} (events per append) and {@code
     *       factum.append.bytes} (UTF-8 bytes of data and metadata per append), of successful appends;
     *   <li>gauge {@code factum.head.position}: the global position of the last event (read from the store
     *       at each scrape; if the store does not answer within 250 ms, the last position read);
     *   <li>a span {@code append <category>} with the stream id, the event count, the correlation id (the
     *       first event's metadata {@code correlationId}), and the version and position written.
     * </ul>
     *
     * <p>Everything else is passed through unchanged; closing the decorator closes {@code store}. Give the
     * undecorated store to store-specific helpers ({@code PostgresEventStore.xminHorizonAge}, {@code
     * SqliteEventStore.checkpoints}), which look at its class. Decorate a store once per registry: two
     * decorators on one registry count every append twice.
     */
    public static EventStore store(EventStore store, MeterRegistry registry, OpenTelemetry openTelemetry) {
        return new OpsObservedStore(store, registry, openTelemetry);
    }
}
