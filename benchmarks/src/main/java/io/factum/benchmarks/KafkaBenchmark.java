package io.factum.benchmarks;

import io.factum.core.AppendResult;
import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.subscription.CheckpointStore;
import io.factum.kafka.KafkaHeaders;
import io.factum.kafka.KafkaRelay;
import io.factum.kafka.KafkaTestBroker;
import io.factum.store.sqlite.SqliteEventStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka relay against a raw {@code KafkaProducer} on the same broker, in one run: the raw producer sends
 * the very records the relay would send (same key, value and headers) with the relay's producer settings
 * ({@code acks=all}, idempotence, {@code linger.ms=5}, {@code batch.size=131072}) and waits for every
 * acknowledgement, as fast as it can; the relay reads the same events from the store, publishes them in
 * batches and moves its checkpoint after each batch's acknowledgements. Rounds alternate raw and relay, each
 * on a topic of its own. Then the latency from an append to a consumer: events appended one at a time at a
 * steady rate while the relay is live, a consumer notes when each arrives. The broker is a one-node KRaft
 * broker started as a child JVM (the tests' {@link KafkaTestBroker}). See docs/benchmarks.md.
 *
 * <p>Arguments: {@code [--events 200000] [--streams 1000] [--rounds 3] [--batch 1000] [--partitions 4]
 * [--store memory|sqlite] [--read-ahead true] [--group-buckets 0 (a group member)] [--latency-seconds 10] [--latency-rate 500] [--out file.md]}.
 */
public final class KafkaBenchmark {

    private KafkaBenchmark() {}

    public static void main(String[] args) throws Exception {
        int events = 200_000;
        int streams = 1_000;
        int rounds = 3;
        int batch = 1000;
        int partitions = 4;
        String storeKind = "memory";
        int latencySeconds = 10;
        int latencyRate = 500;
        boolean readAhead = true;
        int groupBuckets = 0;
        Path out = null;
        for (int i = 0; i < args.length; i += 2) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--events" -> events = Integer.parseInt(value);
                case "--streams" -> streams = Integer.parseInt(value);
                case "--rounds" -> rounds = Integer.parseInt(value);
                case "--batch" -> batch = Integer.parseInt(value);
                case "--partitions" -> partitions = Integer.parseInt(value);
                case "--store" -> storeKind = value;
                case "--latency-seconds" -> latencySeconds = Integer.parseInt(value);
                case "--latency-rate" -> latencyRate = Integer.parseInt(value);
                case "--read-ahead" -> readAhead = Boolean.parseBoolean(value);
                case "--group-buckets" -> groupBuckets = Integer.parseInt(value);
                case "--out" -> out = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path work = Files.createTempDirectory("factum-kafka-benchmark");
        List<String> report = new ArrayList<>();
        try (KafkaTestBroker broker = KafkaTestBroker.start(work.resolve("broker"));
                EventStore store = open(storeKind, work)) {
            System.err.println("broker at " + broker.bootstrapServers() + "; appending " + events + " events");
            Position last = fill(store, events, streams);
            List<RecordedEvent> all = readAll(store, events);
            List<ProducerRecord<byte[], byte[]>> template =
                    all.stream().map(KafkaBenchmark::record).toList();

            report.add("| round | raw producer (records/s) | relay (records/s) | relay / raw |");
            report.add("|---|---:|---:|---:|");
            List<Double> raws = new ArrayList<>();
            List<Double> relays = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            // round 0 warms both sides up (JIT, connections) and is not counted; the order of the two sides
            // alternates, so that neither always meets the machine's load first
            for (int round = 0; round <= rounds; round++) {
                String rawTopic = "raw-" + round;
                String relayTopic = "relay-" + round;
                broker.createTopic(partitions, rawTopic, relayTopic);
                warmUp(broker.bootstrapServers(), rawTopic, relayTopic);
                double raw;
                double relay;
                if (round % 2 == 0) {
                    raw = raw(broker.bootstrapServers(), rawTopic, template);
                    relay = relay(
                            broker.bootstrapServers(), relayTopic, store, last, events, batch, readAhead, groupBuckets);
                } else {
                    relay = relay(
                            broker.bootstrapServers(), relayTopic, store, last, events, batch, readAhead, groupBuckets);
                    raw = raw(broker.bootstrapServers(), rawTopic, template);
                }
                String row = String.format(
                        Locale.ROOT,
                        "| %s | %,.0f | %,.0f | %.2f |",
                        round == 0 ? "warm-up" : Integer.toString(round),
                        raw,
                        relay,
                        relay / raw);
                System.err.println(row);
                if (round > 0) {
                    raws.add(raw);
                    relays.add(relay);
                    ratios.add(relay / raw);
                    report.add(row);
                }
            }
            report.add(String.format(
                    Locale.ROOT,
                    "| median | %,.0f | %,.0f | **%.2f** (median of the rounds' ratios) |",
                    median(raws),
                    median(relays),
                    median(ratios)));

            broker.createTopic(partitions, "latency");
            warmUp(broker.bootstrapServers(), "latency");
            double[] latency = latency(broker.bootstrapServers(), "latency", store, latencySeconds, latencyRate);
            report.add("");
            report.add(String.format(
                    Locale.ROOT,
                    "Append to consumer (%s store, relay live, %d events/s for %d s, one event per append): "
                            + "p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d events.",
                    storeKind,
                    latencyRate,
                    latencySeconds,
                    latency[0],
                    latency[1],
                    latency[2],
                    (long) latency[3]));
        }
        report.add(
                0,
                String.format(
                        Locale.ROOT,
                        "%,d events of about 200 bytes in %,d streams, %s store, relay batch %,d%s, %d partitions, %d rounds:",
                        events,
                        streams,
                        storeKind,
                        batch,
                        groupBuckets > 0 ? ", a consumer group member holding " + groupBuckets + " buckets" : "",
                        partitions,
                        rounds));
        report.add(1, "");
        String text = String.join("\n", report) + "\n";
        System.out.print(text);
        if (out != null) {
            Files.writeString(out, text);
        }
        System.exit(0);
    }

    private static EventStore open(String kind, Path work) {
        return switch (kind) {
            case "memory" -> EventStore.inMemory();
            case "sqlite" -> SqliteEventStore.open(work.resolve("store.db"));
            default -> throw new IllegalArgumentException("--store must be memory or sqlite, got " + kind);
        };
    }

    /** {@code count} events of about 200 bytes over {@code streams} streams, 100 per append. */
    private static Position fill(EventStore store, int count, int streams) {
        Position last = Position.START;
        int appended = 0;
        int stream = 0;
        while (appended < count) {
            int size = Math.min(100, count - appended);
            List<EventData> data = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                data.add(EventData.of(
                                "OrderChanged",
                                "{\"orderId\":\"" + UUID.randomUUID() + "\",\"amount\":" + (appended + i)
                                        + ",\"note\":\"a line of text that stands for the rest of an event\"}")
                        .withMetadata("{\"correlationId\":\"" + UUID.randomUUID() + "\",\"causationId\":\""
                                + UUID.randomUUID() + "\"}"));
            }
            AppendResult result = store.append("order-" + (stream++ % streams), ExpectedVersion.any(), data);
            last = result.position();
            appended += size;
        }
        return last;
    }

    private static List<RecordedEvent> readAll(EventStore store, int count) {
        List<RecordedEvent> all = new ArrayList<>(count);
        try (var events = store.streamAll(Position.START, io.factum.core.EventFilter.all())) {
            events.forEach(all::add);
        }
        return all;
    }

    /** The record the relay sends for {@code event} (its topic is set per round). */
    private static ProducerRecord<byte[], byte[]> record(RecordedEvent event) {
        RecordHeaders headers = new RecordHeaders();
        header(headers, KafkaHeaders.EVENT_ID, event.eventId().toString());
        header(headers, KafkaHeaders.EVENT_TYPE, event.type());
        header(headers, KafkaHeaders.SCHEMA_VERSION, Integer.toString(event.schemaVersion()));
        header(headers, KafkaHeaders.STREAM_VERSION, Long.toString(event.streamVersion()));
        header(headers, KafkaHeaders.POSITION, event.position().toString());
        header(headers, KafkaHeaders.RECORDED_AT, event.recordedAt().toString());
        header(headers, KafkaHeaders.CORRELATION_ID, UUID.randomUUID().toString());
        header(headers, KafkaHeaders.CAUSATION_ID, UUID.randomUUID().toString());
        return new ProducerRecord<>(
                "",
                null,
                event.recordedAt().toEpochMilli(),
                event.streamId().getBytes(StandardCharsets.UTF_8),
                event.data().getBytes(StandardCharsets.UTF_8),
                headers);
    }

    private static void header(RecordHeaders headers, String key, String value) {
        headers.add(new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8)));
    }

    /** The relay's producer settings. */
    static Map<String, Object> producerSettings(String bootstrap) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return config;
    }

    /**
     * Sends one record to each partition of {@code topics} and waits for it: a topic just created answers
     * NOT_LEADER for a moment, which an idempotent producer's first batches must not meet while measured.
     */
    private static void warmUp(String bootstrap, String... topics) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerSettings(bootstrap))) {
            for (String topic : topics) {
                for (var partition : producer.partitionsFor(topic)) {
                    producer.send(new ProducerRecord<>(topic, partition.partition(), new byte[0], new byte[0]))
                            .get(60, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** Sends every record and waits for every acknowledgement; records per second. */
    private static double raw(String bootstrap, String topic, List<ProducerRecord<byte[], byte[]>> template)
            throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerSettings(bootstrap))) {
            producer.partitionsFor(topic);
            long start = System.nanoTime();
            List<Future<RecordMetadata>> acks = new ArrayList<>(template.size());
            for (ProducerRecord<byte[], byte[]> each : template) {
                acks.add(producer.send(
                        new ProducerRecord<>(topic, null, each.timestamp(), each.key(), each.value(), each.headers())));
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get();
            }
            return template.size() / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** Starts a relay from the start of the log and waits until it published everything; records per second. */
    private static double relay(
            String bootstrap,
            String topic,
            EventStore store,
            Position last,
            int events,
            int batch,
            boolean readAhead,
            int groupBuckets)
            throws InterruptedException {
        // a group's checkpoints are fenced by its leases: both stores share them
        io.factum.core.subscription.LeaseStore leases =
                io.factum.core.subscription.LeaseStore.inMemory(java.time.Clock.systemUTC());
        CheckpointStore checkpoints = CheckpointStore.inMemory(leases);
        long start = System.nanoTime();
        KafkaRelay.Builder settings = KafkaRelay.builder("benchmark-" + topic, store, checkpoints, bootstrap)
                .topic(topic)
                .batchSize(batch)
                .readAhead(readAhead);
        if (groupBuckets > 0) {
            // one member of a consumer group holding every bucket
            settings.group("member-1", leases).buckets(groupBuckets);
        }
        try (KafkaRelay relay = settings.start()) {
            if (!relay.awaitPosition(last, Duration.ofMinutes(10))) {
                throw new IllegalStateException("the relay did not publish everything: " + relay.status());
            }
            return events / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** p50, p99 and max in ms, and the count, of append-to-consumer latencies. */
    private static double[] latency(String bootstrap, String topic, EventStore store, int seconds, int rate)
            throws Exception {
        Map<String, Long> appendedAt = new ConcurrentHashMap<>();
        Latencies latencies = new Latencies();
        AtomicBoolean done = new AtomicBoolean();
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        Position head = store.headPosition();
        try (KafkaRelay relay = KafkaRelay.builder("latency", store, CheckpointStore.inMemory(), bootstrap)
                        .topic(topic)
                        .filter(io.factum.core.EventFilter.categories("latency"))
                        .start();
                KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            relay.awaitPosition(head, Duration.ofMinutes(1));
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            Thread appender = Thread.ofPlatform().start(() -> {
                long interval = TimeUnit.SECONDS.toNanos(1) / rate;
                long next = System.nanoTime();
                long end = next + TimeUnit.SECONDS.toNanos(seconds);
                int n = 0;
                while (System.nanoTime() < end) {
                    UUID id = UUID.randomUUID();
                    appendedAt.put(id.toString(), System.nanoTime());
                    store.append("latency-" + (n++ % 100), ExpectedVersion.any(), EventData.of(id, "Pinged", "{}"));
                    next += interval;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                }
                done.set(true);
            });
            long quietSince = 0;
            while (true) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    long now = System.nanoTime();
                    var header = record.headers().lastHeader(KafkaHeaders.EVENT_ID);
                    if (header == null) {
                        continue;
                    }
                    Long sent = appendedAt.remove(new String(header.value(), StandardCharsets.UTF_8));
                    if (sent != null) {
                        latencies.add(now - sent);
                    }
                }
                if (done.get() && appendedAt.isEmpty()) {
                    break;
                }
                if (done.get()) {
                    quietSince = quietSince == 0 ? System.nanoTime() : quietSince;
                    if (System.nanoTime() - quietSince > TimeUnit.SECONDS.toNanos(30)) {
                        throw new IllegalStateException(appendedAt.size() + " events never reached the consumer");
                    }
                }
            }
            appender.join();
        }
        Latencies sorted = Latencies.merge(List.of(latencies));
        return new double[] {
            sorted.percentileMillis(50), sorted.percentileMillis(99), sorted.percentileMillis(100), sorted.size()
        };
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted(Comparator.naturalOrder()).toList();
        return sorted.get(sorted.size() / 2);
    }
}
