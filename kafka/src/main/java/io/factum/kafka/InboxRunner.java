package io.factum.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.core.DuplicateEventException;
import io.factum.core.EventData;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StoreException;
import io.factum.core.StreamSlice;
import io.factum.core.subscription.ParkedEvent;
import io.factum.core.subscription.RetryLaterException;
import io.factum.core.subscription.SubscriptionState;
import io.factum.core.subscription.SubscriptionStatus;
import io.micrometer.core.instrument.Gauge;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread of an inbox: poll, hand each partition's records to the handler in order, commit the
 * partition's offset after them. A record whose handler keeps failing is parked (kept in the store) and the
 * partition goes on; while the store or the handler's dependency is unavailable, the partition is rewound to
 * the record and polled again after a backoff, so the consumer keeps its place in the group.
 */
final class InboxRunner implements KafkaInbox {

    private static final Logger LOG = LoggerFactory.getLogger(InboxRunner.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The category of the streams that keep parked records: {@code factuminbox-<inbox name>}. */
    static final String PARKED_CATEGORY = "factuminbox";

    static final Set<String> FIXED = Set.of(
            ConsumerConfig.GROUP_ID_CONFIG,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG);

    private final KafkaInbox.Builder settings;
    private final String parkedStream;
    private final Thread thread;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition moved = lock.newCondition();

    private volatile boolean closed;
    private volatile boolean paused;
    private volatile boolean sleeping;

    /** Set when the store or the handler's dependency was unavailable, until a record is handled again. */
    private volatile boolean unavailableNow;

    private volatile SubscriptionState state = SubscriptionState.CATCHING_UP;
    private volatile @Nullable String failure;
    private volatile @Nullable KafkaConsumer<byte[], byte[]> consumer;
    private volatile Position handledThrough = Position.START;
    private volatile long lagRecords;
    private volatile @Nullable Instant oldestUnhandled;
    private final AtomicLong handled = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong parkedCount = new AtomicLong(-1);
    private final AtomicLong parkedSinceStart = new AtomicLong();

    private InboxRunner(KafkaInbox.Builder settings) {
        this.settings = settings;
        this.parkedStream = PARKED_CATEGORY + "-" + settings.name;
        this.thread = Thread.ofPlatform()
                .name("factum-inbox-" + settings.name)
                .daemon(true)
                .unstarted(this::run);
    }

    static KafkaInbox start(KafkaInbox.Builder settings) {
        InboxRunner runner = new InboxRunner(settings);
        if (settings.registry != null) {
            var registry = settings.registry;
            Gauge.builder("factum.inbox.lag.records", runner, r -> r.lagRecords)
                    .tag("inbox", settings.name)
                    .description("records of the inbox's partitions not handled yet")
                    .register(registry);
            io.micrometer.core.instrument.FunctionCounter.builder("factum.inbox.records", runner, r -> r.handled.get())
                    .tag("inbox", settings.name)
                    .tag("outcome", "handled")
                    .register(registry);
            io.micrometer.core.instrument.FunctionCounter.builder(
                            "factum.inbox.records", runner, r -> r.parkedSinceStart.get())
                    .tag("inbox", settings.name)
                    .tag("outcome", "parked")
                    .register(registry);
            io.micrometer.core.instrument.FunctionCounter.builder(
                            "factum.inbox.records", runner, r -> r.duplicates.get())
                    .tag("inbox", settings.name)
                    .tag("outcome", "duplicate")
                    .register(registry);
        }
        runner.thread.start();
        return runner;
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "factum-inbox-" + settings.name);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.putAll(settings.consumerProperties);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, settings.name);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxPollRecords);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return config;
    }

    // -------------------------------------------------------------------------------------------- the loop

    private void run() {
        try (KafkaConsumer<byte[], byte[]> kafka = new KafkaConsumer<>(consumerConfig())) {
            consumer = kafka;
            kafka.subscribe(settings.topics);
            int unavailableTries = 0;
            boolean wasPaused = false;
            while (!closed) {
                if (paused != wasPaused) {
                    wasPaused = paused;
                    if (wasPaused) {
                        kafka.pause(kafka.assignment());
                    } else {
                        kafka.resume(kafka.paused());
                    }
                }
                if (wasPaused) {
                    // a partition assigned since the pause is paused too
                    kafka.pause(kafka.assignment());
                    state = SubscriptionState.PAUSED;
                }
                ConsumerRecords<byte[], byte[]> records = kafka.poll(Duration.ofMillis(200));
                boolean unavailable = handleAll(kafka, records);
                updateLag(kafka);
                if (unavailable) {
                    unavailableTries++;
                    state = SubscriptionState.FAILED;
                    sleep(settings.retry.backoff(unavailableTries));
                } else if (!unavailableNow) {
                    // FAILED lasts until a record is handled again, not only until a poll comes back empty
                    unavailableTries = 0;
                    if (!wasPaused) {
                        state = lagRecords == 0 ? SubscriptionState.LIVE : SubscriptionState.CATCHING_UP;
                    }
                }
            }
        } catch (WakeupException | InterruptedException e) {
            // closed
        } catch (RuntimeException | Error e) {
            failure = RelayProducer.describe(e);
            LOG.error("inbox {} failed for good", settings.name, e);
            state = SubscriptionState.FAILED;
            signal();
            return;
        } finally {
            consumer = null;
        }
        state = SubscriptionState.STOPPED;
        signal();
    }

    /**
     * Hands the records to the handler, partition by partition, committing each partition after its records.
     *
     * @return true if the store or the handler's dependency was unavailable: the partitions not done are
     *     rewound to their first record not handled
     */
    private boolean handleAll(KafkaConsumer<byte[], byte[]> kafka, ConsumerRecords<byte[], byte[]> records)
            throws InterruptedException {
        if (records.isEmpty()) {
            return false;
        }
        Iterator<ConsumerRecord<byte[], byte[]>> first = records.iterator();
        oldestUnhandled = Instant.ofEpochMilli(first.next().timestamp());
        boolean unavailable = false;
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> ofPartition = records.records(partition);
            if (unavailable || closed) {
                kafka.seek(partition, ofPartition.get(0).offset());
                continue;
            }
            long next = -1;
            for (ConsumerRecord<byte[], byte[]> record : ofPartition) {
                if (closed) {
                    break;
                }
                try {
                    deliver(record);
                    next = record.offset() + 1;
                } catch (Unavailable e) {
                    unavailable = true;
                    unavailableNow = true;
                    failure = e.getMessage();
                    state = SubscriptionState.FAILED;
                    LOG.warn("inbox {}: {}; trying again", settings.name, e.getMessage());
                    kafka.seek(partition, record.offset());
                    break;
                }
            }
            if (next >= 0) {
                commit(kafka, partition, next);
            }
            if (closed
                    && next >= 0
                    && next <= ofPartition.get(ofPartition.size() - 1).offset()) {
                kafka.seek(partition, next);
            }
        }
        oldestUnhandled = null;
        return unavailable;
    }

    private void commit(KafkaConsumer<byte[], byte[]> kafka, TopicPartition partition, long next) {
        try {
            kafka.commitSync(Map.of(partition, new OffsetAndMetadata(next)));
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // the partition went to another member meanwhile: it gets these records again and the handler's
            // idempotence makes them no-ops
            LOG.info(
                    "inbox {}: committing {} at {} failed ({}); its new owner handles them again",
                    settings.name,
                    partition,
                    next,
                    e.getMessage());
        }
    }

    /** Hands one record to the handler, with retries; parks it if it keeps failing. */
    private void deliver(ConsumerRecord<byte[], byte[]> record) throws InterruptedException {
        Map<String, String> headers = headers(record);
        InboxMessage message;
        try {
            message = InboxMessage.read(
                    settings.name,
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    record.key(),
                    record.value(),
                    record.timestamp(),
                    headers);
        } catch (PoisonRecordException e) {
            park(record, headers, null, 1, RelayProducer.describe(e));
            return;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                settings.handler.handle(message);
                handled.incrementAndGet();
                failure = null;
                unavailableNow = false;
                sawPosition(message);
                return;
            } catch (DuplicateEventException e) {
                // the handler's events carry ids derived from the event id, and the store has them: this
                // message was applied before
                duplicates.incrementAndGet();
                failure = null;
                sawPosition(message);
                return;
            } catch (PoisonRecordException e) {
                park(record, headers, message, attempt, RelayProducer.describe(e));
                sawPosition(message);
                return;
            } catch (RetryLaterException | StoreException e) {
                throw new Unavailable(RelayProducer.describe(e), e);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                String error = RelayProducer.describe(e);
                failure = "record " + record.topic() + "-" + record.partition() + "@" + record.offset() + " (event "
                        + message.eventId() + ", try " + attempt + " of " + settings.retry.maxAttempts() + "): "
                        + error;
                if (attempt >= settings.retry.maxAttempts()) {
                    park(record, headers, message, attempt, error);
                    sawPosition(message);
                    return;
                }
                sleep(settings.retry.backoff(attempt));
                if (closed) {
                    throw new InterruptedException("the inbox closed while retrying");
                }
            }
        }
    }

    private void sawPosition(InboxMessage message) {
        message.sourcePosition().ifPresent(position -> {
            if (position.isAfter(handledThrough)) {
                handledThrough = position;
                signal();
            }
        });
    }

    private static Map<String, String> headers(ConsumerRecord<byte[], byte[]> record) {
        Map<String, String> headers = new HashMap<>();
        for (Header header : record.headers()) {
            if (header.value() != null) {
                headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
            }
        }
        return headers;
    }

    // ------------------------------------------------------------------------------------------- parking

    /**
     * Keeps the record in the store (stream {@code factuminbox-<name>}, an id derived from topic, partition
     * and offset, so parking it again after a crash writes nothing new), then lists it as parked.
     */
    private void park(
            ConsumerRecord<byte[], byte[]> record,
            Map<String, String> headers,
            @Nullable InboxMessage message,
            int attempts,
            String error) {
        LOG.warn(
                "inbox {} parks record {}-{}@{} after {} tries: {}",
                settings.name,
                record.topic(),
                record.partition(),
                record.offset(),
                attempts,
                error);
        UUID id = UUID.nameUUIDFromBytes(("factum-inbox-parked\u0000" + settings.name + "\u0000" + record.topic()
                        + "\u0000" + record.partition() + "\u0000" + record.offset())
                .getBytes(StandardCharsets.UTF_8));
        ObjectNode json = JSON.createObjectNode();
        json.put("topic", record.topic());
        json.put("partition", record.partition());
        json.put("offset", record.offset());
        json.put("timestamp", record.timestamp());
        json.put("key", record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8));
        json.put("value", record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8));
        ObjectNode headerJson = json.putObject("headers");
        headers.forEach(headerJson::put);
        json.put("error", error);
        json.put("attempts", attempts);
        Position position = settings.store
                .locateEvent(id)
                .map(at -> at.position())
                .orElseGet(() -> {
                    try {
                        return settings.store
                                .append(
                                        parkedStream,
                                        ExpectedVersion.any(),
                                        EventData.of(id, "RecordParked", json.toString()))
                                .position();
                    } catch (DuplicateEventException raced) {
                        return settings.store.locateEvent(id).orElseThrow().position();
                    }
                });
        settings.checkpoints.park(new ParkedEvent(
                settings.name,
                position,
                message != null ? message.eventId() : id,
                message != null ? message.streamId() : parkedStream,
                message != null ? message.streamVersion() : -1,
                message != null ? message.type() : "(unreadable record)",
                attempts,
                error,
                settings.clock.instant()));
        parkedSinceStart.incrementAndGet();
        parkedCount.set(-1);
    }

    @Override
    public List<ParkedEvent> parked() {
        return settings.checkpoints.parked(settings.name);
    }

    @Override
    public boolean replayParked(Position position) {
        ParkedEvent parked = parked().stream()
                .filter(event -> event.position().equals(position))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "inbox " + settings.name + " has no record parked at position " + position));
        RecordedEvent stored = storedRecord(position)
                .orElseThrow(() -> new IllegalArgumentException("inbox " + settings.name + ": the parked record at "
                        + position + " is no longer in stream " + parkedStream));
        try {
            JsonNode json = JSON.readTree(stored.data());
            Map<String, String> headers = new HashMap<>();
            json.path("headers")
                    .properties()
                    .forEach(entry ->
                            headers.put(entry.getKey(), entry.getValue().asText()));
            InboxMessage message = InboxMessage.read(
                    settings.name,
                    json.path("topic").asText(),
                    json.path("partition").asInt(),
                    json.path("offset").asLong(),
                    json.path("key").isTextual() ? json.path("key").asText().getBytes(StandardCharsets.UTF_8) : null,
                    json.path("value").isTextual()
                            ? json.path("value").asText().getBytes(StandardCharsets.UTF_8)
                            : null,
                    json.path("timestamp").asLong(),
                    headers);
            settings.handler.handle(message);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            failure = "replay of the record parked at " + position + ": " + RelayProducer.describe(e);
            LOG.info("inbox {}: {}", settings.name, failure);
            return false;
        }
        boolean removed = settings.checkpoints.unpark(settings.name, parked.position());
        parkedCount.set(-1);
        return removed;
    }

    private Optional<RecordedEvent> storedRecord(Position position) {
        long from = 0;
        while (true) {
            StreamSlice slice = settings.store.readStream(parkedStream, ReadDirection.FORWARD, from, 500);
            for (RecordedEvent event : slice.events()) {
                if (event.position().equals(position)) {
                    return Optional.of(event);
                }
            }
            if (slice.events().isEmpty() || slice.endOfStream()) {
                return Optional.empty();
            }
            from = slice.events().get(slice.events().size() - 1).streamVersion() + 1;
        }
    }

    // --------------------------------------------------------------------------------------------- the API

    @Override
    public String name() {
        return settings.name;
    }

    @Override
    public SubscriptionStatus status() {
        Instant oldest = oldestUnhandled;
        Duration lag = oldest == null ? Duration.ZERO : Duration.between(oldest, settings.clock.instant());
        return new SubscriptionStatus(
                settings.name,
                state,
                handledThrough,
                handledThrough,
                handledThrough,
                lagRecords,
                lag.isNegative() ? Duration.ZERO : lag,
                handled.get(),
                parkedCount(),
                Optional.ofNullable(failure));
    }

    private int parkedCount() {
        long count = parkedCount.get();
        if (count < 0) {
            try {
                count = parked().size();
                parkedCount.set(count);
            } catch (RuntimeException e) {
                return 0;
            }
        }
        return (int) count;
    }

    private void updateLag(KafkaConsumer<byte[], byte[]> kafka) {
        long lag = 0;
        for (TopicPartition partition : kafka.assignment()) {
            lag += kafka.currentLag(partition).orElse(0);
        }
        lagRecords = lag;
    }

    @Override
    public void pause() {
        paused = true;
    }

    @Override
    public void resume() {
        paused = false;
    }

    @Override
    public boolean awaitPosition(Position position, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        lock.lock();
        try {
            while (position.isAfter(handledThrough)) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !thread.isAlive()) {
                    return !position.isAfter(handledThrough);
                }
                moved.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void signal() {
        lock.lock();
        try {
            moved.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void sleep(Duration duration) throws InterruptedException {
        sleeping = true;
        try {
            if (!closed) {
                Thread.sleep(duration.toMillis());
            }
        } finally {
            sleeping = false;
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        KafkaConsumer<byte[], byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        if (sleeping) {
            thread.interrupt();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(TimeUnit.SECONDS.toMillis(1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "KafkaInbox[" + settings.name + ", " + settings.topics + ", " + state + "]";
    }

    /** The store or the handler's dependency is unavailable: retry the record later, park nothing. */
    private static final class Unavailable extends RuntimeException {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
