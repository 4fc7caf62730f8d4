package io.factum.core.process;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.core.DuplicateEventException;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StreamSlice;
import io.factum.core.command.CommandBus;
import io.factum.core.command.CommandContext;
import io.factum.core.command.CommandResult;
import io.factum.core.serialization.Envelope;
import io.factum.core.serialization.EventMetadata;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.subscription.BatchHandler;
import io.factum.core.subscription.EventHandler;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process manager (saga): one instance per correlation (for example per order) with a state of the
 * user's type, reacting to events by sending commands through the command bus and scheduling durable
 * deadlines. Run it as the handler of a {@link io.factum.core.subscription.Subscription} ({@link
 * #batchHandler()} with {@link io.factum.core.subscription.Subscription#batchHandler}, or {@link #handler()},
 * reading {@link #filter()}) and fire its deadlines with a {@link DeadlineScheduler}.
 *
 * <p><b>Instances side by side.</b> {@link #batchHandler()} handles the instances of a batch concurrently
 * (at most {@link Builder#parallelism} at once), the events of one instance one after another in log
 * order: the commands, deadlines and steps of different instances then share the store's group commit
 * instead of each waiting for the disk after the other's.
 *
 * <p><b>State.</b> Each instance keeps its steps in a stream {@code factumprocess-<name>.<correlation>}
 * of the event store (category {@code factumprocess}): one event per handled message with the state after
 * it, so the history of a process is as auditable as any aggregate's, and loading it reads one event.
 *
 * <p><b>Idempotency.</b> An event delivered again (at-least-once subscriptions redeliver after a crash) is
 * recognised by its stream version (the step keeps the last version handled of each stream the instance
 * heard from) and ignored; events of one instance from different streams may arrive in any order (a
 * consumer group processes streams in different buckets independently). If the process died after sending commands but before recording
 * the step, the reaction runs again and sends the same commands with the same command ids (derived from
 * the process, the cause and the command's index), and a command handled by a repository whose events
 * are stored already is answered with its first result, so they are handled once. Deadlines are scheduled under ids derived from the
 * process, instance and name, so scheduling again replaces them. The step is appended with an expected
 * version and a derived event id, so two runs for one message cannot both record it.
 *
 * <p>Thread-safe: one instance is changed by one thread at a time through the store's optimistic
 * concurrency; a conflicting step fails with the store's exception and is retried by the subscription.
 *
 * @param <S> the state of an instance, a type Jackson can write and read (a record, say)
 * @param <E> the events it reacts to (the user's sealed interface)
 */
public final class ProcessManager<S, E> {

    /** The category of the streams that keep process state. */
    public static final String CATEGORY = "factumprocess";

    private static final Logger LOG = LoggerFactory.getLogger(ProcessManager.class);
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,39}");

    /** How often a step is decided again when another step of its instance was recorded first. */
    private static final int MAX_STEP_ATTEMPTS = 5;

    private final String name;
    private final Class<E> eventType;
    private final Class<S> stateType;
    private final Supplier<S> initialState;
    private final Function<Envelope<E>, Optional<String>> correlation;
    private final Reaction<S, E> reaction;
    private final DeadlineReaction<S> deadlineReaction;
    private final EventFilter filter;
    private final EventStore store;
    private final EventSerializer serializer;
    private final CommandBus bus;
    private final DeadlineStore deadlines;
    private final Clock clock;
    private final ObjectMapper json;
    private final int parallelism;

    private ProcessManager(Builder<S, E> builder) {
        this.name = builder.name;
        this.eventType = builder.eventType;
        this.stateType = builder.stateType;
        this.initialState = builder.initialState;
        this.correlation = Objects.requireNonNull(builder.correlation, "correlateBy");
        this.reaction = Objects.requireNonNull(builder.reaction, "on");
        this.deadlineReaction = builder.deadlineReaction;
        this.filter = builder.filter;
        this.store = Objects.requireNonNull(builder.store, "store");
        this.serializer = Objects.requireNonNull(builder.serializer, "serializer");
        this.bus = Objects.requireNonNull(builder.bus, "bus");
        this.deadlines = Objects.requireNonNull(builder.deadlines, "deadlines");
        this.clock = builder.clock;
        this.json = builder.json;
        this.parallelism = builder.parallelism;
    }

    /**
     * A process manager named {@code name} (1-40 lower-case letters, digits and {@code _}) whose instances
     * start in {@code initialState}.
     */
    public static <S, E> Builder<S, E> builder(
            String name, Class<E> eventType, Class<S> stateType, Supplier<S> initialState) {
        return new Builder<>(name, eventType, stateType, initialState);
    }

    /** The process manager's name. */
    public String name() {
        return name;
    }

    /** The events it reads: set it as the subscription's filter. */
    public EventFilter filter() {
        return filter;
    }

    /** The handler to run in a subscription: each event goes to {@link #handle(RecordedEvent)}. */
    public EventHandler handler() {
        return this::handle;
    }

    /**
     * The handler to run in a {@link io.factum.core.subscription.Subscription#batchHandler}: the events of a
     * batch grouped by instance, the instances handled side by side (at most {@link Builder#parallelism} at
     * once), each instance's events one after another in log order through {@link #handle(RecordedEvent)}.
     */
    public BatchHandler batchHandler() {
        return BatchHandler.concurrentBy(recorded -> instanceOf(recorded).orElse(""), parallelism, this::handle);
    }

    /** The instance an event belongs to, if it is one of the process's events and has a correlation. */
    private Optional<String> instanceOf(RecordedEvent recorded) {
        if (!reactsTo(recorded)) {
            return Optional.empty();
        }
        for (Envelope<E> event : serializer.deserialize(recorded, eventType)) {
            Optional<String> correlationId = correlation.apply(event);
            if (correlationId.isPresent()) {
                return correlationId;
            }
        }
        return Optional.empty();
    }

    private boolean reactsTo(RecordedEvent recorded) {
        return serializer
                .types()
                .forName(recorded.type())
                .filter(registration -> eventType.isAssignableFrom(registration.type()))
                .isPresent();
    }

    /** The state of the instance {@code correlationId}, if it has handled anything. */
    public Optional<S> state(String correlationId) {
        return load(correlationId).map(Step::state);
    }

    /** True if the instance {@code correlationId} completed. */
    public boolean completed(String correlationId) {
        return load(correlationId).map(Step::completed).orElse(false);
    }

    /**
     * Handles one recorded event: ignored unless it deserializes to the process's event type and has a
     * correlation; ignored if the instance handled it already or completed.
     */
    public void handle(RecordedEvent recorded) {
        if (!reactsTo(recorded)) {
            return;
        }
        for (Envelope<E> event : serializer.deserialize(recorded, eventType)) {
            Optional<String> correlationId = correlation.apply(event);
            if (correlationId.isPresent()) {
                String instance = correlationId.get();
                retryOnConflict(instance, () -> handleEvent(recorded, event, instance));
            }
        }
    }

    /**
     * Runs one step again while another step of the same instance won the race to record (its reaction may
     * have sent commands whose events this instance handles at the same time): the step is decided again on
     * the new state, and the commands it sends again carry the same derived ids.
     */
    private void retryOnConflict(String instance, Runnable step) {
        for (int attempt = 1; ; attempt++) {
            try {
                step.run();
                return;
            } catch (io.factum.core.WrongExpectedVersionException raced) {
                if (attempt >= MAX_STEP_ATTEMPTS) {
                    throw raced;
                }
                LOG.debug("process {} {}: another step was recorded first, deciding again", name, instance);
            }
        }
    }

    private void handleEvent(RecordedEvent recorded, Envelope<E> event, String instance) {
        Optional<Step<S>> loaded = load(instance);
        if (loaded.isPresent()
                && (loaded.get().completed()
                        || recorded.streamVersion() <= loaded.get().handled().getOrDefault(recorded.streamId(), -1L))) {
            return;
        }
        Step<S> before = loaded.orElseGet(() -> new Step<>(initialState.get(), Map.of(), Map.of(), false, -1));
        Actions actions = new Actions(instance, before.deadlines());
        S after = reaction.react(before.state(), event, actions);
        String cause = "event:" + recorded.eventId() + ":" + event.streamVersion();
        carryOut(instance, actions, event.metadata(), recorded.eventId(), cause);
        Map<String, Long> handled = new LinkedHashMap<>(before.handled());
        handled.put(recorded.streamId(), recorded.streamVersion());
        record(instance, before, after, handled, actions, cause);
    }

    /**
     * Handles a due deadline of this process manager (called by the {@link DeadlineScheduler}). A deadline
     * the instance no longer has pending (handled already, cancelled, moved) is removed and ignored.
     */
    public void fire(Deadline deadline) {
        if (!deadline.owner().equals(name)) {
            throw new IllegalArgumentException(
                    "process manager " + name + " got a deadline of " + deadline.owner() + ": " + deadline);
        }
        retryOnConflict(deadline.correlationId(), () -> fireOnce(deadline));
    }

    private void fireOnce(Deadline deadline) {
        Optional<Step<S>> loaded = load(deadline.correlationId());
        Instant pending =
                loaded.map(step -> step.deadlines().get(deadline.name())).orElse(null);
        if (loaded.isEmpty() || loaded.get().completed() || pending == null || !pending.equals(deadline.dueAt())) {
            LOG.debug(
                    "process {}: deadline {} of {} is no longer pending, dropped",
                    name,
                    deadline.name(),
                    deadline.correlationId());
            if (loaded.map(step -> !deadline.dueAt().equals(step.deadlines().get(deadline.name())))
                            .orElse(true)
                    && deadlines.pending(name).stream()
                            .anyMatch(d ->
                                    d.id().equals(deadline.id()) && d.dueAt().equals(deadline.dueAt()))) {
                deadlines.cancel(deadline.id());
            }
            return;
        }
        Step<S> before = loaded.get();
        Map<String, Instant> remaining = new LinkedHashMap<>(before.deadlines());
        remaining.remove(deadline.name());
        Actions actions = new Actions(deadline.correlationId(), remaining);
        S after = deadlineReaction.react(before.state(), deadline, actions);
        String cause = "deadline:" + deadline.id() + ":" + deadline.dueAt();
        UUID causeId = derived(cause);
        EventMetadata metadata = EventMetadata.startingWith(causeId, clock.instant());
        carryOut(deadline.correlationId(), actions, metadata, causeId, cause);
        record(deadline.correlationId(), before.withDeadlines(remaining), after, before.handled(), actions, cause);
        if (!actions.deadlines.containsKey(deadline.name())) {
            deadlines.cancel(deadline.id());
        }
    }

    private void carryOut(String instance, Actions actions, EventMetadata cause, UUID causeId, String causeKey) {
        int index = 0;
        for (Object command : actions.commands) {
            UUID commandId = derived(causeKey + ":command:" + index++);
            CommandResult result = bus.send(command, CommandContext.causedBy(cause, causeId, commandId));
            switch (result) {
                case CommandResult.Accepted accepted -> {}
                case CommandResult.Completed completed -> {}
                case CommandResult.Rejected rejected ->
                    LOG.info(
                            "process {} {}: {} was rejected ({}): {}",
                            name,
                            instance,
                            command.getClass().getSimpleName(),
                            rejected.rule(),
                            rejected.message());
                default ->
                    throw new ProcessFailedException(
                            name,
                            instance,
                            "its command " + command.getClass().getSimpleName() + " was not handled: " + result);
            }
        }
        for (String cancelled : actions.cancelled) {
            deadlines.cancel(Deadline.idOf(name, instance, cancelled));
        }
        for (Map.Entry<String, Scheduled> entry : actions.scheduled.entrySet()) {
            Scheduled s = entry.getValue();
            deadlines.schedule(new Deadline(
                    Deadline.idOf(name, instance, entry.getKey()),
                    name,
                    instance,
                    entry.getKey(),
                    s.at(),
                    s.payload()));
        }
        if (actions.completed) {
            for (String pending : actions.deadlines.keySet()) {
                deadlines.cancel(Deadline.idOf(name, instance, pending));
            }
        }
    }

    private void record(
            String instance, Step<S> before, S after, Map<String, Long> handled, Actions actions, String cause) {
        ObjectNode data = json.createObjectNode();
        data.set("state", json.valueToTree(after));
        ObjectNode streams = data.putObject("handled");
        handled.forEach(streams::put);
        data.put("cause", cause);
        data.put("completed", actions.completed);
        ObjectNode pending = data.putObject("deadlines");
        if (!actions.completed) {
            actions.deadlines.forEach((key, at) -> pending.put(key, at.toString()));
        }
        ExpectedVersion expected =
                before.version() < 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(before.version());
        try {
            store.append(
                    streamOf(instance),
                    expected,
                    List.of(EventData.of(derived(cause), "ProcessStep", data.toString())));
        } catch (DuplicateEventException alreadyRecorded) {
            LOG.debug("process {} {}: the step for {} was recorded before", name, instance, cause);
        }
    }

    private Optional<Step<S>> load(String instance) {
        StreamSlice slice = store.readStream(streamOf(instance), ReadDirection.BACKWARD, StreamSlice.END, 1);
        if (slice.events().isEmpty()) {
            return Optional.empty();
        }
        RecordedEvent last = slice.events().get(0);
        try {
            JsonNode data = json.readTree(last.data());
            Map<String, Instant> pending = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> entry : data.path("deadlines").properties()) {
                pending.put(entry.getKey(), Instant.parse(entry.getValue().asText()));
            }
            Map<String, Long> handled = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> entry : data.path("handled").properties()) {
                handled.put(entry.getKey(), entry.getValue().asLong());
            }
            return Optional.of(new Step<>(
                    json.treeToValue(data.get("state"), stateType),
                    handled,
                    pending,
                    data.path("completed").asBoolean(),
                    last.streamVersion()));
        } catch (JsonProcessingException | RuntimeException e) {
            throw new ProcessFailedException(
                    name,
                    instance,
                    "its state in " + last.streamId() + "@" + last.streamVersion() + " cannot be read as "
                            + stateType.getName() + ": " + e.getMessage());
        }
    }

    /** The stream that keeps the steps of instance {@code correlationId}. */
    public String streamOf(String correlationId) {
        return CATEGORY + "-" + name + "." + correlationId;
    }

    private UUID derived(String key) {
        return UUID.nameUUIDFromBytes(("process\u0000" + name + "\u0000" + key).getBytes(StandardCharsets.UTF_8));
    }

    private record Step<S>(
            S state, Map<String, Long> handled, Map<String, Instant> deadlines, boolean completed, long version) {
        Step<S> withDeadlines(Map<String, Instant> pending) {
            return new Step<>(state, handled, pending, completed, version);
        }
    }

    private record Scheduled(Instant at, String payload) {}

    private final class Actions implements ProcessActions {
        private final String instance;
        final List<Object> commands = new ArrayList<>();
        final Map<String, Scheduled> scheduled = new LinkedHashMap<>();
        final List<String> cancelled = new ArrayList<>();
        final Map<String, Instant> deadlines;
        boolean completed;

        Actions(String instance, Map<String, Instant> pending) {
            this.instance = instance;
            this.deadlines = new LinkedHashMap<>(pending);
        }

        @Override
        public void send(Object command) {
            commands.add(Objects.requireNonNull(command, "command"));
        }

        @Override
        public void schedule(String deadline, Duration after, String payloadJson) {
            scheduleAt(deadline, clock.instant().plus(after), payloadJson);
        }

        @Override
        public void scheduleAt(String deadline, Instant at, String payloadJson) {
            if (deadline.isBlank() || deadline.length() > 100) {
                throw new IllegalArgumentException("a deadline name must be 1-100 characters, not blank, got '"
                        + deadline + "' in process " + name + " " + instance);
            }
            Instant micros = at.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
            scheduled.put(deadline, new Scheduled(micros, payloadJson));
            cancelled.remove(deadline);
            deadlines.put(deadline, micros);
        }

        @Override
        public void cancel(String deadline) {
            scheduled.remove(deadline);
            if (deadlines.remove(deadline) != null) {
                cancelled.add(deadline);
            }
        }

        @Override
        public void complete() {
            completed = true;
        }

        @Override
        public Instant now() {
            return clock.instant();
        }
    }

    /** The settings of a process manager; {@link #build()} makes it. Not thread-safe. */
    public static final class Builder<S, E> {
        private final String name;
        private final Class<E> eventType;
        private final Class<S> stateType;
        private final Supplier<S> initialState;
        private @Nullable Function<Envelope<E>, Optional<String>> correlation;
        private @Nullable Reaction<S, E> reaction;
        private DeadlineReaction<S> deadlineReaction = (state, deadline, actions) -> state;
        private EventFilter filter = EventFilter.all();
        private @Nullable EventStore store;
        private @Nullable EventSerializer serializer;
        private @Nullable CommandBus bus;
        private @Nullable DeadlineStore deadlines;
        private Clock clock = Clock.systemUTC();
        private ObjectMapper json = EventSerializer.defaultMapper();
        private int parallelism = 16;

        private Builder(String name, Class<E> eventType, Class<S> stateType, Supplier<S> initialState) {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("a process manager name must be 1-40 lower-case letters, digits"
                        + " and '_', starting with a letter, got '" + name + "'");
            }
            this.name = name;
            this.eventType = Objects.requireNonNull(eventType, "eventType");
            this.stateType = Objects.requireNonNull(stateType, "stateType");
            this.initialState = Objects.requireNonNull(initialState, "initialState");
        }

        /** Which instance an event belongs to (for example its order id); empty to ignore the event. */
        public Builder<S, E> correlateBy(Function<Envelope<E>, Optional<String>> correlateBy) {
            this.correlation = Objects.requireNonNull(correlateBy, "correlateBy");
            return this;
        }

        /** The reaction to events. */
        public Builder<S, E> on(Reaction<S, E> onEvent) {
            this.reaction = Objects.requireNonNull(onEvent, "onEvent");
            return this;
        }

        /** The reaction to due deadlines; by default the state stays as it is. */
        public Builder<S, E> onDeadline(DeadlineReaction<S> onDeadline) {
            this.deadlineReaction = Objects.requireNonNull(onDeadline, "onDeadline");
            return this;
        }

        /** The events the subscription should read (categories, types); all by default. */
        public Builder<S, E> filter(EventFilter eventFilter) {
            this.filter = Objects.requireNonNull(eventFilter, "eventFilter");
            return this;
        }

        /** Where states are kept, how events are read, where commands go and deadlines are kept. */
        public Builder<S, E> wiring(
                EventStore eventStore, EventSerializer eventSerializer, CommandBus commandBus, DeadlineStore store) {
            this.store = Objects.requireNonNull(eventStore, "eventStore");
            this.serializer = Objects.requireNonNull(eventSerializer, "eventSerializer");
            this.bus = Objects.requireNonNull(commandBus, "commandBus");
            this.deadlines = Objects.requireNonNull(store, "deadlines");
            return this;
        }

        /** The clock deadlines are scheduled by; the system clock by default. */
        public Builder<S, E> clock(Clock source) {
            this.clock = Objects.requireNonNull(source, "source");
            return this;
        }

        /**
         * How many instances {@link ProcessManager#batchHandler()} handles at once, 16 by default; on
         * PostgreSQL keep it within the connection pool.
         *
         * @throws IllegalArgumentException if {@code instances} is less than 1
         */
        public Builder<S, E> parallelism(int instances) {
            if (instances < 1) {
                throw new IllegalArgumentException("parallelism must be 1 or more, got " + instances);
            }
            this.parallelism = instances;
            return this;
        }

        /** The mapper of the state; {@link EventSerializer#defaultMapper()} by default. */
        public Builder<S, E> stateMapper(ObjectMapper mapper) {
            this.json = Objects.requireNonNull(mapper, "mapper");
            return this;
        }

        /**
         * Makes the process manager.
         *
         * @throws NullPointerException if correlateBy, on or wiring were not given
         */
        public ProcessManager<S, E> build() {
            return new ProcessManager<>(this);
        }
    }
}
