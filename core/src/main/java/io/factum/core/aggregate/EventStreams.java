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
import io.factum.core.spi.StoredEventId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

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
    private final Function<? super E, ? extends Collection<String>> tags;

    EventStreams(EventStore store, EventSerializer serializer, Class<E> eventType) {
        this(store, serializer, eventType, event -> Set.of());
    }

    /** Streams whose appended events carry the tags {@code tags} gives them. */
    EventStreams(
            EventStore store,
            EventSerializer serializer,
            Class<E> eventType,
            Function<? super E, ? extends Collection<String>> tags) {
        this.store = store;
        this.serializer = serializer;
        this.eventType = eventType;
        this.tags = tags;
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
        return fold(streamId, state, afterVersion, afterPosition, untilVersion, until, Optional.empty(), fold);
    }

    /**
     * {@link #fold(String, Object, long, Position, long, Optional, Fold)} that also leaves out the events that
     * took effect after {@code effectiveUntil} ({@link io.factum.core.serialization.EventMetadata#effectiveTime()}),
     * wherever they are in the stream: a retrospective event recorded later but effective earlier is folded,
     * in its place in the stream's order.
     */
    <S> Loaded<S> fold(
            String streamId,
            S state,
            long afterVersion,
            Position afterPosition,
            long untilVersion,
            Optional<Instant> until,
            Optional<Instant> effectiveUntil,
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
                if (effectiveUntil.isPresent()
                        && serializer.readMetadata(recorded).effectiveTime().isAfter(effectiveUntil.get())) {
                    continue;
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
     * Appends the events a command decided on a state loaded at {@code version}. Their ids derive from the
     * command's id (the metadata's causation id), the stream and each event's index among the command's
     * events, so the store's idempotent append is the command's deduplication: a retry of a command whose
     * events are stored fails with {@link io.factum.core.DuplicateEventException} (or, at the same place,
     * returns the original result) and writes nothing, and {@link #handledBefore} then finds its result.
     */
    AppendResult append(String streamId, long version, List<? extends E> events, EventMetadata metadata) {
        List<EventData> data = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            E event = events.get(i);
            EventData serialized = serializer.serialize(event, eventId(metadata.causationId(), streamId, i), metadata);
            Collection<String> given = tags.apply(event);
            data.add(given.isEmpty() ? serialized : serialized.withTags(given));
        }
        ExpectedVersion expected = version < 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(version);
        return store.append(streamId, expected, data);
    }

    /**
     * The outcome of the command {@code commandId} on the stream if its events are stored already: the
     * version and position of its last event, and its events as reads show them. One id lookup when the
     * command is new; one per event and a stream read when it is a retry.
     */
    Optional<Outcome<E>> handledBefore(String streamId, UUID commandId, int attempts) {
        List<StoredEventId> located = new ArrayList<>();
        for (int i = 0; ; i++) {
            Optional<StoredEventId> found = store.locateEvent(eventId(commandId, streamId, i));
            if (found.isEmpty() || !found.get().streamId().equals(streamId)) {
                break;
            }
            located.add(found.get());
        }
        if (located.isEmpty()) {
            return Optional.empty();
        }
        StoredEventId first = located.get(0);
        StoredEventId last = located.get(located.size() - 1);
        Set<UUID> ids = new HashSet<>();
        located.forEach(at -> ids.add(at.eventId()));
        List<E> events = new ArrayList<>();
        StreamSlice slice = store.readStream(streamId, ReadDirection.FORWARD, first.streamVersion(), located.size());
        for (RecordedEvent recorded : slice.events()) {
            if (ids.contains(recorded.eventId())) {
                events.addAll(serializer.deserializeEvents(recorded, eventType));
            }
        }
        return Optional.of(new Outcome<>(streamId, events, last.streamVersion(), last.position(), attempts, true));
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

    /**
     * The id of the {@code index}-th event (0-based) that the command {@code commandId} appends to a stream:
     * the same on every run of the command, whatever version the stream is at by then.
     */
    static UUID eventId(UUID commandId, String streamId, int index) {
        return UUID.nameUUIDFromBytes(("command\u0000" + commandId + "\u0000" + streamId + "\u0000" + index)
                .getBytes(StandardCharsets.UTF_8));
    }

    EventSerializer serializer() {
        return serializer;
    }
}
