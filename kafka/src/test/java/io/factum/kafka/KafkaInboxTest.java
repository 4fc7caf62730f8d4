package io.factum.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.aggregate.Decider;
import io.factum.core.aggregate.DeciderRepository;
import io.factum.core.command.CommandBus;
import io.factum.core.command.CommandHandler;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.serialization.EventType;
import io.factum.core.serialization.EventTypes;
import io.factum.core.subscription.CheckpointStore;
import io.factum.core.subscription.ParkedEvent;
import io.factum.core.subscription.RetryLaterException;
import io.factum.core.subscription.RetryPolicy;
import io.factum.core.subscription.SubscriptionState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class KafkaInboxTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final RetryPolicy FAST = new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50));

    final KafkaTestBroker broker = SharedBroker.get();
    final EventStore store = EventStore.inMemory();
    final CheckpointStore checkpoints = CheckpointStore.inMemory();
    final List<AutoCloseable> running = new ArrayList<>();
    final String topic = "inbox-test-" + UUID.randomUUID();
    final KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable each : running) {
            each.close();
        }
        producer.close();
        store.close();
    }

    KafkaInbox start(String name, InboxHandler handler) {
        KafkaInbox inbox = KafkaInbox.builder(
                        name, store, checkpoints, broker.bootstrapServers(), List.of(topic), handler)
                .retry(FAST)
                .start();
        running.add(inbox);
        return inbox;
    }

    /** Sends a record as the relay would for event {@code version} of {@code stream}. */
    UUID publish(String stream, long version, UUID eventId) throws Exception {
        Map<String, String> headers = new HashMap<>();
        headers.put(KafkaHeaders.EVENT_ID, eventId.toString());
        headers.put(KafkaHeaders.EVENT_TYPE, "Shipped");
        headers.put(KafkaHeaders.STREAM_VERSION, Long.toString(version));
        send(stream, "{\"version\":" + version + "}", headers);
        return eventId;
    }

    void send(String key, String value, Map<String, String> headers) throws Exception {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
                topic, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
        headers.forEach(
                (name, text) -> record.headers().add(new RecordHeader(name, text.getBytes(StandardCharsets.UTF_8))));
        producer.send(record).get(30, TimeUnit.SECONDS);
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + WAIT + " for " + what);
            }
            Thread.sleep(20);
        }
    }

    List<RecordedEvent> events(String stream) {
        return store.readStream(stream, ReadDirection.FORWARD, 0, 10_000).events();
    }

    // a consumer's own aggregate: a shipment per order, counting the order events it learnt of
    sealed interface Tally {
        @EventType("Noted")
        record Noted(String sourceStream, long sourceVersion) implements Tally {}
    }

    record Note(String sourceStream, long sourceVersion) {}

    @Nested
    class Through_a_command_bus {

        @Test
        void applies_each_event_once_however_often_it_comes() throws Exception {
            broker.createTopic(2, topic);
            EventSerializer serializer = EventSerializer.of(
                    EventTypes.builder().registerSealed(Tally.class).build());
            Decider<Note, Tally, Integer> decider = Decider.of(
                    () -> 0,
                    (Note command, Integer state) ->
                            List.of(new Tally.Noted(command.sourceStream(), command.sourceVersion())),
                    (Integer state, Tally event) -> state + 1);
            DeciderRepository<Note, Tally, Integer> tallies = DeciderRepository.builder(
                            store, serializer, "tally", decider, Tally.class)
                    .build();
            CommandBus bus = CommandBus.builder()
                    .handle(Note.class, CommandHandler.decide(tallies, note -> note.sourceStream()
                            .replace('-', '_')))
                    .build();
            start(
                    "tallies",
                    InboxHandler.commands(
                            bus, message -> Optional.of(new Note(message.streamId(), message.streamVersion()))));

            List<UUID> ids = new ArrayList<>();
            for (int version = 0; version < 5; version++) {
                ids.add(publish("order-1", version, UUID.randomUUID()));
            }
            // the relay published some again (a crash before its checkpoint moved)
            for (int version = 2; version < 5; version++) {
                publish("order-1", version, ids.get(version));
            }
            publish("order-1", 5, UUID.randomUUID());

            await(
                    "6 events in tally-order_1",
                    () -> events("tally-order_1").size() == 6
                            && events("tally-order_1").get(5) != null);
            Thread.sleep(300); // a late copy would show by now; the assertion below is on content, not time
            assertThat(events("tally-order_1"))
                    .extracting(RecordedEvent::data)
                    .containsExactly(
                            "{\"sourceStream\":\"order-1\",\"sourceVersion\":0}",
                            "{\"sourceStream\":\"order-1\",\"sourceVersion\":1}",
                            "{\"sourceStream\":\"order-1\",\"sourceVersion\":2}",
                            "{\"sourceStream\":\"order-1\",\"sourceVersion\":3}",
                            "{\"sourceStream\":\"order-1\",\"sourceVersion\":4}",
                            "{\"sourceStream\":\"order-1\",\"sourceVersion\":5}");
        }
    }

    @Nested
    class Failures {

        @Test
        void parks_a_record_that_is_no_relays_at_once_and_goes_on_with_the_partition() throws Exception {
            broker.createTopic(1, topic);
            List<String> handled = new CopyOnWriteArrayList<>();
            KafkaInbox inbox = start("poison", message -> handled.add(message.streamId()));
            send("order-9", "{}", Map.of()); // no event id
            publish("order-1", 0, UUID.randomUUID());

            await("order-1 handled", () -> handled.contains("order-1"));
            assertThat(handled).containsExactly("order-1");
            await("one parked", () -> inbox.parked().size() == 1);
            ParkedEvent parked = inbox.parked().get(0);
            assertThat(parked.subscription()).isEqualTo("poison");
            assertThat(parked.type()).isEqualTo("(unreadable record)");
            assertThat(parked.attempts()).isEqualTo(1);
            assertThat(parked.error())
                    .isEqualTo("PoisonRecordException: record " + topic + "-0@0 has no header factum-event-id");
            assertThat(inbox.status().parked()).isEqualTo(1);
            RecordedEvent kept = events("factuminbox-poison").get(0);
            assertThat(kept.type()).isEqualTo("RecordParked");
            assertThat(kept.data()).contains("\"key\":\"order-9\"", "\"offset\":0");
        }

        @Test
        void retries_a_failing_handler_then_parks_the_record_and_replays_it_once_fixed() throws Exception {
            broker.createTopic(1, topic);
            AtomicBoolean broken = new AtomicBoolean(true);
            AtomicInteger tries = new AtomicInteger();
            List<Long> handled = new CopyOnWriteArrayList<>();
            KafkaInbox inbox = start("flaky", message -> {
                if (message.streamVersion() == 1 && broken.get()) {
                    tries.incrementAndGet();
                    throw new IllegalStateException("cannot reach the warehouse");
                }
                handled.add(message.streamVersion());
            });
            UUID bad = UUID.randomUUID();
            publish("order-1", 0, UUID.randomUUID());
            publish("order-1", 1, bad);
            publish("order-1", 2, UUID.randomUUID());

            await("versions 0 and 2 handled", () -> handled.size() == 2);
            assertThat(handled).containsExactly(0L, 2L);
            assertThat(tries).hasValue(3);
            ParkedEvent parked = inbox.parked().get(0);
            assertThat(parked.eventId()).isEqualTo(bad);
            assertThat(parked.streamId()).isEqualTo("order-1");
            assertThat(parked.streamVersion()).isEqualTo(1);
            assertThat(parked.type()).isEqualTo("Shipped");
            assertThat(parked.error()).isEqualTo("IllegalStateException: cannot reach the warehouse");

            broken.set(false);
            assertThat(inbox.replayParked(parked.position())).isTrue();
            assertThat(handled).containsExactly(0L, 2L, 1L);
            assertThat(inbox.parked()).isEmpty();
        }

        @Test
        void retries_for_as_long_as_the_handler_says_retry_later_and_parks_nothing() throws Exception {
            broker.createTopic(1, topic);
            AtomicInteger tries = new AtomicInteger();
            List<SubscriptionState> states = new CopyOnWriteArrayList<>();
            List<Long> handled = new CopyOnWriteArrayList<>();
            KafkaInbox[] self = new KafkaInbox[1];
            KafkaInbox inbox = start("outage", message -> {
                if (tries.incrementAndGet() <= 6) {
                    if (self[0] != null) {
                        states.add(self[0].status().state());
                    }
                    throw new RetryLaterException("the store is down");
                }
                handled.add(message.streamVersion());
            });
            self[0] = inbox;
            publish("order-1", 0, UUID.randomUUID());
            publish("order-1", 1, UUID.randomUUID());

            await("both handled", () -> handled.size() == 2);
            assertThat(handled).containsExactly(0L, 1L);
            assertThat(inbox.parked()).isEmpty();
            assertThat(states).contains(SubscriptionState.FAILED);
        }
    }

    @Nested
    class Rebalances {

        @Test
        void two_members_share_the_partitions_and_every_event_is_applied_once() throws Exception {
            broker.createTopic(4, topic);
            InboxHandler apply = message -> store.append(
                    "applied-" + message.streamId(),
                    ExpectedVersion.any(),
                    List.of(EventData.of(message.eventIdFor(0), "Applied", "{\"v\":" + message.streamVersion() + "}")));
            KafkaInbox first = start("shared", apply);
            for (int stream = 0; stream < 8; stream++) {
                for (int version = 0; version < 10; version++) {
                    publish("order-" + stream, version, UUID.randomUUID());
                }
            }
            KafkaInbox second = start("shared", apply);
            for (int stream = 0; stream < 8; stream++) {
                for (int version = 10; version < 20; version++) {
                    publish("order-" + stream, version, UUID.randomUUID());
                }
            }
            first.close();
            for (int stream = 0; stream < 8; stream++) {
                for (int version = 20; version < 25; version++) {
                    publish("order-" + stream, version, UUID.randomUUID());
                }
            }
            for (int stream = 0; stream < 8; stream++) {
                String applied = "applied-order-" + stream;
                await(applied + " complete", () -> events(applied).size() >= 25);
            }
            assertThat(second.status().state()).isNotEqualTo(SubscriptionState.FAILED);
            for (int stream = 0; stream < 8; stream++) {
                assertThat(events("applied-order-" + stream))
                        .extracting(RecordedEvent::data)
                        .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 25)
                                .mapToObj(v -> "{\"v\":" + v + "}")
                                .toList());
            }
        }
    }
}
