package io.factum.core.aggregate;

import io.factum.core.Position;

/**
 * An aggregate's state as loaded from its stream.
 *
 * @param streamId the stream
 * @param state the state after the events read
 * @param version the version of the last event applied ({@code -1} if none): the expected version of
 *     the next append
 * @param position the global position of that event ({@link Position#START} if none)
 * @param eventsReplayed how many events were read and applied (after the snapshot, if one was used)
 * @param <S> the state
 */
public record Loaded<S>(String streamId, S state, long version, Position position, int eventsReplayed) {

    /** True if the stream had no event to apply. */
    public boolean isNew() {
        return version < 0;
    }
}
