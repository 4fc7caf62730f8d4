package io.factum.core.aggregate;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.factum.core.AppendResult;
import io.factum.core.DuplicateEventException;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.StreamIds;
import io.factum.core.StreamState;
import io.factum.core.WrongExpectedVersionException;
import io.factum.core.serialization.EventMetadata;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.spi.ExpectedVersions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads and saves the aggregates of one {@link Decider}: one stream per aggregate, named {@code
 * category-id}. Thread-safe; concurrent commands on one aggregate are kept apart by optimistic
 * concurrency.
 *
 * <pre>{@code
 * var accounts = DeciderRepository.builder(store, serializer, "account", decider, AccountEvent.class)
 *         .snapshots(SnapshotStore.inMemory(), SnapshotPolicy.everyEvents(100), Account.class, 1)
 *         .build();
 * Outcome<AccountEvent> outcome = accounts.handle("42", new Deposit(100), metadata, ConflictRetry.DEFAULT);
 * }</pre>
 *
 * @param <C> the commands
 * @param <E> the events
 * @param <S> the state
 */
public final class DeciderRepository<C, E, S> {

    private static final Logger LOG = LoggerFactory.getLogger(DeciderRepository.class);

    private final String category;
    private final Decider<C, E, S> decider;
    private final EventStreams<E> streams;
    private final StreamLocks locks = new StreamLocks();
    private final Clock clock;
    private final Optional<Snapshots<S>> snapshots;

    private record Snapshots<S>(
            SnapshotStore store, SnapshotPolicy policy, Class<S> type, int schemaVersion, EventSerializer json) {}

    private DeciderRepository(Builder<C, E, S> builder) {
        this.category = builder.category;
        this.decider = builder.decider;
        this.streams = new EventStreams<>(builder.store, builder.serializer, builder.eventType, builder.tags);
        this.clock = builder.clock;
        this.snapshots = builder.snapshots;
    }

    /**
     * A builder for the aggregates of {@code category} (the part of the stream id before the first
     * {@code -}, so it must not contain one).
     */
    public static <C, E, S> Builder<C, E, S> builder(
            EventStore store,
            EventSerializer serializer,
            String category,
            Decider<C, E, S> decider,
            Class<E> eventType) {
        return new Builder<>(store, serializer, category, decider, eventType);
    }

    /** The stream of an aggregate: {@code category-id}. */
    public String streamOf(String id) {
        return StreamIds.requireValid(category + "-" + id);
    }

    /** The aggregate's current state (after its snapshot, if any, and the events since). */
    public Loaded<S> load(String id) {
        return loadCurrent(streamOf(id));
    }

    /** The aggregate's state right after the event at {@code version} (or its last, if older). */
    public Loaded<S> loadAtVersion(String id, long version) {
        String stream = streamOf(id);
        return streams.fold(
                stream, decider.initialState().get(), -1, Position.START, version, Optional.empty(), this::evolve);
    }

    /**
     * The aggregate's state as it was recorded at {@code instant}: after every event recorded until then,
     * whenever it took effect (see {@link #loadEffectiveAt} for the other time axis).
     */
    public Loaded<S> loadAsOf(String id, Instant instant) {
        String stream = streamOf(id);
        return streams.fold(
                stream,
                decider.initialState().get(),
                -1,
                Position.START,
                Long.MAX_VALUE,
                Optional.of(instant),
                this::evolve);
    }

    /**
     * The aggregate's state in effect at {@code instant}, as known now: every event that took effect by then
     * ({@link io.factum.core.serialization.EventMetadata#effectiveTime()}), including retrospective events
     * recorded later, folded in the stream's order. Compare {@link #loadAsOf(String, Instant)}, which asks
     * what was recorded by then.
     */
    public Loaded<S> loadEffectiveAt(String id, Instant instant) {
        return loadAsOf(id, Instant.MAX, instant);
    }

    /**
     * The bi-temporal load: the aggregate's state in effect at {@code effective}, as it was known at {@code
     * recorded}, that is after every event recorded by {@code recorded} that took effect by {@code
     * effective}. {@code loadAsOf(id, t, t)} is what the system would have said at {@code t} about then;
     * a retrospective correction recorded later changes {@code loadEffectiveAt(id, t)} but never this.
     */
    public Loaded<S> loadAsOf(String id, Instant recorded, Instant effective) {
        return streams.fold(
                streamOf(id),
                decider.initialState().get(),
                -1,
                Position.START,
                Long.MAX_VALUE,
                Optional.of(recorded),
                Optional.of(effective),
                this::evolve);
    }

