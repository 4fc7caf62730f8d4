package io.factum.core;

/**
 * An append's {@link AppendCondition}: an event matching the condition's query was appended after the
 * condition's position, so the decision was taken on a view that is stale now. Nothing was written. Like
 * {@link WrongExpectedVersionException} it is a {@link ConcurrencyException}: read again, decide again and
 * retry; an HTTP layer maps it to 409.
 */
public final class AppendConditionFailedException extends ConcurrencyException {

    private final EventQuery query;
    private final Position after;
    private final Position matchedPosition;
    private final String matchedStreamId;
    private final String matchedType;

    /**
     * @param streamId the first stream of the failed append
     * @param query the condition's query
     * @param after the condition's position
     * @param matchedPosition the position of the first event after {@code after} that matches
     * @param matchedStreamId that event's stream
     * @param matchedType that event's type
     */
    public AppendConditionFailedException(
            String streamId,
            EventQuery query,
            Position after,
            Position matchedPosition,
            String matchedStreamId,
            String matchedType) {
        super(
                streamId,
                "append to stream " + streamId + ": the condition failed: " + matchedType + " of stream "
                        + matchedStreamId + " at position " + matchedPosition + " matches " + query
                        + " and was appended after " + after
                        + "; nothing was written: read again from " + after + ", decide again and retry");
        this.query = query;
        this.after = after;
        this.matchedPosition = matchedPosition;
        this.matchedStreamId = matchedStreamId;
        this.matchedType = matchedType;
    }

    /** The condition's query. */
    public EventQuery query() {
        return query;
    }

    /** The condition's position. */
    public Position after() {
        return after;
    }

    /** The position of the first matching event appended after {@link #after()}. */
    public Position matchedPosition() {
        return matchedPosition;
    }

    /** The stream of that event. */
    public String matchedStreamId() {
        return matchedStreamId;
    }

    /** The type of that event. */
    public String matchedType() {
        return matchedType;
    }
}
