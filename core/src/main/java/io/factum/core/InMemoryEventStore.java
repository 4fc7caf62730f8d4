package io.factum.core;

import io.factum.core.spi.AppendValidation;
import io.factum.core.spi.ExpectedVersions;
import io.factum.core.spi.Idempotency;
import io.factum.core.spi.StoredContent;
import io.factum.core.spi.StoredEventId;
import io.factum.core.spi.StreamWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-memory store: one lock around a list. It keeps the full contract (it passes the TCK) so that
 * tests written against it hold on the real stores.
 */
final class InMemoryEventStore implements EventStore {

    private final StoreOptions options;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition appended = lock.newCondition();
    private final List<RecordedEvent> log = new ArrayList<>();
    private final Map<String, StreamRecord> streams = new HashMap<>();
    private final Map<UUID, RecordedEvent> byId = new HashMap<>();
    private boolean closed;

    private static final class StreamRecord {
        final List<RecordedEvent> events = new ArrayList<>();
        long lastVersion = ExpectedVersion.NO_STREAM_VERSION;
        StreamState state = StreamState.ACTIVE;
        StreamMetadata metadata = StreamMetadata.empty();

        StreamInfo info(String streamId) {
            return new StreamInfo(streamId, lastVersion, state, metadata);
        }
    }

    InMemoryEventStore(StoreOptions options) {
        this.options = options;
    }

    @Override
    public AppendResult append(String streamId, ExpectedVersion expected, List<EventData> events) {
        AppendValidation.validate(streamId, expected, events, options.limits());
        lock.lock();
        try {
            checkOpen();
            StreamRecord stream = streams.get(streamId);
            if (stream != null && stream.state == StreamState.TOMBSTONED) {
                throw new StreamDeletedException(streamId);
            }
            Map<UUID, StoredEventId> stored = new HashMap<>();
            Map<UUID, StoredContent> contents = new HashMap<>();
            for (EventData event : events) {
                RecordedEvent found = byId.get(event.eventId());
                if (found != null) {
                    stored.put(
                            found.eventId(),
                            new StoredEventId(
                                    found.eventId(), found.streamId(), found.streamVersion(), found.position()));
                    contents.put(found.eventId(), new StoredContent(found.type(), found.data()));
                }
            }
            Optional<AppendResult> retry = Idempotency.evaluate(streamId, expected, events, stored);
            if (retry.isPresent()) {
                Idempotency.requireSameContent(streamId, events, stored, contents);
                return retry.get();
            }
            long last = stream == null ? ExpectedVersion.NO_STREAM_VERSION : stream.lastVersion;
            ExpectedVersions.check(streamId, expected, last, stream == null ? StreamState.ACTIVE : stream.state);
            if (stream == null) {
                stream = new StreamRecord();
                streams.put(streamId, stream);
            }
            AppendResult result = write(streamId, stream, events, StreamWindow.recordedAt(options.clock()));
            appended.signalAll();
            return result;
        } finally {
            lock.unlock();
        }
    }

    /** Writes the events at the end of the stream; the caller holds the lock and checked everything. */
    private AppendResult write(String streamId, StreamRecord stream, List<EventData> events, Instant now) {
        stream.state = StreamState.ACTIVE;
        RecordedEvent recorded = null;
        for (EventData event : events) {
            long version = ++stream.lastVersion;
            recorded = new RecordedEvent(
                    event.eventId(),
                    streamId,
                    version,
                    Position.of(log.size() + 1L),
                    event.type(),
                    event.schemaVersion(),
                    event.data(),
                    event.metadata(),
                    now,
                    event.tags());
            log.add(recorded);
            stream.events.add(recorded);
            byId.put(event.eventId(), recorded);
        }
        return new AppendResult(streamId, stream.lastVersion, recorded.position());
    }

