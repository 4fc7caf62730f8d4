package io.factum.core.spi;

import io.factum.core.AppendResult;
import io.factum.core.DuplicateEventException;
import io.factum.core.EventData;
import io.factum.core.ExpectedVersion;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The idempotent-retry rule: an append whose event ids are all stored already, in the same stream, at
 * consecutive versions, in the same order, and at the place the expected version names, is a retry and
 * returns the original result. Any other reuse of a stored id is a {@link DuplicateEventException}.
 */
public final class Idempotency {

    private Idempotency() {}

    /**
     * Decides what an append means given which of its event ids are already stored.
     *
     * @param stored the already stored ids among the append's, keyed by id
     * @return the original result if the append is a full retry; empty if none of the ids is stored
     * @throws DuplicateEventException if some ids are stored but the append is not a full retry
     */
    public static Optional<AppendResult> evaluate(
            String streamId, ExpectedVersion expected, List<EventData> events, Map<UUID, StoredEventId> stored) {
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        StoredEventId first = stored.get(events.get(0).eventId());
        boolean retry = first != null
                && stored.size() == events.size()
                && first.streamId().equals(streamId)
                && (!(expected instanceof ExpectedVersion.Exactly exactly)
                        || exactly.version() == first.streamVersion() - 1);
        StoredEventId last = first;
        for (int i = 1; retry && i < events.size(); i++) {
            StoredEventId next = stored.get(events.get(i).eventId());
            retry = next != null
                    && next.streamId().equals(streamId)
                    && next.streamVersion() == first.streamVersion() + i;
            last = next;
        }
        if (retry && last != null) {
            return Optional.of(new AppendResult(streamId, last.streamVersion(), last.position()));
        }
        for (EventData event : events) {
            StoredEventId found = stored.get(event.eventId());
            if (found != null) {
                throw new DuplicateEventException(streamId, event.eventId(), found.streamId(), found.streamVersion());
            }
        }
        throw new IllegalStateException("stored ids " + stored.keySet() + " are not among the append's ids");
    }
}
