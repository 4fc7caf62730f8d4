package io.factum.core.aggregate;

import io.factum.core.AppendResult;
import io.factum.core.DuplicateEventException;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.StreamIds;
import io.factum.core.StreamState;
import io.factum.core.WrongExpectedVersionException;
import io.factum.core.serialization.EventMetadata;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.spi.ExpectedVersions;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Loads and saves classic {@link AggregateRoot}s: one stream per aggregate, named {@code category-id}.
 * Thread-safe; the aggregates it returns are not.
 *
 * <pre>{@code
 * var accounts = AggregateRootRepository.builder(store, serializer, "account", Account::new, AccountEvent.class)
 *         .build();
 * accounts.update("42", account -> account.withdraw(30), metadata, ConflictRetry.DEFAULT);
 * }</pre>
 *
 * @param <A> the aggregate class
 * @param <E> its events
 */
public final class AggregateRootRepository<A extends AggregateRoot<E>, E> {

    private final String category;
    private final Supplier<A> factory;
    private final EventStreams<E> streams;
    private final StreamLocks locks = new StreamLocks();
    private final Clock clock;

    private AggregateRootRepository(Builder<A, E> builder) {
        this.category = builder.category;
        this.factory = builder.factory;
        this.streams = new EventStreams<>(builder.store, builder.serializer, builder.eventType);
        this.clock = builder.clock;
    }

    /** A builder for the aggregates of {@code category}, made empty by {@code factory}. */
    public static <A extends AggregateRoot<E>, E> Builder<A, E> builder(
            EventStore store, EventSerializer serializer, String category, Supplier<A> factory, Class<E> eventType) {
        return new Builder<>(store, serializer, category, factory, eventType);
    }

    /** The stream of an aggregate: {@code category-id}. */
    public String streamOf(String id) {
        return StreamIds.requireValid(category + "-" + id);
    }

    /** The aggregate with every event applied; a new, empty one (version -1) if it has none. */
    public A load(String id) {
        return loadUntil(id, Long.MAX_VALUE, Optional.empty()).state();
    }

    /** The aggregate right after the event at {@code version}. */
    public A loadAtVersion(String id, long version) {
        return loadUntil(id, version, Optional.empty()).state();
    }

    /** The aggregate as it was at {@code instant}. */
    public A loadAsOf(String id, Instant instant) {
        return loadUntil(id, Long.MAX_VALUE, Optional.of(instant)).state();
    }

    /** The aggregate in effect at {@code instant}, as known now: see {@link DeciderRepository#loadEffectiveAt}. */
    public A loadEffectiveAt(String id, Instant instant) {
        return loadAsOf(id, Instant.MAX, instant);
    }

    /** The aggregate in effect at {@code effective} as known at {@code recorded}: see {@link DeciderRepository#loadAsOf(String, Instant, Instant)}. */
    public A loadAsOf(String id, Instant recorded, Instant effective) {
        return streams.fold(
                        streamOf(id),
                        factory.get(),
                        -1,
                        Position.START,
                        Long.MAX_VALUE,
                        Optional.of(recorded),
                        Optional.of(effective),
                        AggregateRootRepository::replay)
                .state();
    }

    private Loaded<A> loadUntil(String id, long version, Optional<Instant> until) {
        return streams.fold(
                streamOf(id), factory.get(), -1, Position.START, version, until, AggregateRootRepository::replay);
    }

    private static <A extends AggregateRoot<E>, E> A replay(A aggregate, E event, long version) {
        aggregate.replay(event, version);
        return aggregate;
    }

    /**
     * Appends the aggregate's uncommitted events, expecting the stream at the version it was loaded at,
     * and marks them committed. The events' ids derive from the metadata's causation id (the command's id)
     * and their index, as in {@link #update}: save once per command id and aggregate; a second save under
     * the same id fails with {@link io.factum.core.DuplicateEventException}.
     *
     * @throws WrongExpectedVersionException if the stream moved on since the aggregate was loaded
     */
    public Outcome<E> save(String id, A aggregate, EventMetadata metadata) {
        String stream = streamOf(id);
        List<E> events = aggregate.uncommittedEvents();
        if (events.isEmpty()) {
            Position position =
                    streams.lastEvent(stream).map(RecordedEvent::position).orElse(Position.START);
            return new Outcome<>(stream, events, aggregate.version(), position, 1);
        }
        AppendResult result = streams.append(stream, aggregate.version(), events, metadata.at(clock.instant()));
        aggregate.committed(result.streamVersion());
        return new Outcome<>(stream, events, result.streamVersion(), result.position(), 1);
    }

