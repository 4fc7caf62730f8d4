package io.factum.kafka;

import io.factum.core.EventFilter;
import io.factum.core.EventReader;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.subscription.CheckpointStore;
import io.factum.core.subscription.ConsumerGroup;
import io.factum.core.subscription.LeaseStore;
import io.factum.core.subscription.OnParked;
import io.factum.core.subscription.RetryPolicy;
import io.factum.core.subscription.Subscription;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Publishes chosen events of the store to Kafka topics, in order per stream, as a Factum subscription with
 * a durable checkpoint: the record's key is the stream id (so one stream's events go to one partition, in
 * order), its value the event's JSON data, its headers the rest of the event ({@link KafkaHeaders}).
 *
 * <p><b>Delivery.</b> At least once. The producer is idempotent with {@code acks=all}; the relay sends a
 * batch of events, waits until the broker acknowledged every one, and only then moves its checkpoint;
 * meanwhile it reads and sends the next page, so the broker always has work ({@link Builder#readAhead}). After a crash, a broker outage or a lost
 * lease the events after the checkpoint are published again: a consumer may see a record twice, but never
 * a stream's event before an earlier one of the stream's that it has not seen (the first copies arrive in
 * stream order). {@link KafkaInbox} removes the copies by event id.
 *
 * <p><b>Failures.</b> A broker that does not acknowledge within {@link Builder#deliveryTimeout} makes the
 * subscription {@code FAILED} (health says so) and it retries, with backoff, for as long as it lasts; no
 * event is parked for that. A record Kafka refuses for good (too large, topic missing, not authorized) is
 * a {@link RecordRefusedException}: retried as the {@link RetryPolicy} says, then parked with its error and
 * shown on the admin pages with the subscription's other parked events; its stream's later events are held
 * back behind it ({@link OnParked#HOLD_STREAM}) until it is replayed, so the stream's order holds.
 *
 * <p><b>Several instances</b> share the work through a Factum consumer group ({@link Builder#group}): the
 * log is split into buckets by stream, each bucket published by the one member holding its lease.
 */
public interface KafkaRelay extends AutoCloseable {

    /** The relay's name: its subscription's, or its consumer group's. */
    String name();

    /**
     * Where it is now. Does not wait for the broker; a group member reads the store's head and the oldest
     * event not yet published for its lag.
     */
    RelayStatus status();

    /** The subscription that runs it, when it runs on its own: register it with the admin pages. */
    Optional<Subscription> subscription();

    /** The consumer group member that runs it, when it runs in a group: register it with the admin pages. */
    Optional<ConsumerGroup> groupMember();

    /**
     * Waits until the relay published (and the broker acknowledged) every event of its filter up to {@code
     * position}; for a group member, in every bucket it holds.
     *
     * @return true if it has
     * @throws InterruptedException if interrupted while waiting
     */
    boolean awaitPosition(Position position, Duration timeout) throws InterruptedException;

    /** Stops publishing (the batch in flight finishes or is dropped unacknowledged) and closes the producer. */
    @Override
    void close();

    /**
     * A relay named {@code name} (its checkpoint's name) that reads {@code reader}'s global log and publishes
     * to the Kafka cluster at {@code bootstrapServers}.
     *
     * @param name 1-100 characters: letters, digits, {@code . _ - @ /}
     */
    static Builder builder(String name, EventReader reader, CheckpointStore checkpoints, String bootstrapServers) {
        return new Builder(name, reader, checkpoints, bootstrapServers);
    }

    /** The settings of a relay; {@link #start()} starts it. Not thread-safe. */
    final class Builder {
        final String name;
        final EventReader reader;
        final CheckpointStore checkpoints;
        final String bootstrapServers;
        EventFilter filter = EventFilter.all();
        Function<RecordedEvent, String> topic = event -> event.category();
        Traceparent traceparent = Traceparent.none();
        int batchSize = 1000;
        boolean readAhead = true;
        Duration deliveryTimeout = Duration.ofSeconds(30);
        RetryPolicy retry = RetryPolicy.DEFAULT;
        OnParked onParked = OnParked.HOLD_STREAM;
        final Map<String, Object> producerProperties = new HashMap<>();

        @Nullable
        MeterRegistry registry;

        @Nullable
        String member;

        @Nullable
        LeaseStore leases;

        int buckets = 16;
        Duration leaseTime = Duration.ofSeconds(10);

        Builder(String name, EventReader reader, CheckpointStore checkpoints, String bootstrapServers) {
            this.name = Objects.requireNonNull(name, "name");
            this.reader = Objects.requireNonNull(reader, "reader");
            this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
            if (bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("bootstrapServers must name at least one host:port, got ''");
            }
            this.bootstrapServers = bootstrapServers;
        }

        /** Which events to publish (categories, types); all by default. */
        public Builder filter(EventFilter eventFilter) {
            this.filter = Objects.requireNonNull(eventFilter, "eventFilter");
            return this;
        }

        /** Every event to the topic {@code name}. By default an event goes to the topic named as its category. */
        public Builder topic(String topicName) {
            Objects.requireNonNull(topicName, "topicName");
            return topic(event -> topicName);
        }

        /**
         * The topic of each event, chosen by {@code chooser} (called on the relay's thread or its read-ahead
         * thread: it must be thread-safe). Give all the events
         * of a stream the same topic, or their order across topics is not kept. A chooser that throws refuses
         * the event ({@link RecordRefusedException}).
         */
        public Builder topic(Function<RecordedEvent, String> chooser) {
            this.topic = Objects.requireNonNull(chooser, "chooser");
            return this;
        }

        /** Where the {@code traceparent} header comes from; {@link Traceparent#none()} by default. */
        public Builder traceparent(Traceparent source) {
            this.traceparent = Objects.requireNonNull(source, "source");
            return this;
        }

        /**
         * The most events read, sent and acknowledged at once, 1000 by default: with {@link #readAhead}, twice
         * that is the bound on records in flight.
         */
        public Builder batchSize(int size) {
            if (size < 1 || size > 10_000) {
                throw new IllegalArgumentException("batchSize must be 1-10000, got " + size);
            }
            this.batchSize = size;
            return this;
        }

        /**
         * Whether the relay reads and sends the next page while a batch's acknowledgements are awaited (on by
         * default). The broker is then never idle between batches, and at most two pages are in flight. A
         * consumer group member, which is handed a page bucket by bucket, sends at a page's first bucket the
         * events of all the buckets it holds (after their checkpoints) and those of the next page. The page read ahead is kept
         * and handed to the subscription when it reads there, so each page is read from the store once; a page
         * that reached the end of the log is read again, so nothing appended meanwhile is missed. Events of a
         * stream held back behind a parked event are never sent ahead. Figures: docs/benchmarks.md.
         */
        public Builder readAhead(boolean on) {
            this.readAhead = on;
            return this;
        }

        /**
         * How long the broker may take to acknowledge a batch (and to answer for a topic's metadata), 30 s by
         * default; after that the relay reports the broker unavailable and sends the batch again.
         */
        public Builder deliveryTimeout(Duration timeout) {
            if (timeout.toMillis() < 100) {
                throw new IllegalArgumentException("deliveryTimeout must be at least 100 ms, got " + timeout);
            }
            this.deliveryTimeout = timeout;
            return this;
        }

        /** How refused records are retried before they are parked; {@link RetryPolicy#DEFAULT} by default. */
        public Builder retry(RetryPolicy policy) {
            this.retry = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * What a parked event does to the later events of its stream: held back by default ({@link
         * OnParked#HOLD_STREAM}), so a stream is never published out of order; {@link OnParked#SKIP_EVENT}
         * publishes them, for events that do not depend on each other.
         */
        public Builder onParked(OnParked mode) {
            this.onParked = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * A setting of the Kafka producer ({@code linger.ms}, {@code compression.type}, security settings...).
         * The relay's guarantees rest on {@code acks=all}, {@code enable.idempotence=true} and at most 5
         * requests in flight, which cannot be changed; nor can the serializers.
         *
         * @throws IllegalArgumentException for a setting the relay fixes
         */
        public Builder producerProperty(String key, Object value) {
            if (RelayProducer.FIXED.contains(key)) {
                throw new IllegalArgumentException("the relay sets '" + key + "' itself ("
                        + RelayProducer.fixedSettings() + "); its ordering and delivery rest on it");
            }
            producerProperties.put(key, Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Publishes gauges {@code factum.relay.lag.events} and {@code factum.relay.lag.seconds}, and counters
         * {@code factum.relay.records} (acknowledged), {@code factum.relay.refused} and {@code
         * factum.relay.unavailable}, tagged {@code relay=<name>}.
         */
        public Builder meterRegistry(MeterRegistry meters) {
            this.registry = Objects.requireNonNull(meters, "meters");
            return this;
        }

        /**
         * Runs the relay as member {@code memberId} of the Factum consumer group named as the relay, with the
         * leases in {@code leaseStore}: the members split the log into buckets by stream and each bucket is
         * published by one member at a time. Every member must use the same name, filter, topics and buckets.
         */
        public Builder group(String memberId, LeaseStore leaseStore) {
            this.member = Objects.requireNonNull(memberId, "memberId");
            this.leases = Objects.requireNonNull(leaseStore, "leaseStore");
            return this;
        }

        /** The group's number of buckets, 16 by default (see {@link ConsumerGroup.Builder#buckets}). */
        public Builder buckets(int count) {
            this.buckets = count;
            return this;
        }

        /** The group's lease time, 10 s by default (see {@link ConsumerGroup.Builder#leaseTime}). */
        public Builder leaseTime(Duration time) {
            this.leaseTime = Objects.requireNonNull(time, "time");
            return this;
        }

        /** Starts the relay on a thread of its own (its subscription's, or its group member's). */
        public KafkaRelay start() {
            return RelayRunner.start(this);
        }
    }
}
