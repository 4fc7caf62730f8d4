package io.factum.core.command;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.core.ConcurrencyException;
import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StoreException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers the result of each command id, so a retried command returns its first result and does
 * nothing again: for the commands of handlers that write no events (see {@link Deduplication}); commands
 * that append events are deduplicated by their events' ids instead. Only accepted and rejected results are
 * remembered: invalid, forbidden and conflicting commands did nothing and may be sent again with the same
 * id. Thread-safe.
 */
public interface CommandLog {

    /** The remembered result of a command id, if any. */
    Optional<CommandResult> find(UUID commandId);

    /** Remembers a result (the first one stays if two runs of one id race). */
    void record(CommandResult result);

    /** A log in memory: lost on restart. For tests and single-process tools. */
    static CommandLog inMemory() {
        ConcurrentHashMap<UUID, CommandResult> results = new ConcurrentHashMap<>();
        return new CommandLog() {
            @Override
            public Optional<CommandResult> find(UUID commandId) {
                return Optional.ofNullable(results.get(commandId));
            }

            @Override
            public void record(CommandResult result) {
                results.putIfAbsent(result.commandId(), result);
            }
        };
    }

    /**
     * A durable log kept in the event store itself, so it works on every store and survives restarts: one
     * stream {@code factumcommand-<command id>} per command, holding one {@code CommandHandled} event.
     * Filter the category {@code factumcommand} out of projections that read the whole log.
     */
    static CommandLog inEventStore(EventStore store) {
        return new EventStoreCommandLog(store);
    }

    /** See {@link #inEventStore(EventStore)}. */
    final class EventStoreCommandLog implements CommandLog {

        /** The category of the streams the log writes. */
        public static final String CATEGORY = "factumcommand";

        private static final ObjectMapper JSON = new ObjectMapper();
        private final EventStore store;

        private EventStoreCommandLog(EventStore store) {
            this.store = store;
        }

        @Override
        public Optional<CommandResult> find(UUID commandId) {
            List<RecordedEvent> events = store.readStream(stream(commandId), ReadDirection.FORWARD, 0, 1)
                    .events();
            return events.stream().findFirst().map(event -> read(commandId, event));
        }

        @Override
        public void record(CommandResult result) {
            ObjectNode json = JSON.createObjectNode();
            switch (result) {
                case CommandResult.Accepted accepted -> {
                    json.put("outcome", "accepted");
                    json.put("streamId", accepted.streamId());
                    json.put("version", accepted.version());
                    json.put("position", accepted.position().toString());
                    json.put("eventCount", accepted.eventCount());
                }
                case CommandResult.Completed completed ->
                    // the value is the handler's own type: not kept, a duplicate is answered without it
                    json.put("outcome", "completed");
                case CommandResult.Rejected rejected -> {
                    json.put("outcome", "rejected");
                    json.put("rule", rejected.rule());
                    json.put("message", rejected.message());
                }
                default ->
                    throw new IllegalArgumentException(
                            "only accepted, completed and rejected results are remembered, got "
                                    + result.getClass().getSimpleName());
            }
            UUID id = result.commandId();
            try {
                store.append(
                        stream(id), ExpectedVersion.noStream(), EventData.of(id, "CommandHandled", json.toString()));
            } catch (ConcurrencyException raced) {
                // another run of the same command recorded first; its result stands
            }
        }

        private static String stream(UUID commandId) {
            return CATEGORY + "-" + commandId;
        }

        private static CommandResult read(UUID commandId, RecordedEvent event) {
            try {
                JsonNode json = JSON.readTree(event.data());
                return switch (json.path("outcome").asText()) {
                    case "accepted" ->
                        new CommandResult.Accepted(
                                commandId,
                                json.path("streamId").asText(),
                                json.path("version").asLong(),
                                Position.parse(json.path("position").asText()),
                                json.path("eventCount").asInt(),
                                false);
                    case "completed" -> new CommandResult.Completed(commandId, null, false);
                    case "rejected" ->
                        new CommandResult.Rejected(
                                commandId,
                                json.path("rule").asText(),
                                json.path("message").asText(),
                                false);
                    default -> throw new IllegalStateException("unknown outcome in " + event.data());
                };
            } catch (JsonProcessingException | RuntimeException e) {
                throw new StoreException(
                        "the command log entry of " + commandId + " is unreadable: " + event.data(), e);
            }
        }
    }
}
