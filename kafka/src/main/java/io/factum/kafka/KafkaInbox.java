package io.factum.kafka;

import io.factum.core.EventStore;
import io.factum.core.subscription.CheckpointStore;
import io.factum.core.subscription.RetryPolicy;
import io.factum.core.subscription.Subscription;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A Kafka consumer that hands the records of its topics, in partition order, to an {@link InboxHandler}
 * (for example a command bus, {@link InboxHandler#commands}), and commits a partition's offsets only after
 * its records were handled. It is the consuming side of {@link KafkaRelay}; its consumer group is named as
 * the inbox, and several instances of one inbox share the partitions (Kafka rebalances them).
 *
 * <p><b>Exactly-once effects from at-least-once delivery.</b> A record comes again after a crash or a
 * rebalance before its offset was committed, and the relay may have published it twice. The inbox keeps no
 * separate table of processed ids: the handler's own writes carry ids derived from the event id ({@link
 * InboxMessage#commandId()}, {@link InboxMessage#eventIdFor}), so the store, which keeps event ids unique
 * forever, refuses a second application atomically with the first one's events. A handler whose append is
 * refused so ({@link io.factum.core.DuplicateEventException}) has its message counted as a duplicate and done.
 *
 * <p><b>Failures.</b> A handler failure is retried with the backoff of the {@link RetryPolicy}, then the
 * record is parked: kept in the store (stream {@code factuminbox-<name>}) with its error, listed by {@link
 * #parked()} and the admin pages (register the inbox as a subscription), replayable with {@link
 * #replayParked}. The partition goes on; it is never stuck on a poison record. A record that is not a
 * relay's ({@link PoisonRecordException}) is parked at once. A store that fails, or a handler that throws
 * {@link io.factum.core.subscription.RetryLaterException}, is retried for as long as it lasts and parks
 * nothing; the state is FAILED meanwhile.
 *
 * <p>As a {@link Subscription}, its positions are those of the publisher's global log (the {@link
 * KafkaHeaders#POSITION} header): {@link #awaitPosition} waits until it handled an event at or after the
 * position, which means every earlier event of the publisher only when the topic has one partition.
 */
public interface KafkaInbox extends Subscription {

    /**
     * An inbox named {@code name} (its Kafka consumer group, 1-100 letters, digits, {@code . _ - @ /}) that
     * consumes {@code topics} at {@code bootstrapServers} and parks into {@code store} and {@code
     * checkpoints}.
     */
    static Builder builder(
            String name,
            EventStore store,
            CheckpointStore checkpoints,
            String bootstrapServers,
            List<String> topics,
            InboxHandler handler) {
        return new Builder(name, store, checkpoints, bootstrapServers, topics, handler);
    }

    /** The settings of an inbox; {@link #start()} starts it. Not thread-safe. */
    final class Builder {
        final String name;
        final EventStore store;
        final CheckpointStore checkpoints;
        final String bootstrapServers;
        final List<String> topics;
        final InboxHandler handler;
        RetryPolicy retry = RetryPolicy.DEFAULT;
        int maxPollRecords = 500;
        Clock clock = Clock.systemUTC();
        final Map<String, Object> consumerProperties = new HashMap<>();

        @Nullable
        MeterRegistry registry;

        Builder(
                String name,
                EventStore store,
                CheckpointStore checkpoints,
                String bootstrapServers,
                List<String> topics,
                InboxHandler handler) {
            if (!name.matches("[A-Za-z0-9._@/-]{1,100}")) {
                throw new IllegalArgumentException(
                        "an inbox name must be 1-100 letters, digits and . _ - @ /, got '" + name + "'");
            }
            this.name = name;
            this.store = Objects.requireNonNull(store, "store");
            this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
            if (bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("bootstrapServers must name at least one host:port, got ''");
            }
            this.bootstrapServers = bootstrapServers;
            if (topics.isEmpty()) {
                throw new IllegalArgumentException("an inbox consumes at least one topic, got none");
            }
            this.topics = List.copyOf(topics);
            this.handler = Objects.requireNonNull(handler, "handler");
        }

        /** How failing records are retried before they are parked; {@link RetryPolicy#DEFAULT} by default. */
        public Builder retry(RetryPolicy policy) {
            this.retry = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** The most records taken per poll, 500 by default (Kafka's {@code max.poll.records}). */
        public Builder maxPollRecords(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("maxPollRecords must be 1 or more, got " + count);
            }
            this.maxPollRecords = count;
            return this;
        }

        /** The clock of parking times. */
        public Builder clock(Clock source) {
            this.clock = Objects.requireNonNull(source, "source");
            return this;
        }

        /**
         * A setting of the Kafka consumer (security, {@code session.timeout.ms}...). The inbox sets {@code
         * group.id} (its name), {@code enable.auto.commit=false}, the deserializers and {@code
         * max.poll.records} itself; {@code auto.offset.reset} is {@code earliest} unless set here.
         *
         * @throws IllegalArgumentException for a setting the inbox fixes
         */
        public Builder consumerProperty(String key, Object value) {
            if (InboxRunner.FIXED.contains(key)) {
                throw new IllegalArgumentException("the inbox sets '" + key + "' itself; use the builder's methods");
            }
            consumerProperties.put(key, Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Publishes counter {@code factum.inbox.records} tagged {@code outcome=handled|duplicate|parked}, gauge {@code
         * factum.inbox.lag.records} (records in the assigned partitions not yet handled), tagged {@code
         * inbox=<name>}.
         */
        public Builder meterRegistry(MeterRegistry meters) {
            this.registry = Objects.requireNonNull(meters, "meters");
            return this;
        }

        /** Starts consuming on a thread of its own. */
        public KafkaInbox start() {
            return InboxRunner.start(this);
        }
    }
}
