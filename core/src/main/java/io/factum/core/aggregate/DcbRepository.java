package io.factum.core.aggregate;

import io.factum.core.AllSlice;
import io.factum.core.AppendCondition;
import io.factum.core.AppendConditionFailedException;
import io.factum.core.AppendResult;
import io.factum.core.AppendResults;
import io.factum.core.EventData;
import io.factum.core.EventQuery;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.StreamAppend;
import io.factum.core.serialization.EventMetadata;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.spi.StoredEventId;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link DcbDecider}: reads the events of the command's query, folds them into the state, decides,
 * and appends the decided events to their streams, with their tags, in one multi-stream append on the
 * condition that no event matching the query was appended since the read. When another decision got
 * there first ({@link AppendConditionFailedException}), the command is read and decided again, up to the
 * retry's attempts. Thread-safe.
 *
 * <pre>{@code
 * var registrations = DcbRepository.of(store, serializer, uniqueEmail, CustomerEvent.class);
 * Outcome<CustomerEvent> outcome = registrations.handle(new RegisterCustomer("c7", "ada@example.com"),
 *         EventMetadata.startingWith(commandId, now), ConflictRetry.DEFAULT);
 * }</pre>
 *
 * <p>As in {@link DeciderRepository}, the command's id (the metadata's causation id) decides its events'
 * ids, so the store's idempotent append deduplicates the command: a command whose events are stored
 * already is not decided again (its decision would see its own events); its first outcome is returned,
 * marked {@link Outcome#duplicate()}. Every decided event is appended with {@link ExpectedVersion#any()}:
 * the condition, not the streams' versions, keeps the rule.
 *
 * @param <C> the commands
 * @param <E> the events
 * @param <S> the state
 */
public final class DcbRepository<C, E, S> {

    private static final Logger LOG = LoggerFactory.getLogger(DcbRepository.class);
    private static final int PAGE = 500;

    private final EventStore store;
    private final EventSerializer serializer;
    private final DcbDecider<C, E, S> model;
    private final Class<E> eventType;
    private final Clock clock;

    private DcbRepository(
            EventStore store, EventSerializer serializer, DcbDecider<C, E, S> model, Class<E> eventType, Clock clock) {
        this.store = store;
        this.serializer = serializer;
        this.model = model;
        this.eventType = eventType;
        this.clock = clock;
    }

    /** A repository on the system clock (the time stamped in each event's metadata). */
    public static <C, E, S> DcbRepository<C, E, S> of(
            EventStore store, EventSerializer serializer, DcbDecider<C, E, S> model, Class<E> eventType) {
        return of(store, serializer, model, eventType, Clock.systemUTC());
    }

    /** A repository that stamps events with the time of {@code clock}. */
    public static <C, E, S> DcbRepository<C, E, S> of(
            EventStore store, EventSerializer serializer, DcbDecider<C, E, S> model, Class<E> eventType, Clock clock) {
        return new DcbRepository<>(store, serializer, model, eventType, clock);
    }

    /** The clock that stamps the events' occurred-at time. */
    public Clock clock() {
        return clock;
    }

    /**
     * The state a command would be decided on now, and the position after its last event.
     *
     * @param state the state folded from every event of the query, oldest first
     * @param position the position for the condition: after the last event read ({@link Position#START}
     *     if none)
     * @param events how many events were folded
     */
    public record State<S>(S state, Position position, long events) {}

    /** Reads the events of the query and folds them into the state. */
    public State<S> load(EventQuery query) {
        S state = model.decider().initialState().get();
        Position next = Position.START;
        long count = 0;
        while (true) {
            AllSlice slice = store.read(query, next, PAGE);
            for (RecordedEvent recorded : slice.events()) {
                for (E event : serializer.deserializeEvents(recorded, eventType)) {
                    state = model.decider().evolve(state, event);
                }
                count++;
            }
            next = slice.next();
            if (slice.endOfLog()) {
                return new State<>(state, next, count);
            }
        }
    }

    /**
     * Decides a command on the state of its query and appends the events on the condition that nothing
     * matching the query came since; decided again after a lost race, up to the retry's attempts.
     *
     * @param metadata the envelope of the events: the command's id as causation id, its correlation id, user
     *     and tenant (the occurred-at time is set from the repository's clock)
     * @return the events appended (none if the command changed nothing), the first stream written, its
     *     version and the position of the append's last event
     * @throws RuleViolation if the decider rejects the command; nothing is written
     * @throws AppendConditionFailedException if other decisions got there first for every allowed attempt
     */
    public Outcome<E> handle(C command, EventMetadata metadata, ConflictRetry retry) {
        UUID commandId = metadata.causationId();
        EventQuery query = model.query().apply(command);
        for (int attempt = 1; ; attempt++) {
            Optional<Outcome<E>> before = handledBefore(commandId, attempt);
            if (before.isPresent()) {
                return before.get();
            }
            State<S> loaded = load(query);
            List<E> events = model.decider().decide(command, loaded.state());
            if (events.isEmpty()) {
                return new Outcome<>("", events, ExpectedVersion.NO_STREAM_VERSION, loaded.position(), attempt);
            }
            EventMetadata stamped = metadata.at(clock.instant());
            Map<String, List<EventData>> byStream = new LinkedHashMap<>();
            for (int i = 0; i < events.size(); i++) {
                E event = events.get(i);
                EventData data = serializer
                        .serialize(event, eventId(commandId, i), stamped)
                        .withTags(model.tags().apply(event));
                byStream.computeIfAbsent(model.stream().apply(event), s -> new ArrayList<>())
                        .add(data);
            }
            List<StreamAppend> parts = new ArrayList<>(byStream.size());
            byStream.forEach((stream, data) -> parts.add(StreamAppend.to(stream, ExpectedVersion.any(), data)));
            try {
                AppendResults results =
                        store.append(parts, AppendCondition.failIfEventsMatch(query, loaded.position()));
                AppendResult first = results.results().get(0);
                return new Outcome<>(first.streamId(), events, first.streamVersion(), results.position(), attempt);
            } catch (AppendConditionFailedException conflict) {
                if (attempt >= retry.maxAttempts() || !retry.pause(attempt)) {
                    return handledBefore(commandId, attempt).orElseThrow(() -> conflict);
                }
                LOG.debug(
                        "{}: decided after {} but {}; deciding again (attempt {})",
                        query,
                        loaded.position(),
                        conflict.getMessage(),
                        attempt + 1);
            }
        }
    }

    /** The outcome of the command's first run if its events are stored. */
    private Optional<Outcome<E>> handledBefore(UUID commandId, int attempts) {
        Optional<StoredEventId> first = store.locateEvent(eventId(commandId, 0));
        if (first.isEmpty()) {
            return Optional.empty();
        }
        List<E> events = new ArrayList<>();
        Position last = first.get().position();
        for (int i = 0; ; i++) {
            Optional<StoredEventId> stored = i == 0 ? first : store.locateEvent(eventId(commandId, i));
            if (stored.isEmpty()) {
                break;
            }
            StoredEventId at = stored.get();
            if (at.position().isAfter(last)) {
                last = at.position();
            }
            store
                    .readStream(at.streamId(), io.factum.core.ReadDirection.FORWARD, at.streamVersion(), 1)
                    .events()
                    .stream()
                    .filter(e -> e.eventId().equals(at.eventId()))
                    .forEach(e -> events.addAll(serializer.deserializeEvents(e, eventType)));
        }
        StoredEventId head = first.get();
        return Optional.of(new Outcome<>(head.streamId(), events, head.streamVersion(), last, attempts, true));
    }

    /** The id of the {@code index}-th event a command decides: the same on every run of the command. */
    static UUID eventId(UUID commandId, int index) {
        return UUID.nameUUIDFromBytes(
                ("dcb-command\u0000" + commandId + "\u0000" + index).getBytes(StandardCharsets.UTF_8));
    }
}