    /**
     * Loads the aggregate, runs a command method on it and saves what it raised; on a version conflict
     * does it all again on the newer state, up to the retry's attempts. As with {@link
     * DeciderRepository#handle(String, Object, EventMetadata, ConflictRetry)}, the command's id (the
     * metadata's causation id) decides the events' ids: a command whose events are stored already is not
     * run again, and its first outcome is returned, marked {@link Outcome#duplicate()}.
     *
     * @throws RuleViolation if the command method rejects the command; nothing is written
     * @throws WrongExpectedVersionException if the stream kept moving for every allowed attempt
     */
    public Outcome<E> update(String id, Consumer<? super A> command, EventMetadata metadata, ConflictRetry retry) {
        return update(streamOf(id), command, metadata, retry, Optional.empty());
    }

    /**
     * Runs a command method only if the aggregate is at the version the caller saw ({@code If-Match}),
     * checked on the loaded aggregate and enforced by the store's append; a conflict is never retried. A
     * retry of a command whose events are stored returns its first outcome.
     *
     * @throws RuleViolation if the command method rejects the command; nothing is written
     * @throws WrongExpectedVersionException if the aggregate is not at the expected version
     */
    public Outcome<E> update(String id, Consumer<? super A> command, EventMetadata metadata, ExpectedVersion expected) {
        return update(streamOf(id), command, metadata, ConflictRetry.NONE, Optional.of(expected));
    }

    private Outcome<E> update(
            String stream,
            Consumer<? super A> command,
            EventMetadata metadata,
            ConflictRetry retry,
            Optional<ExpectedVersion> expected) {
        // commands on one aggregate in this process take turns: they do not lose version races to each other
        return locks.withLock(stream, () -> updateLocked(stream, command, metadata, retry, expected));
    }

    private Outcome<E> updateLocked(
            String stream,
            Consumer<? super A> command,
            EventMetadata metadata,
            ConflictRetry retry,
            Optional<ExpectedVersion> expected) {
        UUID commandId = metadata.causationId();
        for (int attempt = 1; ; attempt++) {
            Loaded<A> loaded = streams.fold(
                    stream,
                    factory.get(),
                    -1,
                    Position.START,
                    Long.MAX_VALUE,
                    Optional.empty(),
                    AggregateRootRepository::replay);
            if (expected.isPresent() && !ExpectedVersions.holds(expected.get(), loaded.version(), StreamState.ACTIVE)) {
                ExpectedVersion wanted = expected.get();
                return streams.handledBefore(stream, commandId, attempt)
                        .orElseThrow(() -> new WrongExpectedVersionException(
                                stream, wanted, loaded.version(), StreamState.ACTIVE));
            }
            A aggregate = loaded.state();
            try {
                command.accept(aggregate);
            } catch (RuntimeException refused) {
                Optional<Outcome<E>> before = streams.handledBefore(stream, commandId, attempt);
                if (before.isPresent()) {
                    return before.get();
                }
                throw refused;
            }
            List<E> events = aggregate.uncommittedEvents();
            int attempts = attempt;
            if (events.isEmpty()) {
                return streams.handledBefore(stream, commandId, attempt)
                        .orElseGet(() -> new Outcome<>(stream, events, loaded.version(), loaded.position(), attempts));
            }
            try {
                AppendResult result = streams.append(stream, loaded.version(), events, metadata.at(clock.instant()));
                aggregate.committed(result.streamVersion());
                return new Outcome<>(stream, events, result.streamVersion(), result.position(), attempt);
            } catch (DuplicateEventException stored) {
                return streams.handledBefore(stream, commandId, attempt).orElseThrow(() -> stored);
            } catch (WrongExpectedVersionException conflict) {
                if (expected.isPresent() || attempt >= retry.maxAttempts() || !retry.pause(attempt)) {
                    return streams.handledBefore(stream, commandId, attempt).orElseThrow(() -> conflict);
                }
            }
        }
    }

    /** The clock that stamps the events' occurred-at time. */
    public Clock clock() {
        return clock;
    }

    /** Settings of an {@link AggregateRootRepository}; ends with {@link #build()}. */
    public static final class Builder<A extends AggregateRoot<E>, E> {
        private final EventStore store;
        private final EventSerializer serializer;
        private final String category;
        private final Supplier<A> factory;
        private final Class<E> eventType;
        private Clock clock = Clock.systemUTC();

        private Builder(
                EventStore store,
                EventSerializer serializer,
                String category,
                Supplier<A> factory,
                Class<E> eventType) {
            this.store = store;
            this.serializer = serializer;
            this.category = EventStreams.requireCategory(category);
            this.factory = factory;
            this.eventType = eventType;
        }

        /** The clock for the events' occurred-at time. */
        public Builder<A, E> clock(Clock value) {
            this.clock = value;
            return this;
        }

        public AggregateRootRepository<A, E> build() {
            return new AggregateRootRepository<>(this);
        }
    }
}
