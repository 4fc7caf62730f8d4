package io.factum.core.subscription;

import io.factum.core.FactumException;
import io.factum.core.Position;
import java.time.Duration;

/**
 * A query asked for a read model that has reached a position (read-your-writes) and it did not get there
 * within the time allowed. Retry later; an HTTP layer maps it to 503 with Retry-After.
 */
public final class StaleReadModelException extends FactumException {

    private final String projection;
    private final Position wanted;
    private final Position reached;

    public StaleReadModelException(String projection, Position wanted, Position reached, Duration waited) {
        super("read model " + projection + " has not reached position " + wanted + " within " + waited.toMillis()
                + " ms; it is at " + reached + ", retry later");
        this.projection = projection;
        this.wanted = wanted;
        this.reached = reached;
    }

    /** The projection asked. */
    public String projection() {
        return projection;
    }

    /** The position the query asked for. */
    public Position wanted() {
        return wanted;
    }

    /** The position the read model had reached when the wait ended. */
    public Position reached() {
        return reached;
    }
}
