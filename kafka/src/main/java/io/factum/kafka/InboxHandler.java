package io.factum.kafka;

import io.factum.core.command.CommandBus;
import io.factum.core.command.CommandContext;
import io.factum.core.command.CommandResult;
import io.factum.core.subscription.RetryLaterException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles the messages of a {@link KafkaInbox}, at least once: a message comes again after a crash before
 * its offset was committed, and when the publisher published it twice. Make it idempotent with the
 * message's ids: {@link InboxMessage#commandId()} as the id of the command it sends (the command's events
 * then carry ids derived from it, and the store refuses them a second time, atomically with the events), or
 * {@link InboxMessage#eventIdFor} as the ids of the events it appends itself. {@link #commands} does the
 * former for a command bus.
 *
 * <p>Throw {@link PoisonRecordException} for a message that can never be handled (parked at once), {@link
 * RetryLaterException} while something it needs is unavailable (retried as long as it lasts, nothing
 * parked); any other exception is retried with backoff, then the message is parked.
 */
@FunctionalInterface
public interface InboxHandler {

    /** Handles one message; called on the inbox's thread, and on an admin's thread for a replay. */
    void handle(InboxMessage message) throws Exception;

    /**
     * A handler that turns each message into a command with {@code toCommand} (empty: the event is of no
     * interest here, the anti-corruption layer drops it) and sends it on {@code bus} with the context:
     * command id {@link InboxMessage#commandId()}, the publisher's correlation id (else the event id), caused
     * by the event id, and entries {@code sourceTopic}, {@code sourceStream} and {@code traceparent} (if
     * sent).
     *
     * <p>Accepted and completed commands, and duplicates, are done; a command rejected by a business rule
     * is done too (the rule's answer is the outcome, logged); an invalid or forbidden command is a poison
     * ({@link PoisonRecordException}); a version conflict is retried.
     */
    static InboxHandler commands(CommandBus bus, Function<InboxMessage, Optional<Object>> toCommand) {
        Objects.requireNonNull(bus, "bus");
        Objects.requireNonNull(toCommand, "toCommand");
        Logger log = LoggerFactory.getLogger(InboxHandler.class);
        return message -> {
            Optional<Object> command = toCommand.apply(message);
            if (command.isEmpty()) {
                return;
            }
            Map<String, String> entries = new HashMap<>();
            entries.put("sourceTopic", message.topic());
            entries.put("sourceStream", message.streamId());
            message.traceparent().ifPresent(trace -> entries.put(KafkaHeaders.TRACEPARENT, trace));
            UUID correlation = message.correlationId().orElse(message.eventId());
            CommandContext context = new CommandContext(
                    message.commandId(), correlation, message.eventId(), Optional.empty(), Optional.empty(), entries);
            CommandResult result = bus.send(command.get(), context);
            switch (result) {
                case CommandResult.Accepted accepted -> {}
                case CommandResult.Completed completed -> {}
                case CommandResult.Rejected rejected ->
                    log.info(
                            "inbox {}: event {} ({}) became a command that rule {} rejected: {}",
                            message.inbox(),
                            message.eventId(),
                            message.type(),
                            rejected.rule(),
                            rejected.message());
                case CommandResult.Invalid invalid ->
                    throw new PoisonRecordException("event " + message.eventId() + " (" + message.type()
                            + ") became an invalid command: " + invalid.violations());
                case CommandResult.Forbidden forbidden ->
                    throw new PoisonRecordException("event " + message.eventId() + " (" + message.type()
                            + ") became a forbidden command: " + forbidden.reason());
                case CommandResult.Conflict conflict ->
                    throw new IllegalStateException("event " + message.eventId() + " (" + message.type()
                            + "): the command conflicted on " + conflict.streamId() + ": " + conflict.message());
            }
        };
    }
}