    /**
     * Decides a command on the aggregate's current state and appends the events with the version it was
     * loaded at. On a version conflict the command is decided again on the newer state, up to the retry's
     * attempts; then the conflict reaches the caller, naming both versions.
     *
     * <p>The command's id (the metadata's causation id) decides its events' ids, so the store's idempotent
     * append is the command's deduplication, atomic with its events: a command whose events are stored
     * already (a retry after a lost answer, a crash between the append and the answer, a redelivery) is
     * not decided again; its first outcome is returned, marked {@link Outcome#duplicate()}. A command that
     * was rejected or changed nothing wrote nothing, so a retry of it is simply decided again. Handle one
     * command id at most once per aggregate: two different commands under one id look like a retry.
     *
     * @param metadata the envelope of the events: the command's correlation id, the command's id as
     *     causation id, its user and tenant (the occurred-at time is set from the repository's clock)
     * @throws RuleViolation if the decider rejects the command; nothing is written
     * @throws WrongExpectedVersionException if the stream kept moving for every allowed attempt
     */
    public Outcome<E> handle(String id, C command, EventMetadata metadata, ConflictRetry retry) {
        return handle(streamOf(id), command, metadata, retry, Optional.empty());
    }

    /**
     * Decides a command only if the aggregate is at the version the caller saw ({@code If-Match}): the
     * expected version is checked against the loaded state and then enforced by the store's append, so a
     * writer that slips in between is caught too. A conflict is never decided again; it reaches the
     * caller. A retry of a command whose events are stored returns its first outcome, whatever the
     * aggregate's version is by then (see {@link #handle(String, Object, EventMetadata, ConflictRetry)}).
     *
     * @param expected the version the caller decided on: {@link ExpectedVersion#exactly}, {@link
     *     ExpectedVersion#noStream()} for a new aggregate, {@link ExpectedVersion#streamExists()}
     * @throws RuleViolation if the decider rejects the command; nothing is written
     * @throws WrongExpectedVersionException if the aggregate is not at the expected version
     */
    public Outcome<E> handle(String id, C command, EventMetadata metadata, ExpectedVersion expected) {
        return handle(streamOf(id), command, metadata, ConflictRetry.NONE, Optional.of(expected));
    }

    private Outcome<E> handle(
            String stream, C command, EventMetadata metadata, ConflictRetry retry, Optional<ExpectedVersion> expected) {
        // commands on one aggregate in this process take turns: they do not lose version races to each other
        return locks.withLock(stream, () -> handleLocked(stream, command, metadata, retry, expected));
    }

    private Outcome<E> handleLocked(
            String stream, C command, EventMetadata metadata, ConflictRetry retry, Optional<ExpectedVersion> expected) {
        UUID commandId = metadata.causationId();
        for (int attempt = 1; ; attempt++) {
            Loaded<S> loaded = loadCurrent(stream);
            if (expected.isPresent() && !ExpectedVersions.holds(expected.get(), loaded.version(), StreamState.ACTIVE)) {
                ExpectedVersion wanted = expected.get();
                return streams.handledBefore(stream, commandId, attempt)
                        .orElseThrow(() -> new WrongExpectedVersionException(
                                stream, wanted, loaded.version(), StreamState.ACTIVE));
            }
            List<E> events;
            try {
                events = decider.decide(command, loaded.state());
            } catch (RuntimeException refused) {
                // a retry is answered as the first run was, not decided on the state that run made
                Optional<Outcome<E>> before = streams.handledBefore(stream, commandId, attempt);
                if (before.isPresent()) {
                    return before.get();
                }
                throw refused;
            }
            int attempts = attempt;
            if (events.isEmpty()) {
                return streams.handledBefore(stream, commandId, attempt)
                        .orElseGet(() -> new Outcome<>(stream, events, loaded.version(), loaded.position(), attempts));
            }
            try {
                AppendResult result = streams.append(stream, loaded.version(), events, metadata.at(clock.instant()));
                return new Outcome<>(stream, events, result.streamVersion(), result.position(), attempt);
            } catch (DuplicateEventException stored) {
                return streams.handledBefore(stream, commandId, attempt).orElseThrow(() -> stored);
            } catch (WrongExpectedVersionException conflict) {
                if (expected.isPresent() || attempt >= retry.maxAttempts() || !retry.pause(attempt)) {
                    // the writer that moved the stream may have been another run of this very command
                    return streams.handledBefore(stream, commandId, attempt).orElseThrow(() -> conflict);
                }
                LOG.debug(
                        "{}: decided at version {} but the stream moved on; deciding again (attempt {})",
                        stream,
                        loaded.version(),
                        attempt + 1);
            }
        }
    }

    private S evolve(S state, E event, long version) {
        return decider.evolve(state, event);
    }

