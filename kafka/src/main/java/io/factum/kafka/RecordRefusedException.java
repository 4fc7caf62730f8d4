package io.factum.kafka;

import io.factum.core.Position;

/**
 * Kafka refused to take an event's record for a reason that waiting will not fix: too large for the
 * producer's or the topic's limit, a topic that does not exist (and is not created automatically), no
 * authorization to write to it, an invalid topic name, or a topic function that failed. The relay retries
 * it as its {@link io.factum.core.subscription.RetryPolicy} says, then parks the event with this message,
 * where the admin pages show it; replay it once the cause is fixed.
 */
public final class RecordRefusedException extends RuntimeException {

    private final String streamId;
    private final long streamVersion;
    private final Position position;
    private final String topic;

    RecordRefusedException(
            String streamId, long streamVersion, Position position, String topic, String reason, Throwable cause) {
        super(
                "event " + streamId + "@" + streamVersion + " (position " + position + ") was refused for topic '"
                        + topic + "': " + reason,
                cause);
        this.streamId = streamId;
        this.streamVersion = streamVersion;
        this.position = position;
        this.topic = topic;
    }

    /** The refused event's stream. */
    public String streamId() {
        return streamId;
    }

    /** The refused event's version in its stream. */
    public long streamVersion() {
        return streamVersion;
    }

    /** The refused event's position in the global log. */
    public Position position() {
        return position;
    }

    /** The topic it was meant for; empty if the topic function failed. */
    public String topic() {
        return topic;
    }
}
