package io.factum.core.subscription;

import io.factum.core.FactumException;
import io.factum.core.Position;

/**
 * A projection failed on an event. Inline, the append that carried the event is rolled back and fails
 * with this exception; asynchronously, the runtime retries and then parks the event.
 */
public final class ProjectionException extends FactumException {

    private final String projection;
    private final String streamId;
    private final Position position;

    public ProjectionException(String projection, String streamId, Position position, Throwable cause) {
        super(
                "projection " + projection + " failed on the event at " + position + " of stream " + streamId + ": "
                        + cause,
                cause);
        this.projection = projection;
        this.streamId = streamId;
        this.position = position;
    }

    /** The projection that failed. */
    public String projection() {
        return projection;
    }

    /** The stream of the event it failed on. */
    public String streamId() {
        return streamId;
    }

    /** The position of the event (for an inline projection, the position it would have had). */
    public Position position() {
        return position;
    }
}
