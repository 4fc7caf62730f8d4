package io.factum.http;

import io.factum.core.EventStore;
import io.factum.core.SqlEventStore;
import io.factum.core.aggregate.SnapshotStore;
import io.factum.core.gdpr.SubjectKeyStore;
import io.factum.core.process.DeadlineStore;
import io.factum.core.subscription.LeaseStore;
import io.factum.core.subscription.SqlCheckpointStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.Map;

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
     * <p>Everything else is passed through unchanged; closing the decorator closes {@code store}. Decorate a
     * store once per registry: two decorators on one registry count every append twice.
     */
    public static EventStore store(EventStore store, MeterRegistry registry, OpenTelemetry openTelemetry) {
        return new OpsObservedStore(store, registry, openTelemetry);
    }

    /**
     * {@link #store(EventStore, MeterRegistry, OpenTelemetry)} for a store in a SQL database: the decorator
     * keeps its checkpoints, leases, deadlines, snapshots, subject keys and figures, which are the store's
     * own (their writes are not measured as appends).
     */
    public static SqlEventStore store(SqlEventStore store, MeterRegistry registry, OpenTelemetry openTelemetry) {
        return new ObservedSqlStore(store, registry, openTelemetry);
    }

    /** The observed decorator of a SQL store: appends measured, capabilities handed through. */
    private static final class ObservedSqlStore extends OpsObservedStore implements SqlEventStore {
        private final SqlEventStore sql;

        ObservedSqlStore(SqlEventStore sql, MeterRegistry registry, OpenTelemetry openTelemetry) {
            super(sql, registry, openTelemetry);
            this.sql = sql;
        }

        @Override
        public SqlCheckpointStore checkpoints() {
            return sql.checkpoints();
        }

        @Override
        public LeaseStore leases() {
            return sql.leases();
        }

        @Override
        public DeadlineStore deadlines() {
            return sql.deadlines();
        }

        @Override
        public SnapshotStore snapshots() {
            return sql.snapshots();
        }

        @Override
        public SubjectKeyStore subjectKeys() {
            return sql.subjectKeys();
        }

        @Override
        public Map<String, Long> figures() {
            return sql.figures();
        }

        @Override
        public java.util.Optional<String> writeProblem() {
            return sql.writeProblem();
        }
    }
}
