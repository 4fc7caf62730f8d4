package io.factum.core.subscription;

import io.factum.core.Position;

/**
 * What a read model answered, and the position of the global log the answer reflects: every event up to
 * {@code position} that the read model reads was applied to the state the query saw (it may reflect later
 * events too). A caller that sends the position back with its next query ({@link
 * ProjectionSubscription#answer(Position, java.time.Duration, ReadModelQuery)}) never sees an older state:
 * monotonic reads, also across processes that share the read model's database.
 *
 * @param value what the query returned
 * @param position the position the answer reflects; {@link Position#START} for a read model that has
 *     applied nothing yet
 * @param <T> what the query returns
 */
public record Answer<T>(T value, Position position) {}
