package io.factum.core;

import java.util.List;
import java.util.Objects;

/**
 * The part of a multi-stream append that goes to one stream: the events and the version the stream must
 * be at.
 *
 * @param streamId the stream
 * @param expected the version it must be at, as for a single-stream append
 * @param events the events to append, at least one
 */
public record StreamAppend(String streamId, ExpectedVersion expected, List<EventData> events) {

    public StreamAppend {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(expected, "expected");
        events = List.copyOf(Objects.requireNonNull(events, "events"));
    }

    /** The events for {@code streamId}, if it is at {@code expected}. */
    public static StreamAppend to(String streamId, ExpectedVersion expected, EventData... events) {
        return new StreamAppend(streamId, expected, List.of(events));
    }

    /** The events for {@code streamId}, if it is at {@code expected}. */
    public static StreamAppend to(String streamId, ExpectedVersion expected, List<EventData> events) {
        return new StreamAppend(streamId, expected, events);
    }
}
