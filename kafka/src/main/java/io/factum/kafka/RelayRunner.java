package io.factum.kafka;

import io.factum.core.AllSlice;
import io.factum.core.EventReader;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.subscription.ConsumerGroup;
import io.factum.core.subscription.Subscription;
import io.factum.core.subscription.SubscriptionStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jspecify.annotations.Nullable;

/** A started relay: a subscription (or a consumer group member) whose batch handler is a {@link RelayProducer}. */
final class RelayRunner implements KafkaRelay {

    private final KafkaRelay.Builder settings;
    private final RelayProducer producer;
    private final @Nullable Subscription subscription;
    private final @Nullable ConsumerGroup member;

    private RelayRunner(
            KafkaRelay.Builder settings,
            RelayProducer producer,
            @Nullable Subscription subscription,
            @Nullable ConsumerGroup member) {
        this.settings = settings;
        this.producer = producer;
        this.subscription = subscription;
        this.member = member;
    }

    static KafkaRelay start(KafkaRelay.Builder settings) {
        RelayProducer producer = new RelayProducer(
                settings.name,
                settings.bootstrapServers,
                Map.copyOf(settings.producerProperties),
                new RelayProducer.RecordMapper(settings.topic, settings.traceparent),
                settings.deliveryTimeout);
        RelayRunner runner;
        if (settings.member != null) {
            EventReader reader = settings.reader;
            if (settings.readAhead) {
                PageAhead<List<@Nullable ProducerRecord<byte[], byte[]>>> pages =
                        new PageAhead<>(settings.reader, settings.name, producer::records);
                producer.readAhead(new RelayProducer.ReadAhead(pages, settings.checkpoints, settings.name));
                reader = pages;
            }
            producer.grouped();
            ConsumerGroup member = ConsumerGroup.builder(
                            settings.name,
                            settings.member,
                            reader,
                            settings.checkpoints,
                            Objects.requireNonNull(settings.leases))
                    .buckets(settings.buckets)
                    .leaseTime(settings.leaseTime)
                    .batchSize(settings.batchSize)
                    .retry(settings.retry)
                    .onParked(settings.onParked)
                    .filter(settings.filter)
                    .batchHandler(producer)
                    .start();
            producer.group(new RelayProducer.GroupView(member, settings.buckets));
            runner = new RelayRunner(settings, producer, null, member);
        } else {
            EventReader reader = settings.reader;
            if (settings.readAhead) {
                PageAhead<List<@Nullable ProducerRecord<byte[], byte[]>>> pages =
                        new PageAhead<>(settings.reader, settings.name, producer::records);
                producer.readAhead(new RelayProducer.ReadAhead(pages, settings.checkpoints, settings.name));
                reader = pages;
            }
            Subscription subscription = Subscription.batchHandler(settings.name, reader, settings.checkpoints, producer)
                    .filter(settings.filter)
                    .batchSize(settings.batchSize)
                    .retry(settings.retry)
                    .onParked(settings.onParked)
                    .start();
            runner = new RelayRunner(settings, producer, subscription, null);
        }
        if (settings.registry != null) {
            runner.register(settings.registry);
        }
        return runner;
    }

    @Override
    public String name() {
        return settings.name;
    }

    @Override
    public RelayStatus status() {
        if (subscription != null) {
            SubscriptionStatus status = subscription.status();
            return new RelayStatus(
                    settings.name,
                    status.state(),
                    status.lagEvents(),
                    status.lag(),
                    producer.published.get(),
                    producer.refused.get(),
                    producer.unavailable.get(),
                    status.lastError());
        }
        ConsumerGroup group = Objects.requireNonNull(member);
        Position lowest =
                group.checkpoints().values().stream().min(Position::compareTo).orElse(Position.START);
        long lagEvents = 0;
        Duration lag = Duration.ZERO;
        try {
            Position head = settings.reader.headPosition();
            if (!group.buckets().isEmpty() && head.isAfter(lowest)) {
                lagEvents = head.position() - lowest.position();
                AllSlice next = settings.reader.readAll(lowest, ReadDirection.FORWARD, 1, settings.filter);
                for (RecordedEvent event : next.events()) {
                    lag = Duration.between(event.recordedAt(), Instant.now());
                }
                if (lag.isNegative()) {
                    lag = Duration.ZERO;
                }
            }
        } catch (RuntimeException e) {
            // the store is down: the member reports it; the status still answers
        }
        return new RelayStatus(
                settings.name,
                group.state(),
                lagEvents,
                lag,
                producer.published.get(),
                producer.refused.get(),
                producer.unavailable.get(),
                group.lastError());
    }

    @Override
    public Optional<Subscription> subscription() {
        return Optional.ofNullable(subscription);
    }

    @Override
    public Optional<ConsumerGroup> groupMember() {
        return Optional.ofNullable(member);
    }

    @Override
    public boolean awaitPosition(Position position, Duration timeout) throws InterruptedException {
        return subscription != null
                ? subscription.awaitPosition(position, timeout)
                : Objects.requireNonNull(member).awaitPosition(position, timeout);
    }

    private void register(MeterRegistry registry) {
        String tag = settings.name;
        Gauge.builder("factum.relay.lag.events", this, relay -> relay.status().lagEvents())
                .tag("relay", tag)
                .description("events of the global log the relay has not published yet")
                .register(registry);
        Gauge.builder(
                        "factum.relay.lag.seconds",
                        this,
                        relay -> relay.status().lag().toMillis() / 1000.0)
                .tag("relay", tag)
                .description("how long ago the oldest event not yet published was recorded")
                .register(registry);
        FunctionCounter.builder("factum.relay.records", producer, p -> p.published.get())
                .tag("relay", tag)
                .description("records the broker acknowledged")
                .register(registry);
        FunctionCounter.builder("factum.relay.refused", producer, p -> p.refused.get())
                .tag("relay", tag)
                .description("records Kafka refused for good (each try counts)")
                .register(registry);
        FunctionCounter.builder("factum.relay.unavailable", producer, p -> p.unavailable.get())
                .tag("relay", tag)
                .description("times the broker did not acknowledge a batch in time")
                .register(registry);
    }

    @Override
    public void close() {
        try {
            if (subscription != null) {
                subscription.close();
            }
            if (member != null) {
                member.close();
            }
        } finally {
            producer.close();
        }
    }

    @Override
    public String toString() {
        return "KafkaRelay[" + settings.name + ", " + status().state() + "]";
    }
}
