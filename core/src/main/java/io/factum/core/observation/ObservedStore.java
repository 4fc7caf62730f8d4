package io.factum.core.observation;

import io.factum.core.AppendCondition;
import io.factum.core.AppendResult;
import io.factum.core.AppendResults;
import io.factum.core.ConcurrencyException;
import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.InvalidInputException;
import io.factum.core.Position;
import io.factum.core.SqlEventStore;
import io.factum.core.StreamAppend;
import io.factum.core.StreamDeletedException;
import io.factum.core.StreamIds;
import io.factum.core.aggregate.SnapshotStore;
import io.factum.core.gdpr.SubjectKeyStore;
import io.factum.core.process.DeadlineStore;
import io.factum.core.spi.ForwardingStore;
import io.factum.core.subscription.LeaseStore;
import io.factum.core.subscription.SqlCheckpointStore;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;

/** The decorator of {@link Observed#store}. */
class ObservedStore extends ForwardingStore {

    private final ObservationRegistry registry;
    private final DistributionSummary events;
    private final DistributionSummary bytes;

    ObservedStore(EventStore delegate, ObservationRegistry registry, MeterRegistry meters) {
        super(delegate);
        this.registry = Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(meters, "meters");
        this.events = DistributionSummary.builder("factum.append.events")
                .description("events per successful append")
                .baseUnit("events")
                .register(meters);
        this.bytes = DistributionSummary.builder("factum.append.bytes")
                .description("UTF-8 bytes of data and metadata per successful append")
                .baseUnit("bytes")
                .register(meters);
        // a scrape waits a moment for the store, then takes the last head read
        Sampled<Position> head = new Sampled<>("factum-head-gauge", Duration.ZERO, delegate::headPosition);
        Gauge.builder("factum.head.position", head, sampled -> {
                    Position last = sampled.recent(Observed.SCRAPE_WAIT);
                    return last == null ? Double.NaN : last.position();
                })
                .description("the global position of the last event visible to readers (the last one read if"
                        + " the store does not answer at once; NaN until it first answered)")
                .strongReference(true)
                .register(meters);
    }

    @Override
    public AppendResult append(String streamId, ExpectedVersion expected, List<EventData> events) {
        String category = StreamIds.category(streamId);
        return observed(category, events, Map.of("factum.stream.id", streamId), () -> {
            AppendResult result = delegate.append(streamId, expected, events);
            return new Observed.Written<>(
                    result,
                    Map.of(
                            "factum.stream.version",
                            Long.toString(result.streamVersion()),
                            "factum.position",
                            Long.toString(result.position().position())));
        });
    }

    /**
     * An append to several streams (with or without a condition) is one observation too: its category is
     * the streams' categories, sorted and joined by {@code +} ({@code order+stock}).
     */
    @Override
    public AppendResults append(List<StreamAppend> appends, AppendCondition condition) {
        List<EventData> events = new ArrayList<>();
        TreeSet<String> categories = new TreeSet<>();
        for (StreamAppend append : appends) {
            events.addAll(append.events());
            categories.add(StreamIds.category(append.streamId()));
        }
        Map<String, String> keys = Map.of(
                "factum.append.streams",
                Integer.toString(appends.size()),
                "factum.append.condition",
                Boolean.toString(!(condition instanceof AppendCondition.None)));
        return observed(String.join("+", categories), events, keys, () -> {
            AppendResults results = delegate.append(appends, condition);
            return new Observed.Written<>(
                    results,
                    Map.of("factum.position", Long.toString(results.position().position())));
        });
    }

    @SuppressWarnings("try") // the scope makes the observation current; it is not used in the body
    private <R> R observed(
            String category, List<EventData> events, Map<String, String> keys, Supplier<Observed.Written<R>> work) {
        Observation observation = Observation.createNotStarted(Observed.APPENDS, registry)
                .contextualName("append " + category)
                .lowCardinalityKeyValue("category", category)
                .highCardinalityKeyValue("factum.append.events", Integer.toString(events.size()));
        keys.forEach(observation::highCardinalityKeyValue);
        if (!events.isEmpty()) {
            Observed.correlationId(events.get(0).metadata())
                    .ifPresent(id -> observation.highCardinalityKeyValue(Observed.CORRELATION_ID, id));
        }
        observation.start();
        String outcome = "failed";
        try (Observation.Scope ignored = observation.openScope()) {
            Observed.Written<R> written = work.get();
            outcome = "ok";
            written.keys().forEach(observation::highCardinalityKeyValue);
            this.events.record(events.size());
            this.bytes.record(size(events));
            return written.result();
        } catch (RuntimeException e) {
            outcome = outcome(e);
            observation.error(e);
            throw e;
        } finally {
            observation.lowCardinalityKeyValue("outcome", outcome).stop();
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

    /** The observed decorator of a SQL store: appends observed, capabilities handed through. */
    static final class Sql extends ObservedStore implements SqlEventStore {
        private final SqlEventStore sql;

        Sql(SqlEventStore sql, ObservationRegistry registry, MeterRegistry meters) {
            super(sql, registry, meters);
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
        public Optional<String> writeProblem() {
            return sql.writeProblem();
        }
    }
}
