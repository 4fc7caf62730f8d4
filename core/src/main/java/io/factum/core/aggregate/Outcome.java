package io.factum.core.aggregate;

import io.factum.core.Position;
import java.util.List;

/**
 * What handling a command did to an aggregate.
 *
 * @param streamId the aggregate's stream
 * @param events the events appended, empty if the command changed nothing
 * @param version the stream's version afterwards
 * @param position the global position of the stream's last event afterwards: a query that waits for the
 *     read side to reach it sees the command's effect
 * @param attempts how many times the command was decided (more than 1 after version conflicts)
 * @param duplicate true if the command had been handled before (a retry with the same command id): nothing
 *     was appended now, and the outcome is that of the first run, read from its stored events (version and
 *     position of its last event, the events as stored where reads still show them)
 * @param <E> the events
 */
public record Outcome<E>(
        String streamId, List<E> events, long version, Position position, int attempts, boolean duplicate) {

    public Outcome {
        events = List.copyOf(events);
    }

    /** The outcome of a command handled now (not a duplicate). */
    public Outcome(String streamId, List<E> events, long version, Position position, int attempts) {
        this(streamId, events, version, position, attempts, false);
    }
}
