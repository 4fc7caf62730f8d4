package io.factum.http;

import io.factum.core.AllSlice;
import io.factum.core.AppendResult;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StreamInfo;
import io.factum.core.StreamMetadata;
import io.factum.core.StreamSlice;
import io.factum.core.gdpr.CryptoShredder;
import io.factum.core.gdpr.SubjectKeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The store as the HTTP surfaces read it when personal data is crypto-shredded: every event read has its
 * encrypted personal values decrypted, or {@value CryptoShredder#ERASED} where the subject was forgotten
 * ({@link CryptoShredder#reveal}). Writes pass through unchanged.
 */
final class RevealingStore implements EventStore {

    private final EventStore store;
    private final SubjectKeyStore keys;

    RevealingStore(EventStore store, SubjectKeyStore keys) {
        this.store = store;
        this.keys = keys;
    }

    private RecordedEvent reveal(RecordedEvent event) {
        String data = CryptoShredder.reveal(event.data(), keys);
        if (data.equals(event.data())) {
            return event;
        }
        return new RecordedEvent(
                event.eventId(),
                event.streamId(),
                event.streamVersion(),
                event.position(),
                event.type(),
                event.schemaVersion(),
                data,
                event.metadata(),
                event.recordedAt());
    }

    private List<RecordedEvent> reveal(List<RecordedEvent> events) {
        return events.stream().map(this::reveal).toList();
    }

    @Override
    public StreamSlice readStream(String streamId, ReadDirection direction, long fromVersion, int maxCount) {
        StreamSlice slice = store.readStream(streamId, direction, fromVersion, maxCount);
        return new StreamSlice(
                slice.streamId(),
                slice.direction(),
                reveal(slice.events()),
                slice.lastVersion(),
                slice.nextVersion(),
                slice.endOfStream());
    }

    @Override
    public AllSlice readAll(Position from, ReadDirection direction, int maxCount, EventFilter filter) {
        AllSlice slice = store.readAll(from, direction, maxCount, filter);
        return new AllSlice(slice.direction(), reveal(slice.events()), slice.next(), slice.endOfLog());
    }

    @Override
    public Position headPosition() {
        return store.headPosition();
    }

    @Override
    public boolean awaitAppend(Position after, Duration timeout) throws InterruptedException {
        return store.awaitAppend(after, timeout);
    }

    @Override
    public AppendResult append(String streamId, ExpectedVersion expected, List<EventData> events) {
        return store.append(streamId, expected, events);
    }

    @Override
    public Optional<StreamInfo> streamInfo(String streamId) {
        return store.streamInfo(streamId);
    }

    @Override
    public void setStreamMetadata(String streamId, StreamMetadata metadata) {
        store.setStreamMetadata(streamId, metadata);
    }

    @Override
    public void deleteStream(String streamId, ExpectedVersion expected) {
        store.deleteStream(streamId, expected);
    }

    @Override
    public void tombstoneStream(String streamId, ExpectedVersion expected) {
        store.tombstoneStream(streamId, expected);
    }

    @Override
    public void close() {
        store.close();
    }

    @Override
    public String toString() {
        return "Revealing[" + store + "]";
    }
}
