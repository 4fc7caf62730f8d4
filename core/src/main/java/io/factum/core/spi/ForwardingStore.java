package io.factum.core.spi;

import io.factum.core.AllSlice;
import io.factum.core.AppendCondition;
import io.factum.core.AppendResult;
import io.factum.core.AppendResults;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.EventQuery;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.StreamAppend;
import io.factum.core.StreamInfo;
import io.factum.core.StreamMetadata;
import io.factum.core.StreamSlice;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A store that hands every call to another; decorators (metrics, access rules) extend it and override what
 * they change, so a method added to {@link EventStore} is forwarded by every decorator once it is forwarded
 * here.
 */
public abstract class ForwardingStore implements EventStore {

    protected final EventStore delegate;

    protected ForwardingStore(EventStore delegate) {
        this.delegate = java.util.Objects.requireNonNull(delegate, "store");
    }

    @Override
    public AppendResult append(String streamId, ExpectedVersion expected, List<EventData> events) {
        return delegate.append(streamId, expected, events);
    }

    @Override
    public AppendResults append(List<StreamAppend> appends, AppendCondition condition) {
        return delegate.append(appends, condition);
    }

    @Override
    public AllSlice read(EventQuery query, Position after, int maxCount) {
        return delegate.read(query, after, maxCount);
    }

    @Override
    public StreamSlice readStream(String streamId, ReadDirection direction, long fromVersion, int maxCount) {
        return delegate.readStream(streamId, direction, fromVersion, maxCount);
    }

    @Override
    public AllSlice readAll(Position from, ReadDirection direction, int maxCount, EventFilter filter) {
        return delegate.readAll(from, direction, maxCount, filter);
    }

    @Override
    public Optional<StoredEventId> locateEvent(UUID eventId) {
        return delegate.locateEvent(eventId);
    }

    @Override
    public Position headPosition() {
        return delegate.headPosition();
    }

    @Override
    public boolean awaitAppend(Position after, Duration timeout) throws InterruptedException {
        return delegate.awaitAppend(after, timeout);
    }

    @Override
    public Optional<StreamInfo> streamInfo(String streamId) {
        return delegate.streamInfo(streamId);
    }

    @Override
    public void setStreamMetadata(String streamId, StreamMetadata metadata) {
        delegate.setStreamMetadata(streamId, metadata);
    }

    @Override
    public void deleteStream(String streamId, ExpectedVersion expected) {
        delegate.deleteStream(streamId, expected);
    }

    @Override
    public void tombstoneStream(String streamId, ExpectedVersion expected) {
        delegate.tombstoneStream(streamId, expected);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
