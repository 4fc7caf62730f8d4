package io.factum.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads whole topics from the start, for the tests' checks. */
public final class TopicReader {

    private TopicReader() {}

    /** A record as the tests look at it. */
    public record Seen(
            String topic, int partition, long offset, String key, String value, Map<String, String> headers) {

        public long streamVersion() {
            return Long.parseLong(headers.get(KafkaHeaders.STREAM_VERSION));
        }

        public UUID eventId() {
            return UUID.fromString(headers.get(KafkaHeaders.EVENT_ID));
        }
    }

    /** Every record of {@code topic} now, in partition order (partition by partition). */
    public static List<Seen> readAll(String bootstrapServers, String topic) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<Seen> seen = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end " + ends);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    Map<String, String> headers = new LinkedHashMap<>();
                    for (Header header : record.headers()) {
                        headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
                    }
                    seen.add(new Seen(
                            record.topic(),
                            record.partition(),
                            record.offset(),
                            record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8),
                            record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8),
                            headers));
                }
            }
        }
        seen.sort(java.util.Comparator.comparing(Seen::partition).thenComparing(Seen::offset));
        return seen;
    }

    /**
     * Per stream (key), the stream versions in the order their first copies appear; later copies
     * (redeliveries) are left out.
     */
    public static Map<String, List<Long>> firstCopiesByStream(List<Seen> records) {
        Map<String, List<Long>> byStream = new LinkedHashMap<>();
        Map<String, java.util.Set<Long>> seen = new HashMap<>();
        for (Seen record : records) {
            if (seen.computeIfAbsent(record.key(), k -> new java.util.HashSet<>())
                    .add(record.streamVersion())) {
                byStream.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record.streamVersion());
            }
        }
        return byStream;
    }
}
