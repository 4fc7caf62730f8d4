package io.factum.http;

import io.factum.core.AllSlice;
import io.factum.core.EventFilter;
import io.factum.core.EventQuery;
import io.factum.core.EventStore;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StreamSlice;
import io.factum.core.gdpr.CryptoShredder;
import io.factum.core.gdpr.SubjectKeyStore;
import io.factum.core.spi.ForwardingStore;
import java.util.List;

/**
 * The store as the HTTP surfaces read it when personal data is crypto-shredded: every event read has its
 * encrypted personal values decrypted, or {@value CryptoShredder#ERASED} where the subject was forgotten
 * ({@link CryptoShredder#reveal}). Writes pass through unchanged.
 */
final class RevealingStore extends ForwardingStore {

    private final SubjectKeyStore keys;

    RevealingStore(EventStore store, SubjectKeyStore keys) {
        super(store);
        this.keys = keys;
    }

    private RecordedEvent reveal(RecordedEvent event) {
        String data = CryptoShredder.reveal(event.data(), keys);
        if (data.equals(event.data())) {
            return event;
        }
        return event.withData(data);
    }

    private List<RecordedEvent> reveal(List<RecordedEvent> events) {
        return events.stream().map(this::reveal).toList();
    }

    @Override
    public StreamSlice readStream(String streamId, ReadDirection direction, long fromVersion, int maxCount) {
        StreamSlice slice = delegate.readStream(streamId, direction, fromVersion, maxCount);
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
        AllSlice slice = delegate.readAll(from, direction, maxCount, filter);
        return new AllSlice(slice.direction(), reveal(slice.events()), slice.next(), slice.endOfLog());
    }

    @Override
    public AllSlice read(EventQuery query, Position after, int maxCount) {
        AllSlice slice = delegate.read(query, after, maxCount);
        return new AllSlice(slice.direction(), reveal(slice.events()), slice.next(), slice.endOfLog());
    }

    @Override
    public String toString() {
        return "Revealing[" + delegate + "]";
    }
}