    private Loaded<S> loadCurrent(String stream) {
        long start = System.nanoTime();
        S state = decider.initialState().get();
        long after = ExpectedVersion.NO_STREAM_VERSION;
        // a snapshot holds every event up to its version; where stream metadata or a soft delete hides some
        // of them from reads, the state must come from the visible events alone, as without a snapshot. The
        // stream's metadata is read only when there is a snapshot to use or one to take, so loading a young
        // aggregate costs a snapshot lookup and its stream read, nothing more
        Optional<Snapshot> found = snapshots.flatMap(s -> usable(s, s.store().load(stream)));
        boolean hidden = found.isPresent() && streams.hidesEvents(stream);
        Optional<Snapshot> snapshot = hidden ? Optional.empty() : found;
        if (snapshot.isPresent()) {
            state = readState(snapshots.orElseThrow(), snapshot.get());
            after = snapshot.get().version();
        }
        Loaded<S> folded =
                streams.fold(stream, state, after, Position.START, Long.MAX_VALUE, Optional.empty(), this::evolve);
        // when the snapshot is the head, the position of its event is only known by reading that event
        Loaded<S> loaded =
                snapshot.isPresent() && folded.eventsReplayed() == 0 ? withPositionOfLastEvent(folded) : folded;
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        if (!hidden) {
            snapshots.ifPresent(s -> takeSnapshot(s, loaded, took));
        }
        return loaded;
    }

    private void takeSnapshot(Snapshots<S> settings, Loaded<S> loaded, Duration took) {
        if (!settings.policy().shouldSnapshot(loaded.eventsReplayed(), took)
                || loaded.version() < 0
                || streams.hidesEvents(loaded.streamId())) {
            return;
        }
        try {
            settings.store()
                    .save(new Snapshot(
                            loaded.streamId(),
                            loaded.version(),
                            settings.type().getName(),
                            settings.schemaVersion(),
                            writeState(settings, loaded.state()),
                            clock.instant()));
        } catch (RuntimeException e) {
            // a snapshot is a cache: failing to keep one must not fail the load or the command
            LOG.warn(
                    "{}: could not keep a snapshot at version {}: {}",
                    loaded.streamId(),
                    loaded.version(),
                    e.toString());
        }
    }

    private Loaded<S> withPositionOfLastEvent(Loaded<S> loaded) {
        var last = streams.lastEvent(loaded.streamId());
        return last.map(event -> new Loaded<>(loaded.streamId(), loaded.state(), loaded.version(), event.position(), 0))
                .orElse(loaded);
    }

    private Optional<Snapshot> usable(Snapshots<S> settings, Optional<Snapshot> snapshot) {
        return snapshot.filter(
                s -> s.type().equals(settings.type().getName()) && s.schemaVersion() == settings.schemaVersion());
    }

    private S readState(Snapshots<S> settings, Snapshot snapshot) {
        try {
            return settings.json().fromJson(snapshot.data(), settings.type());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "snapshot of " + snapshot.streamId() + " at version " + snapshot.version()
                            + " does not fit " + settings.type().getName() + " although its schema version "
                            + snapshot.schemaVersion()
                            + " matches; raise the snapshot schema version when the state class"
                            + " changes: " + e.getOriginalMessage(),
                    e);
        }
    }

    private String writeState(Snapshots<S> settings, S state) {
        try {
            return settings.json().toJson(state);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(
                    "cannot write the state " + settings.type().getName() + " as JSON", e);
        }
    }

    /** The clock that stamps the events' occurred-at time. */
    public Clock clock() {
        return clock;
    }

    /** Settings of a {@link DeciderRepository}; ends with {@link #build()}. */
    public static final class Builder<C, E, S> {
        private final EventStore store;
        private final EventSerializer serializer;
        private final String category;
        private final Decider<C, E, S> decider;
        private final Class<E> eventType;
        private Clock clock = Clock.systemUTC();
        private Optional<Snapshots<S>> snapshots = Optional.empty();
        private Function<? super E, ? extends Collection<String>> tags = event -> Set.of();

        private Builder(
                EventStore store,
                EventSerializer serializer,
                String category,
                Decider<C, E, S> decider,
                Class<E> eventType) {
            this.store = store;
            this.serializer = serializer;
            this.category = EventStreams.requireCategory(category);
            this.decider = decider;
            this.eventType = eventType;
        }

        /**
         * Tags the appended events, so that the queries and append conditions of decisions across streams
         * ({@link DcbRepository}) find them: say {@code customer:<id>} on every event of a customer.
         */
        public Builder<C, E, S> tags(Function<? super E, ? extends Collection<String>> value) {
            this.tags = value;
            return this;
        }

        /** The clock for the events' occurred-at time and the snapshots' taken-at time. */
        public Builder<C, E, S> clock(Clock value) {
            this.clock = value;
            return this;
        }

        /**
         * Keeps snapshots of the state. The state is written as JSON with the serializer's Jackson
         * settings; {@code schemaVersion} tags them, so after a change of the state class raise it and old
         * snapshots are ignored (and replaced) instead of misread.
         */
        public Builder<C, E, S> snapshots(
                SnapshotStore store, SnapshotPolicy policy, Class<S> stateType, int schemaVersion) {
            this.snapshots = Optional.of(new Snapshots<>(store, policy, stateType, schemaVersion, serializer));
            return this;
        }

        public DeciderRepository<C, E, S> build() {
            return new DeciderRepository<>(this);
        }
    }
}