    @Override
    public AppendResults append(List<StreamAppend> appends, AppendCondition condition) {
        AppendValidation.validate(appends, condition, options.limits());
        lock.lock();
        try {
            checkOpen();
            Map<UUID, StoredEventId> stored = new HashMap<>();
            Map<UUID, StoredContent> contents = new HashMap<>();
            for (StreamAppend part : appends) {
                StreamRecord stream = streams.get(part.streamId());
                if (stream != null && stream.state == StreamState.TOMBSTONED) {
                    throw new StreamDeletedException(part.streamId());
                }
                for (EventData event : part.events()) {
                    RecordedEvent found = byId.get(event.eventId());
                    if (found != null) {
                        stored.put(
                                found.eventId(),
                                new StoredEventId(
                                        found.eventId(), found.streamId(), found.streamVersion(), found.position()));
                        contents.put(found.eventId(), new StoredContent(found.type(), found.data()));
                    }
                }
            }
            Optional<AppendResults> retry = Idempotency.evaluateAll(appends, stored, contents);
            if (retry.isPresent()) {
                return retry.get();
            }
            for (StreamAppend part : appends) {
                StreamRecord stream = streams.get(part.streamId());
                ExpectedVersions.check(
                        part.streamId(),
                        part.expected(),
                        stream == null ? ExpectedVersion.NO_STREAM_VERSION : stream.lastVersion,
                        stream == null ? StreamState.ACTIVE : stream.state);
            }
            if (condition instanceof AppendCondition.FailIfEventsMatch failIf) {
                int index = failIf.after().txId() > 0
                        ? log.size()
                        : (int) Math.min(failIf.after().position(), log.size());
                for (; index < log.size(); index++) {
                    RecordedEvent event = log.get(index);
                    if (failIf.query().matches(event)) {
                        throw new AppendConditionFailedException(
                                appends.get(0).streamId(),
                                failIf.query(),
                                failIf.after(),
                                event.position(),
                                event.streamId(),
                                event.type());
                    }
                }
            }
            Instant now = StreamWindow.recordedAt(options.clock());
            List<AppendResult> results = new ArrayList<>(appends.size());
            for (StreamAppend part : appends) {
                StreamRecord stream = streams.computeIfAbsent(part.streamId(), id -> new StreamRecord());
                results.add(write(part.streamId(), stream, part.events(), now));
            }
            appended.signalAll();
            return new AppendResults(results);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public AllSlice read(EventQuery query, Position after, int maxCount) {
        AppendValidation.requireArgument(query, "query");
        AppendValidation.requireArgument(after, "after");
        StreamWindow.checkMaxCount(maxCount);
        lock.lock();
        try {
            checkOpen();
            List<RecordedEvent> page = new ArrayList<>();
            int index = after.txId() > 0 ? log.size() : (int) Math.min(after.position(), log.size());
            while (page.size() < maxCount && index < log.size()) {
                RecordedEvent event = log.get(index++);
                if (query.matches(event)) {
                    page.add(event);
                }
            }
            Position next = page.isEmpty() ? after : page.get(page.size() - 1).position();
            return new AllSlice(ReadDirection.FORWARD, page, next, index >= log.size());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public StreamSlice readStream(String streamId, ReadDirection direction, long fromVersion, int maxCount) {
        StreamIds.requireValid(streamId);
        StreamWindow.checkReadArguments(fromVersion, maxCount);
        lock.lock();
        try {
            checkOpen();
            StreamRecord stream = streams.get(streamId);
            if (stream != null && stream.state == StreamState.TOMBSTONED) {
                throw new StreamDeletedException(streamId);
            }
            StreamWindow window = stream == null
                    ? StreamWindow.of(
                            streamId,
                            direction,
                            fromVersion,
                            ExpectedVersion.NO_STREAM_VERSION,
                            StreamState.ACTIVE,
                            StreamMetadata.empty(),
                            options.clock().instant())
                    : StreamWindow.of(
                            streamId,
                            direction,
                            fromVersion,
                            stream.lastVersion,
                            stream.state,
                            stream.metadata,
                            options.clock().instant());
            List<RecordedEvent> page = new ArrayList<>();
            if (!window.isEmpty() && stream != null) {
                boolean forward = direction == ReadDirection.FORWARD;
                long v = forward ? window.low() : window.high();
                while (page.size() < maxCount && v >= window.low() && v <= window.high()) {
                    RecordedEvent event = stream.events.get((int) v);
                    if (window.recordedNotBefore()
                            .map(oldest -> !event.recordedAt().isBefore(oldest))
                            .orElse(true)) {
                        page.add(event);
                    }
                    v += forward ? 1 : -1;
                }
            }
            return window.slice(page, maxCount);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public AllSlice readAll(Position from, ReadDirection direction, int maxCount, EventFilter filter) {
        StreamWindow.checkMaxCount(maxCount);
        lock.lock();
        try {
            checkOpen();
            List<RecordedEvent> page = new ArrayList<>();
            boolean forward = direction == ReadDirection.FORWARD;
            // positions are 1-based list indexes + 1 here
            long index = forward ? from.position() : Math.min(from.position() - 1, log.size()) - 1;
            if (forward && from.txId() > 0) {
                index = log.size();
            }
            while (page.size() < maxCount && index >= 0 && index < log.size()) {
                RecordedEvent event = log.get((int) index);
                if (filter.matches(event)) {
                    page.add(event);
                }
                index += forward ? 1 : -1;
            }
            boolean end = index < 0 || index >= log.size();
            Position next = page.isEmpty() ? from : page.get(page.size() - 1).position();
            return new AllSlice(direction, page, next, end);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<StoredEventId> locateEvent(UUID eventId) {
        java.util.Objects.requireNonNull(eventId, "eventId");
        lock.lock();
        try {
            checkOpen();
            return Optional.ofNullable(byId.get(eventId))
                    .map(found -> new StoredEventId(
                            found.eventId(), found.streamId(), found.streamVersion(), found.position()));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Position headPosition() {
        lock.lock();
        try {
            checkOpen();
            return log.isEmpty() ? Position.START : log.get(log.size() - 1).position();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean awaitAppend(Position after, Duration timeout) throws InterruptedException {
        long remaining = timeout.toNanos();
        lock.lock();
        try {
            while (!closed && !headLocked().isAfter(after)) {
                if (remaining <= 0) {
                    return false;
                }
                remaining = appended.awaitNanos(remaining);
            }
            checkOpen();
            return true;
        } finally {
            lock.unlock();
        }
    }

    private Position headLocked() {
        return log.isEmpty() ? Position.START : log.get(log.size() - 1).position();
    }

    @Override
    public Optional<StreamInfo> streamInfo(String streamId) {
        StreamIds.requireValid(streamId);
        lock.lock();
        try {
            checkOpen();
            return Optional.ofNullable(streams.get(streamId)).map(s -> s.info(streamId));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void setStreamMetadata(String streamId, StreamMetadata metadata) {
        StreamIds.requireValid(streamId);
        AppendValidation.requireArgument(metadata, "metadata");
        lock.lock();
        try {
            checkOpen();
            StreamRecord stream = streams.computeIfAbsent(streamId, id -> new StreamRecord());
            if (stream.state == StreamState.TOMBSTONED) {
                throw new StreamDeletedException(streamId);
            }
            stream.metadata = metadata;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void deleteStream(String streamId, ExpectedVersion expected) {
        StreamIds.requireValid(streamId);
        AppendValidation.requireArgument(expected, "expected");
        lock.lock();
        try {
            checkOpen();
            StreamRecord stream = streams.get(streamId);
            long last = stream == null ? ExpectedVersion.NO_STREAM_VERSION : stream.lastVersion;
            StreamState state = stream == null ? StreamState.ACTIVE : stream.state;
            ExpectedVersions.check(streamId, expected, last, state);
            if (stream == null || state != StreamState.ACTIVE || last < 0) {
                throw new StreamNotFoundException(streamId);
            }
            stream.state = StreamState.SOFT_DELETED;
            stream.metadata = stream.metadata.withTruncateBefore(last + 1);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void tombstoneStream(String streamId, ExpectedVersion expected) {
        StreamIds.requireValid(streamId);
        AppendValidation.requireArgument(expected, "expected");
        lock.lock();
        try {
            checkOpen();
            StreamRecord stream = streams.get(streamId);
            long last = stream == null ? ExpectedVersion.NO_STREAM_VERSION : stream.lastVersion;
            ExpectedVersions.check(streamId, expected, last, stream == null ? StreamState.ACTIVE : stream.state);
            if (stream == null) {
                stream = new StreamRecord();
                streams.put(streamId, stream);
            }
            stream.state = StreamState.TOMBSTONED;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            appended.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreException("the in-memory store is closed");
        }
    }
}
