package io.factum.kafka;

import io.factum.core.RecordedEvent;
import io.factum.core.subscription.BatchHandler;
import io.factum.core.subscription.RetryLaterException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's handler of a batch: sends every event of the batch as a record, waits until the broker
 * acknowledged them all, and returns, so that the subscription then moves the checkpoint. Called on the
 * subscription's thread only; the producer is made on first use and made anew after the broker was
 * unavailable (a fresh producer sends the batch again from its first record, so the first copies of a
 * stream's records stay in order).
 */
final class RelayProducer implements BatchHandler, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RelayProducer.class);

    /** The producer settings the relay fixes. */
    static final Set<String> FIXED = Set.of(
            ProducerConfig.ACKS_CONFIG,
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
            ProducerConfig.RETRIES_CONFIG);

    static String fixedSettings() {
        return "acks=all, enable.idempotence=true, max.in.flight.requests.per.connection=5, byte-array serializers,"
                + " bootstrap.servers, retries and delivery.timeout.ms from the builder";
    }

    private final String relay;
    private final Map<String, Object> config;
    private final RecordMapper mapper;
    private final Duration deliveryTimeout;
    private final Map<String, Object> adminConfig;

    /** Topics whose metadata the producer had. */
    private final Set<String> knownTopics = ConcurrentHashMap.newKeySet();

    /**
     * Read-ahead (a relay on its own, not in a group): while a batch's acknowledgements are awaited, the next
     * page is read and sent, so the broker is kept busy; the next call finds those records sent. Null when
     * off.
     */
    private @Nullable ReadAhead readAhead;

    /** Records of the next page, sent ahead, in the order of their events. */
    private final java.util.ArrayDeque<Sent> ahead = new java.util.ArrayDeque<>();

    /**
     * The first position of the page a batch last failed on: nothing is sent ahead from that page, since the
     * subscription now goes through it event by event and may park an event whose stream's later events
     * must not be sent.
     */
    private io.factum.core.@Nullable Position failedPage;

    /**
     * What read-ahead reads: the pages of the subscription's reader, and the subscription's name with its
     * checkpoint store (for its parked events).
     */
    record ReadAhead(
            PageAhead<List<@Nullable ProducerRecord<byte[], byte[]>>> pages,
            io.factum.core.subscription.CheckpointStore checkpoints,
            String subscription) {}

    /**
     * The records of a page read ahead, made on the read-ahead thread: null for an event whose record cannot
     * be made (its topic function failed); such an event is sent, or refused, the normal way.
     */
    List<@Nullable ProducerRecord<byte[], byte[]>> records(List<RecordedEvent> events) {
        List<@Nullable ProducerRecord<byte[], byte[]>> records = new ArrayList<>(events.size());
        for (RecordedEvent event : events) {
            try {
                records.add(mapper.record(event));
            } catch (RuntimeException e) {
                records.add(null);
            }
        }
        return records;
    }

    /** A record sent ahead: its event's position, topic, acknowledgement, and (in a group) the page it is of. */
    private record Sent(
            io.factum.core.Position position,
            String topic,
            Future<RecordMetadata> ack,
            io.factum.core.@Nullable AllSlice page) {}

    /**
     * A relay that is a consumer group member: the member, for the buckets it holds and their checkpoints,
     * and the group's number of buckets.
     */
    record GroupView(io.factum.core.subscription.ConsumerGroup member, int buckets) {}

    /** Set once the member started; null for a relay on its own, and until then. */
    private volatile @Nullable GroupView group;

    /** Set before the member starts: its first batch may come before {@link #group(GroupView)}. */
    private volatile boolean grouped;

    /** Makes this the producer of a consumer group member that is about to start. */
    void grouped() {
        this.grouped = true;
    }

    /**
     * In a group, the records sent ahead by position: the member hands each bucket its share of a page in
     * a call of its own, so they are found by position, not in order.
     */
    private final Map<io.factum.core.Position, Sent> groupAhead = new HashMap<>();

    /** In a group, the page whose held buckets' records were sent (with the page after it). */
    private io.factum.core.@Nullable AllSlice groupPage;

    /** Makes this the producer of a consumer group member: read-ahead then goes by the member's buckets. */
    void group(GroupView view) {
        this.group = view;
    }

    /** Turns read-ahead on. */
    void readAhead(ReadAhead settings) {
        this.readAhead = settings;
    }

    /** The events of the last failed batch that the broker acknowledged. */
    private final Set<io.factum.core.Position> acknowledgedOfFailedBatch = new java.util.HashSet<>();

    private @Nullable Producer<byte[], byte[]> producer;
    private @Nullable Admin admin;

    final AtomicLong published = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong unavailable = new AtomicLong();
    final AtomicReference<@Nullable String> brokerProblem = new AtomicReference<>();

    RelayProducer(
            String relay,
            String bootstrapServers,
            Map<String, Object> userProperties,
            RecordMapper mapper,
            Duration deliveryTimeout) {
        this.relay = relay;
        this.mapper = mapper;
        this.deliveryTimeout = deliveryTimeout;
        this.config = producerConfig(relay, bootstrapServers, userProperties, deliveryTimeout);
        Map<String, Object> adminSettings = new HashMap<>();
        adminSettings.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        adminSettings.put(AdminClientConfig.CLIENT_ID_CONFIG, "factum-relay-" + relay + "-admin");
        userProperties.forEach((key, value) -> {
            // the security settings of the producer hold for the admin client too
            if (key.startsWith("security.") || key.startsWith("sasl.") || key.startsWith("ssl.")) {
                adminSettings.put(key, value);
            }
        });
        this.adminConfig = adminSettings;
    }

    /** The producer's settings: the user's, then the relay's fixed ones over them. */
    static Map<String, Object> producerConfig(
            String relay, String bootstrapServers, Map<String, Object> userProperties, Duration deliveryTimeout) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "factum-relay-" + relay);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        int timeout = (int) Math.min(Integer.MAX_VALUE, deliveryTimeout.toMillis());
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout);
        config.putAll(userProperties);
        int linger = Integer.parseInt(String.valueOf(config.get(ProducerConfig.LINGER_MS_CONFIG)));
        config.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1, (timeout - linger) / 2));
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        config.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeout);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return config;
    }

    @Override
    public void handleAll(List<RecordedEvent> events) throws InterruptedException {
        if (!acknowledgedOfFailedBatch.isEmpty()) {
            // the subscription goes through a failed batch again one event at a time: those the broker
            // acknowledged in the batch are published, by this producer, in order
            List<RecordedEvent> rest = new ArrayList<>(events.size());
            for (RecordedEvent event : events) {
                if (!acknowledgedOfFailedBatch.remove(event.position())) {
                    rest.add(event);
                }
            }
            if (rest.isEmpty()) {
                return;
            }
            events = rest;
        }
        Producer<byte[], byte[]> sending = producer();
        boolean inGroup = grouped;
        if (!ahead.isEmpty()
                && !ahead.getFirst().position().equals(events.get(0).position())) {
            // the subscription went elsewhere (a retry, another instance's checkpoint): forget the read-ahead
            ahead.clear();
        }
        List<String> topics = new ArrayList<>(events.size());
        List<Future<RecordMetadata>> acks = new ArrayList<>(events.size());
        // a failure before a record could be sent (its topic function, its topic's metadata): nothing after it
        // is sent, and it counts as the failure of that record
        @Nullable RuntimeException notSent = null;
        boolean stopped = false;
        for (RecordedEvent event : events) {
            Sent early = inGroup ? groupAhead.remove(event.position()) : ahead.pollFirst();
            if (!inGroup && early != null && !early.position().equals(event.position())) {
                // the batch is not the page read ahead (a stream held back meanwhile): send it the normal way
                ahead.clear();
                early = null;
            }
            if (early != null) {
                topics.add(early.topic());
                acks.add(early.ack());
                if (failedAtOnce(early.ack())) {
                    stopped = true;
                    break;
                }
                continue;
            }
            ProducerRecord<byte[], byte[]> record;
            try {
                record = mapper.record(event);
                if (!knownTopics.contains(record.topic())) {
                    awaitMetadata(sending, event, record.topic());
                }
            } catch (RecordRefusedException | RetryLaterException e) {
                notSent = e;
                stopped = true;
                break;
            }
            topics.add(record.topic());
            Future<RecordMetadata> ack;
            try {
                ack = sending.send(record);
            } catch (KafkaException e) {
                // the producer is broken (closed, fenced): wait for what it took, then make a new one
                acks.add(java.util.concurrent.CompletableFuture.failedFuture(e));
                stopped = true;
                break;
            }
            acks.add(ack);
            if (failedAtOnce(ack)) {
                // refused before it was sent (too large for the producer, say): send nothing after it
                stopped = true;
                break;
            }
        }
        boolean sentAhead = !stopped && (inGroup ? sendAheadInGroup(sending, events) : sendAhead(sending, events));
        if (!sentAhead) {
            // the batch is complete and nothing follows it: send what lingers now instead of after linger.ms
            try {
                sending.flush();
            } catch (KafkaException e) {
                // a broken producer: the acknowledgements below tell what it took
            }
        }
        long deadline = System.nanoTime() + deliveryTimeout.toNanos() + TimeUnit.SECONDS.toNanos(1);
        @Nullable Throwable firstFailure = null;
        int failedAt = -1;
        int notAcknowledged = 0;
        for (int i = 0; i < acks.size(); i++) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                acks.get(i).get(left, TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                notAcknowledged++;
                if (firstFailure == null) {
                    firstFailure = new org.apache.kafka.common.errors.TimeoutException(
                            "no acknowledgement within " + deliveryTimeout.toMillis() + " ms", e);
                    failedAt = i;
                }
            } catch (ExecutionException e) {
                notAcknowledged++;
                if (firstFailure == null) {
                    firstFailure = e.getCause() == null ? e : e.getCause();
                    failedAt = i;
                }
            }
        }
        int acknowledged = acks.size() - notAcknowledged;
        published.addAndGet(acknowledged);
        if (firstFailure == null && notSent == null) {
            brokerProblem.set(null);
            return;
        }
        acknowledgedOfFailedBatch.clear();
        // what was sent ahead may come again, and parked events may hold streams back now
        ahead.clear();
        groupAhead.clear();
        groupPage = null;
        failedPage = firstPosition(readAhead);
        if (firstFailure == null) {
            firstFailure = notSent;
            failedAt = acks.size();
        }
        RecordedEvent event = events.get(failedAt);
        if (firstFailure instanceof RecordRefusedException || isRefusal(firstFailure)) {
            // the ones acknowledged are not sent again when the subscription goes event by event
            for (int i = 0; i < acks.size(); i++) {
                if (acks.get(i).isDone() && !failed(acks.get(i))) {
                    acknowledgedOfFailedBatch.add(events.get(i).position());
                }
            }
            refused.incrementAndGet();
            if (firstFailure instanceof RecordRefusedException refusal) {
                throw refusal;
            }
            throw new RecordRefusedException(
                    event.streamId(),
                    event.streamVersion(),
                    event.position(),
                    topics.get(failedAt),
                    describe(firstFailure),
                    firstFailure);
        }
        unavailable.incrementAndGet();
        discardProducer();
        if (firstFailure instanceof RetryLaterException retry) {
            brokerProblem.set(retry.getMessage());
            throw retry;
        }
        String problem = "broker " + config.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG) + " did not acknowledge "
                + notAcknowledged + " of " + events.size() + " records within " + deliveryTimeout.toMillis()
                + " ms: " + describe(firstFailure);
        brokerProblem.set(problem);
        LOG.warn("relay {}: {}; sending the batch again with a new producer", relay, problem);
        throw new RetryLaterException(problem, firstFailure);
    }

    /**
     * Reads the page after the subscription's last one (kept for the subscription, which reads it next) and
     * sends it, up to the first event that cannot be sent at once (its topic not known yet, refused, its
     * stream held back behind a parked event): those go the normal way.
     *
     * @return true if anything was sent ahead
     */
    private boolean sendAhead(Producer<byte[], byte[]> sending, List<RecordedEvent> batch) throws InterruptedException {
        ReadAhead settings = readAhead;
        if (settings == null) {
            return false;
        }
        PageAhead.@Nullable Page<List<@Nullable ProducerRecord<byte[], byte[]>>> current =
                settings.pages().last();
        if (current == null
                || current.events().isEmpty()
                || isFailedPage(current)
                || !batch.getLast().position().equals(current.events().getLast().position())) {
            // the page is not done: the subscription holds some of its events back (a parked stream) or goes
            // through it event by event, and the next page must wait for those
            return false;
        }
        PageAhead.@Nullable Page<List<@Nullable ProducerRecord<byte[], byte[]>>> next;
        Set<String> held;
        try {
            held = heldStreams(settings);
            next = settings.pages().next();
            if (next == null) {
                return false;
            }
        } catch (RuntimeException e) {
            // the store fails: the subscription finds out on its own read
            return false;
        }
        boolean any = false;
        List<RecordedEvent> events = next.events();
        List<@Nullable ProducerRecord<byte[], byte[]>> records = Objects.requireNonNull(next.prepared());
        for (int i = 0; i < events.size(); i++) {
            RecordedEvent event = events.get(i);
            Sent sent = sendOneAhead(sending, event, records.get(i), held, null);
            if (sent == null) {
                break;
            }
            ahead.addLast(sent);
            any = true;
            if (failedAtOnce(sent.ack())) {
                break;
            }
        }
        return any;
    }

    /**
     * Sends one event's record ahead, if it can go at once: its record made, its topic known, its stream not
     * held back behind a parked event, the producer taking it.
     *
     * @return what was sent; null if it cannot go ahead (it then goes the normal way, and so does what follows)
     */
    private @Nullable Sent sendOneAhead(
            Producer<byte[], byte[]> sending,
            RecordedEvent event,
            @Nullable ProducerRecord<byte[], byte[]> record,
            Set<String> held,
            io.factum.core.@Nullable AllSlice page) {
        if (record == null || held.contains(event.streamId()) || !knownTopics.contains(record.topic())) {
            return null;
        }
        try {
            return new Sent(event.position(), record.topic(), sending.send(record), page);
        } catch (KafkaException e) {
            return null;
        }
    }

    /**
     * In a consumer group, at the first batch of a page: sends the rest of the page's events of the buckets
     * the member holds (after each bucket's checkpoint), then those of the page after it, up to the first
     * event that cannot be sent at once (its record not made, its topic not known yet, its stream held back
     * behind a parked event): from there on everything goes the normal way, so a stream's records are sent
     * in order. The member then finds its buckets' shares of the page sent, and the next page under way.
     *
     * @return true if anything was sent ahead
     */
    private boolean sendAheadInGroup(Producer<byte[], byte[]> sending, List<RecordedEvent> batch)
            throws InterruptedException {
        ReadAhead settings = readAhead;
        GroupView view = group;
        if (settings == null || view == null) {
            return false;
        }
        PageAhead.@Nullable Page<List<@Nullable ProducerRecord<byte[], byte[]>>> current =
                settings.pages().last();
        if (current == null || current.slice() == groupPage || isFailedPage(current)) {
            return false;
        }
        groupPage = current.slice();
        // what was sent for older pages and not asked for (a bucket lost, a checkpoint moved): forgotten
        groupAhead.values().removeIf(sent -> sent.page() != current.slice());
        Map<Integer, io.factum.core.Position> checkpoints;
        Set<String> held;
        try {
            checkpoints = view.member().checkpoints();
            held = heldStreams(settings);
        } catch (RuntimeException e) {
            return false;
        }
        Set<io.factum.core.Position> inBatch = new java.util.HashSet<>(batch.size());
        for (RecordedEvent event : batch) {
            inBatch.add(event.position());
        }
        int sent = sendHeldBuckets(sending, view, current, checkpoints, held, inBatch);
        if (sent < 0) {
            return true;
        }
        PageAhead.@Nullable Page<List<@Nullable ProducerRecord<byte[], byte[]>>> next;
        try {
            next = settings.pages().next();
        } catch (RuntimeException e) {
            return sent > 0;
        }
        if (next == null) {
            return sent > 0;
        }
        int more = sendHeldBuckets(sending, view, next, checkpoints, held, Set.of());
        return sent > 0 || more != 0;
    }

    /**
     * Sends the events of {@code page} that the member will be handed (held buckets, after their
     * checkpoints), except those in {@code skip} or sent already.
     *
     * @return how many were sent; -1 if it stopped at one that cannot be sent ahead
     */
    private int sendHeldBuckets(
            Producer<byte[], byte[]> sending,
            GroupView view,
            PageAhead.Page<List<@Nullable ProducerRecord<byte[], byte[]>>> page,
            Map<Integer, io.factum.core.Position> checkpoints,
            Set<String> held,
            Set<io.factum.core.Position> skip)
            throws InterruptedException {
        List<RecordedEvent> events = page.events();
        List<@Nullable ProducerRecord<byte[], byte[]>> records = page.prepared();
        int sent = 0;
        for (int i = 0; i < events.size(); i++) {
            RecordedEvent event = events.get(i);
            io.factum.core.Position checkpoint =
                    checkpoints.get(io.factum.core.StreamIds.bucket(event.streamId(), view.buckets()));
            if (checkpoint == null
                    || !event.position().isAfter(checkpoint)
                    || skip.contains(event.position())
                    || groupAhead.containsKey(event.position())) {
                continue;
            }
            ProducerRecord<byte[], byte[]> record;
            if (records != null) {
                record = records.get(i);
            } else {
                try {
                    record = mapper.record(event);
                } catch (RuntimeException e) {
                    record = null;
                }
            }
            Sent ahead = sendOneAhead(sending, event, record, held, page.slice());
            if (ahead == null) {
                return -1;
            }
            groupAhead.put(event.position(), ahead);
            sent++;
            if (failedAtOnce(ahead.ack())) {
                return -1;
            }
        }
        return sent;
    }

    /**
     * The streams with a parked event, whose later events the subscription holds back: read at each page
     * sent ahead, since a group's other members, or another instance, park events too.
     */
    private static Set<String> heldStreams(ReadAhead settings) {
        Set<String> held = new java.util.HashSet<>();
        for (var parked : settings.checkpoints().parked(settings.subscription())) {
            held.add(parked.streamId());
        }
        return held;
    }

    private boolean isFailedPage(PageAhead.Page<?> page) {
        return !page.events().isEmpty() && page.events().getFirst().position().equals(failedPage);
    }

    private static io.factum.core.@Nullable Position firstPosition(@Nullable ReadAhead settings) {
        if (settings == null) {
            return null;
        }
        PageAhead.@Nullable Page<?> page = settings.pages().last();
        return page == null || page.events().isEmpty()
                ? null
                : page.events().getFirst().position();
    }

    /**
     * Asks the cluster whether {@code topic} exists: if it answers that it does not, the event is refused; if
     * it does not answer, the broker is unavailable.
     */
    private void checkTopic(RecordedEvent event, String topic, @Nullable Throwable cause) throws InterruptedException {
        try {
            admin().describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(deliveryTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new RecordRefusedException(
                        event.streamId(),
                        event.streamVersion(),
                        event.position(),
                        topic,
                        "the topic does not exist and the broker does not create it; create it",
                        cause == null ? e.getCause() : cause);
            }
            if (!(e.getCause() instanceof RetriableException) && e.getCause() != null) {
                throw new RecordRefusedException(
                        event.streamId(), event.streamVersion(), event.position(), topic, describe(e.getCause()), e);
            }
            throw unavailable(e.getCause() == null ? e : e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw unavailable(e);
        }
    }

    private RetryLaterException unavailable(Throwable cause) {
        String problem = "broker " + config.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)
                + " did not answer for topic metadata within " + deliveryTimeout.toMillis() + " ms: "
                + describe(cause);
        return new RetryLaterException(problem, cause);
    }

    /** True for a failure that waiting will not fix. */
    static boolean isRefusal(Throwable failure) {
        if (failure instanceof RetriableException || failure instanceof InterruptedException) {
            return false;
        }
        // a producer closed or fenced under us is the producer's problem, not the record's
        return failure instanceof org.apache.kafka.common.errors.ApiException
                && !(failure instanceof org.apache.kafka.common.errors.OutOfOrderSequenceException)
                && !(failure instanceof org.apache.kafka.common.errors.ProducerFencedException)
                && !(failure instanceof org.apache.kafka.common.errors.UnknownProducerIdException)
                && !(failure instanceof org.apache.kafka.common.errors.InvalidPidMappingException);
    }

    /**
     * Waits for the metadata of a topic not used yet (which also makes a broker that creates topics create
     * it): refuses the event if the cluster says the topic does not exist.
     */
    private void awaitMetadata(Producer<byte[], byte[]> sending, RecordedEvent event, String topic)
            throws InterruptedException {
        try {
            sending.partitionsFor(topic);
            knownTopics.add(topic);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            checkTopic(event, topic, e);
            // it exists, but the producer saw no metadata in time: the broker is slow or away
            throw unavailable(e);
        } catch (KafkaException e) {
            if (isRefusal(e)) {
                throw new RecordRefusedException(
                        event.streamId(), event.streamVersion(), event.position(), topic, describe(e), e);
            }
            throw unavailable(e);
        }
    }

    private static boolean failed(Future<RecordMetadata> ack) throws InterruptedException {
        try {
            ack.get();
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    private static boolean failedAtOnce(Future<RecordMetadata> ack) throws InterruptedException {
        if (!ack.isDone()) {
            return false;
        }
        try {
            ack.get();
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    static String describe(Throwable failure) {
        return failure.getClass().getSimpleName() + ": " + failure.getMessage();
    }

    private Producer<byte[], byte[]> producer() {
        Producer<byte[], byte[]> current = producer;
        if (current == null) {
            current = new KafkaProducer<>(config);
            producer = current;
        }
        return current;
    }

    private Admin admin() {
        Admin current = admin;
        if (current == null) {
            current = Admin.create(adminConfig);
            admin = current;
        }
        return current;
    }

    /** Closes the producer at once: its unacknowledged records fail; the batch is sent again by a new one. */
    private void discardProducer() {
        Producer<byte[], byte[]> current = producer;
        producer = null;
        knownTopics.clear();
        ahead.clear();
        groupAhead.clear();
        groupPage = null;
        if (current != null) {
            current.close(Duration.ZERO);
        }
    }

    @Override
    public void close() {
        ReadAhead pages = readAhead;
        if (pages != null) {
            pages.pages().close();
        }
        Producer<byte[], byte[]> current = producer;
        producer = null;
        if (current != null) {
            current.close(Duration.ofSeconds(5));
        }
        Admin currentAdmin = admin;
        admin = null;
        if (currentAdmin != null) {
            currentAdmin.close(Duration.ofSeconds(1));
        }
    }

    /** Turns an event into its record. */
    static final class RecordMapper {
        private final java.util.function.Function<RecordedEvent, String> topic;
        private final Traceparent traceparent;
        private final com.fasterxml.jackson.databind.ObjectMapper json =
                new com.fasterxml.jackson.databind.ObjectMapper();

        RecordMapper(java.util.function.Function<RecordedEvent, String> topic, Traceparent traceparent) {
            this.topic = topic;
            this.traceparent = traceparent;
        }

        ProducerRecord<byte[], byte[]> record(RecordedEvent event) {
            String name;
            try {
                name = topic.apply(event);
            } catch (RuntimeException e) {
                throw new RecordRefusedException(
                        event.streamId(),
                        event.streamVersion(),
                        event.position(),
                        "",
                        "the topic function failed: " + describe(e),
                        e);
            }
            // a list of the right size, given whole: RecordHeaders grows its own list header by header
            List<Header> headers = new ArrayList<>(9);
            header(headers, KafkaHeaders.EVENT_ID, event.eventId().toString());
            header(headers, KafkaHeaders.EVENT_TYPE, event.type());
            header(headers, KafkaHeaders.SCHEMA_VERSION, Integer.toString(event.schemaVersion()));
            header(headers, KafkaHeaders.STREAM_VERSION, Long.toString(event.streamVersion()));
            header(headers, KafkaHeaders.POSITION, event.position().toString());
            header(headers, KafkaHeaders.RECORDED_AT, recordedAt(event.recordedAt()));
            metadataIds(event, headers);
            Optional<String> trace;
            try {
                trace = traceparent.of(event).filter(Traceparent::isValid);
            } catch (RuntimeException e) {
                // a broken trace hook costs the trace, not the record
                trace = Optional.empty();
            }
            trace.ifPresent(value -> header(headers, KafkaHeaders.TRACEPARENT, value));
            return new ProducerRecord<>(
                    name,
                    null,
                    event.recordedAt().toEpochMilli(),
                    event.streamId().getBytes(StandardCharsets.UTF_8),
                    event.data().getBytes(StandardCharsets.UTF_8),
                    new RecordHeaders(headers));
        }

        /**
         * The time as ISO-8601 text; the events of one append share it, so the last one is remembered.
         */
        private String recordedAt(java.time.Instant at) {
            Stamp last = lastStamp;
            if (!at.equals(last.at())) {
                last = new Stamp(at, at.toString());
                lastStamp = last;
            }
            return last.text();
        }

        /** A time and its text; the mapper runs on the relay's thread and its read-ahead thread. */
        private record Stamp(java.time.Instant at, String text) {}

        private volatile Stamp lastStamp = new Stamp(java.time.Instant.MIN, java.time.Instant.MIN.toString());

        /** Adds the correlation and causation ids of the event's metadata as headers, those it has. */
        private void metadataIds(RecordedEvent event, List<Header> headers) {
            String metadata = event.metadata();
            if (!metadata.contains("correlationId") && !metadata.contains("causationId")) {
                return;
            }
            // the serializer writes "correlationId":"<uuid>": read that without parsing the whole object
            String correlation = quotedUuidAfter(metadata, "\"correlationId\":\"");
            String causation = quotedUuidAfter(metadata, "\"causationId\":\"");
            if (correlation != null && causation != null) {
                header(headers, KafkaHeaders.CORRELATION_ID, correlation);
                header(headers, KafkaHeaders.CAUSATION_ID, causation);
                return;
            }
            try {
                var tree = json.readTree(metadata);
                if (tree.path("correlationId").isTextual()) {
                    header(
                            headers,
                            KafkaHeaders.CORRELATION_ID,
                            tree.path("correlationId").asText());
                }
                if (tree.path("causationId").isTextual()) {
                    header(
                            headers,
                            KafkaHeaders.CAUSATION_ID,
                            tree.path("causationId").asText());
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                // metadata the store took is JSON; if not, the record goes without the ids
            }
        }

        /** The 36 characters after {@code prefix} if they are a UUID followed by a quote, else null. */
        static @Nullable String quotedUuidAfter(String json, String prefix) {
            int at = json.indexOf(prefix);
            if (at < 0) {
                return null;
            }
            int from = at + prefix.length();
            int to = from + 36;
            if (to >= json.length() || json.charAt(to) != '"') {
                return null;
            }
            for (int i = from; i < to; i++) {
                char c = json.charAt(i);
                boolean dash = i - from == 8 || i - from == 13 || i - from == 18 || i - from == 23;
                if (dash ? c != '-' : Character.digit(c, 16) < 0) {
                    return null;
                }
            }
            return json.substring(from, to);
        }

        private static void header(List<Header> headers, String key, String value) {
            headers.add(new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8)));
        }
    }
}
