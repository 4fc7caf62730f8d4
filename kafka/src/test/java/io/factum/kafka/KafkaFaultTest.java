package io.factum.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventData;
import io.factum.core.ExpectedVersion;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.store.sqlite.SqliteEventStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay and the inbox through crashes: the relay SIGKILLed mid-stream and started again, the broker
 * killed and started again while both run, the inbox SIGKILLed during a batch and started again. At the
 * end every event is in the topic in order per stream (first copies), and applied exactly once by the
 * inbox, in order per stream.
 */
class KafkaFaultTest {

    static final int STREAMS = 20;
    static final int EVENTS_PER_STREAM = 60;
    static final int TOTAL = STREAMS * EVENTS_PER_STREAM;
    static final Duration WAIT = Duration.ofSeconds(120);
    static final String TOPIC = "fault-orders";

    static KafkaTestBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaTestBroker.start(KafkaTestBroker.temporaryDirectory());
        broker.createTopic(4, TOPIC);
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void every_event_is_published_in_order_per_stream_and_applied_exactly_once_through_three_crashes(@TempDir Path dir)
            throws Exception {
        Path source = dir.resolve("source.db");
        Path target = dir.resolve("target.db");
        try (SqliteEventStore store = SqliteEventStore.open(source)) {
            // ten events of each stream at a time, the streams interleaved in the log
            for (int from = 0; from < EVENTS_PER_STREAM; from += 10) {
                for (int stream = 0; stream < STREAMS; stream++) {
                    List<EventData> events = new ArrayList<>();
                    for (int version = from; version < from + 10; version++) {
                        events.add(EventData.of("OrderChanged", "{\"version\":" + version + "}"));
                    }
                    store.append(
                            "order-" + stream,
                            from == 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(from - 1L),
                            events);
                }
            }
        }
        Path logs = Files.createDirectories(dir.resolve("logs"));
        List<String> relayArgs = List.of(source.toString(), broker.bootstrapServers(), TOPIC, "2");
        List<String> inboxArgs = List.of(target.toString(), broker.bootstrapServers(), TOPIC, "0");
        List<ChildProcess> children = new ArrayList<>();
        try {
            ChildProcess relay =
                    ChildProcess.start(FaultChildren.Relay.class, "published", logs.resolve("relay.log"), relayArgs);
            children.add(relay);
            ChildProcess inbox =
                    ChildProcess.start(FaultChildren.Inbox.class, "applied", logs.resolve("inbox.log"), inboxArgs);
            children.add(inbox);

            // the relay killed mid-stream, then started again from its checkpoint
            relay.awaitProgress("the relay to publish 300 events", WAIT, published -> published >= 300);
            relay.kill();
            relay = ChildProcess.start(FaultChildren.Relay.class, "published", logs.resolve("relay.log"), relayArgs);
            children.add(relay);
            relay.awaitProgress("the restarted relay to publish 200 events", WAIT, published -> published >= 200);

            // the broker killed while both publish and consume, then started again with its data
            broker.stop();
            Thread.sleep(1000);
            broker.start();

            // the inbox killed during a batch, then started again from its committed offsets
            long before = inbox.progress();
            inbox.awaitProgress("the inbox to apply 200 more events", WAIT, applied -> applied >= before + 200);
            inbox.kill();
            inbox = ChildProcess.start(FaultChildren.Inbox.class, "applied", logs.resolve("inbox.log"), inboxArgs);
            children.add(inbox);

            inbox.awaitProgress("the inbox to apply every event", WAIT, applied -> applied >= TOTAL);
            relay.awaitProgress("the relay to have nothing left", WAIT, published -> true);
        } finally {
            for (ChildProcess child : children) {
                child.kill();
            }
        }

        List<TopicReader.Seen> records = TopicReader.readAll(broker.bootstrapServers(), TOPIC);
        Map<String, List<Long>> firstCopies = TopicReader.firstCopiesByStream(records);
        assertThat(firstCopies).hasSize(STREAMS);
        List<Long> allVersions = LongStream.range(0, EVENTS_PER_STREAM).boxed().toList();
        firstCopies.forEach((stream, versions) ->
                assertThat(versions).as("first copies of " + stream).containsExactlyElementsOf(allVersions));
        assertThat(records.size()).as("records, copies included").isGreaterThanOrEqualTo(TOTAL);
        System.out.println("records in the topic: " + records.size() + " for " + TOTAL + " events ("
                + (records.size() - TOTAL) + " copies)");

        try (SqliteEventStore store = SqliteEventStore.open(target)) {
            assertThat(store.headPosition().position()).as("events applied").isEqualTo(TOTAL);
            for (int stream = 0; stream < STREAMS; stream++) {
                List<RecordedEvent> applied = store.readStream(
                                "applied-order-" + stream, ReadDirection.FORWARD, 0, 10_000)
                        .events();
                assertThat(applied)
                        .as("applied-order-" + stream)
                        .extracting(RecordedEvent::data)
                        .containsExactlyElementsOf(allVersions.stream()
                                .map(v -> "{\"version\":" + v + "}")
                                .toList());
            }
        }
    }
}
