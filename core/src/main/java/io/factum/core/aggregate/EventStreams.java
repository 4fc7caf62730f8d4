package io.factum.core.aggregate;

import io.factum.core.AppendResult;
import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StreamSlice;
import io.factum.core.serialization.EventMetadata;
import io.factum.core.serialization.EventSerializer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Reading an aggregate's events and appending new ones: what both repositories share. Thread-safe.
 *
 * @param <E> the aggregate's events
 */
final class EventStreams<E> {

    /** Applies one event, at its stream version, to a state. */
    interface Fold<S, E> {
        S apply(S state, E event, long version);
    }

    private static final int PAGE = 500;

    private final EventStore store;
    private final EventSerializer serializer;
    private final Class<E> eventType;

    EventStreams(EventStore store, EventSerializer serializer, Class<E> eventType) {
        this.store = store;
        this.serializer = serializer;
        this.eventType = eventType;
    }

    /**
     * Folds the events of a stream after {@code afterVersion}, up to {@code untilVersion} (inclusive) and
     * recorded at or before {@code until}, into {@code state}.
     */
    <S> Loaded<S> fold(
            String streamId,
            S state,
            long afterVersion,
            Position afterPosition,
            long untilVersion,
            Optional<Instant> until,
            Fold<S, E> fold) {
        S current = state;
        long version = afterVersion;
        Position position = afterPosition;
        int replayed = 0;
        long next = afterVersion + 1;
        while (true) {
            StreamSlice slice = store.readStream(streamId, ReadDirection.FORWARD, next, PAGE);
            for (RecordedEvent recorded : slice.events()) {
                if (recorded.streamVersion() > untilVersion
                        || until.map(t -> recorded.recordedAt().isAfter(t)).orElse(false)) {
                    return new Loaded<>(streamId, current, version, position, replayed);
                }
                for (E event : serializer.deserializeEvents(recorded, eventType)) {
                    current = fold.apply(current, event, recorded.streamVersion());
                }
                version = recorded.streamVersion();
                position = recorded.position();
                replayed++;
            }
            if (slice.endOfStream()) {
                return new Loaded<>(streamId, current, version, position, replayed);
            }
            next = slice.nextVersion();
        }
    }

    /**
     * Appends events decided on a state loaded at {@code version}, with ids derived from the metadata's
     * causation id, so repeating the same command at the same place is an idempotent retry.
     */
    AppendResult append(String streamId, long version, List<? extends E> events, EventMetadata metadata) {
        List<EventData> data = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            data.add(serializer.serialize(
                    events.get(i), eventId(metadata.causationId(), streamId, version + 1 + i), metadata));
        }
        ExpectedVersion expected = version < 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(version);
        return store.append(streamId, expected, data);
    }

    /** Checks an aggregate category: the part of its streams' ids before the first {@code -}. */
    static String requireCategory(String category) {
        if (category.isEmpty() || category.contains("-")) {
            throw new IllegalArgumentException(
                    "an aggregate category must be non-empty and contain no '-', got '" + category + "'");
        }
        return category;
    }

    /**
     * True if reads of the stream hide some of its events (soft delete, truncate-before, max count or max
     * age): then a snapshot, which holds them all, does not give the state a read gives.
     */
    boolean hidesEvents(String streamId) {
        return store.streamInfo(streamId)
                .map(info -> info.state() != io.factum.core.StreamState.ACTIVE
                        || info.metadata().truncateBefore().isPresent()
                        || info.metadata().maxCount().isPresent()
                        || info.metadata().maxAge().isPresent())
                .orElse(false);
    }

    /** The last event of a stream, if it has one. */
    Optional<RecordedEvent> lastEvent(String streamId) {
        return store.readStream(streamId, ReadDirection.BACKWARD, StreamSlice.END, 1).events().stream()
                .findFirst();
    }

    /** The id of the event a message caused at a stream version: the same on every retry. */
    static UUID eventId(UUID causationId, String streamId, long version) {
        return UUID.nameUUIDFromBytes((causationId + "/" + streamId + "/" + version).getBytes(StandardCharsets.UTF_8));
    }

    EventSerializer serializer() {
        return serializer;
    }
}
