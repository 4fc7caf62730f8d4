package io.factum.core.command;

import io.factum.core.Position;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What became of a command. Each case maps to one answer of an HTTP layer: accepted or completed
 * (200/201), invalid (400), forbidden (403), conflict (409), rejected by a business rule (422). Failures of the system (the
 * store is down) are exceptions, not results.
 */
public sealed interface CommandResult {

    /** The command's id. */
    UUID commandId();

    /**
     * The result as one stable word, the value of the {@code outcome} tag of command metrics and traces:
     * {@code accepted} (also for {@link Completed}), {@code duplicate} (a remembered result answered to a
     * retry), {@code rejected}, {@code invalid}, {@code forbidden} or {@code conflict}.
     */
    default String outcome() {
        return switch (this) {
            case Accepted a -> a.duplicate() ? "duplicate" : "accepted";
            case Completed c -> c.duplicate() ? "duplicate" : "accepted";
            case Rejected r -> r.duplicate() ? "duplicate" : "rejected";
            case Invalid i -> "invalid";
            case Forbidden f -> "forbidden";
            case Conflict c -> "conflict";
        };
    }

    /**
     * The command was carried out.
     *
     * @param streamId the stream it changed
     * @param version the stream's version afterwards
     * @param position the global position of the stream's last event afterwards: ask the read side to be
     *     at least this fresh to see the effect
     * @param eventCount how many events it appended (0 if nothing needed to change)
     * @param duplicate true if this is the remembered result of an earlier run with the same command id
     */
    record Accepted(UUID commandId, String streamId, long version, Position position, int eventCount, boolean duplicate)
            implements CommandResult {

        /** The same result, as answered to a retry. */
        public Accepted asDuplicate() {
            return new Accepted(commandId, streamId, version, position, eventCount, true);
        }
    }

    /**
     * The command was carried out by a handler that touched no aggregate (it called another system, say)
     * and returned a plain result of its own.
     *
     * @param value what the handler returned; null if it returned nothing, and null on a duplicate
     *     answered from a {@link CommandLog} (which keeps no values)
     * @param duplicate true if this is the remembered result of an earlier run with the same command id
     */
    record Completed(UUID commandId, @Nullable Object value, boolean duplicate) implements CommandResult {

        /** The same result, as answered to a retry. */
        public Completed asDuplicate() {
            return new Completed(commandId, value, true);
        }
    }

    /**
     * A business rule refused the command; nothing was written.
     *
     * @param rule the rule's stable name
     * @param message why, for people
     * @param duplicate true if this is the remembered result of an earlier run with the same command id
     */
    record Rejected(UUID commandId, String rule, String message, boolean duplicate) implements CommandResult {

        public Rejected asDuplicate() {
            return new Rejected(commandId, rule, message, true);
        }
    }

    /**
     * The command is malformed: every violated field is named. Nothing was run.
     *
     * @param violations every field that is not valid
     */
    record Invalid(UUID commandId, List<FieldViolation> violations) implements CommandResult {
        public Invalid {
            violations = List.copyOf(violations);
        }
    }

    /**
     * The sender may not send this command.
     *
     * @param reason why, safe to show to the sender
     */
    record Forbidden(UUID commandId, String reason) implements CommandResult {}

    /**
     * The aggregate changed while the command was decided, more often than the command may be retried.
     * Nothing was written; reload and send again.
     *
     * @param streamId the stream
     * @param message the store's message, naming the expected and the actual version
     */
    record Conflict(UUID commandId, String streamId, String message) implements CommandResult {}
}
