package io.factum.kafka;

import io.factum.core.EventData;
import io.factum.core.ExpectedVersion;
import io.factum.core.subscription.RetryPolicy;
import io.factum.store.sqlite.SqliteEventStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The processes {@link KafkaFaultTest} kills: a relay and an inbox, each on a SQLite store of its own, each
 * printing its progress to standard output every 100 ms until it is killed.
 */
final class FaultChildren {

    private FaultChildren() {}

    /** {@code relay <store file> <bootstrap> <topic> <slow ms per event>}. */
    static final class Relay {
        public static void main(String[] args) throws Exception {
            SqliteEventStore store = SqliteEventStore.open(Path.of(args[0]));
            long slow = Long.parseLong(args[3]);
            KafkaRelay relay = KafkaRelay.builder("fault-relay", store, store.checkpoints(), args[1])
                    .topic(event -> {
                        pause(slow);
                        return args[2];
                    })
                    .batchSize(50)
                    .deliveryTimeout(Duration.ofSeconds(3))
                    .retry(new RetryPolicy(3, Duration.ofMillis(50), Duration.ofMillis(500)))
                    .start();
            while (true) {
                RelayStatus status = relay.status();
                System.out.println(
                        "published " + status.published() + " lag " + status.lagEvents() + " state " + status.state());
                Thread.sleep(100);
            }
        }
    }

    /** {@code inbox <store file> <bootstrap> <topic> <slow ms per record>}. */
    static final class Inbox {
        public static void main(String[] args) throws Exception {
            SqliteEventStore store = SqliteEventStore.open(Path.of(args[0]));
            long slow = Long.parseLong(args[3]);
            KafkaInbox inbox = KafkaInbox.builder(
                            "fault-inbox", store, store.checkpoints(), args[1], List.of(args[2]), message -> {
                                pause(slow);
                                store.append(
                                        "applied-" + message.streamId(),
                                        ExpectedVersion.any(),
                                        List.of(EventData.of(
                                                message.eventIdFor(0),
                                                "Applied",
                                                "{\"version\":" + message.streamVersion() + "}")));
                            })
                    .maxPollRecords(100)
                    // a killed member's partitions move after this, not after Kafka's default 45 s
                    .consumerProperty("session.timeout.ms", 6000)
                    .consumerProperty("heartbeat.interval.ms", 1000)
                    .start();
            while (true) {
                // one event per record applied once: the store's head is the count
                System.out.println("applied " + store.headPosition().position() + " state "
                        + inbox.status().state());
                Thread.sleep(100);
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
