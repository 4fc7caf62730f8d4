package io.factum.core.spi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.factum.core.AppendResult;
import io.factum.core.AppendResults;
import io.factum.core.DuplicateEventException;
import io.factum.core.EventData;
import io.factum.core.ExpectedVersion;
import io.factum.core.StreamAppend;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The idempotent-retry rule: an append whose event ids are all stored already, in the same stream, at
 * consecutive versions, in the same order, and at the place the expected version names, is a retry and
 * returns the original result, provided it repeats what is stored: each event's type and data ({@link
 * #requireSameContent}). Any other reuse of a stored id is a {@link DuplicateEventException}.
 */
public final class Idempotency {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .build();

    /** Numbers equal by value ({@code 1.50} and {@code 1.5}, {@code 1e3} and {@code 1000}), the rest as usual. */
    private static final Comparator<JsonNode> SAME_VALUE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    private Idempotency() {}

    /**
     * Checks that a retry, as {@link #evaluate} found it, repeats the stored events: the same type and the
     * same data, compared as JSON values (formatting, key order and the spelling of numbers aside, which
     * stores may change). Metadata is not compared: a client may stamp a retry anew.
     *
     * @param stored the stored content of each of the append's event ids
     * @throws DuplicateEventException naming the first event whose type or data differs: the id was reused
     *     for another event
     */
    public static void requireSameContent(
            String streamId, List<EventData> events, Map<UUID, StoredEventId> at, Map<UUID, StoredContent> stored) {
        for (EventData event : events) {
            StoredContent content = stored.get(event.eventId());
            StoredEventId where = at.get(event.eventId());
            if (content == null || where == null) {
                throw new IllegalStateException("stream " + streamId + ": no stored content for " + event.eventId());
            }
            String difference = null;
            if (!content.type().equals(event.type())) {
                difference = "type " + content.type() + ", not " + event.type();
            } else if (!sameJson(content.data(), event.data())) {
                difference = "other data";
            }
            if (difference != null) {
                throw new DuplicateEventException(
                        streamId, event.eventId(), where.streamId(), where.streamVersion(), difference);
            }
        }
    }

    private static boolean sameJson(String stored, String given) {
        if (stored.equals(given)) {
            return true;
        }
        try {
            return JSON.readTree(stored).equals(SAME_VALUE, JSON.readTree(given));
        } catch (JsonProcessingException e) {
            return false;
        }
    }

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

    /**
     * The rule for a multi-stream append: a retry only if every part is a full retry ({@link #evaluate}) and
     * repeats the stored events ({@link #requireSameContent}).
     *
     * @param stored the already stored ids among the append's, keyed by id
     * @param contents the stored content of each of them
     * @return the original results if the whole append is a retry; empty if none of the ids is stored
     * @throws DuplicateEventException if some ids are stored but the append is not a full retry
     */
    public static Optional<AppendResults> evaluateAll(
            List<StreamAppend> appends, Map<UUID, StoredEventId> stored, Map<UUID, StoredContent> contents) {
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        List<AppendResult> results = new ArrayList<>(appends.size());
        for (StreamAppend part : appends) {
            Map<UUID, StoredEventId> mine = new java.util.HashMap<>();
            for (EventData event : part.events()) {
                StoredEventId found = stored.get(event.eventId());
                if (found != null) {
                    mine.put(event.eventId(), found);
                }
            }
            if (mine.isEmpty()) {
                // another part is stored, this one is not: not a retry of the whole append
                StoredEventId some = stored.values().iterator().next();
                throw new DuplicateEventException(
                        part.streamId(), some.eventId(), some.streamId(), some.streamVersion());
            }
            Optional<AppendResult> retry = evaluate(part.streamId(), part.expected(), part.events(), mine);
            if (retry.isEmpty()) {
                throw new IllegalStateException("stored ids " + mine.keySet() + " are not a retry nor a duplicate");
            }
            requireSameContent(part.streamId(), part.events(), mine, contents);
            results.add(retry.get());
        }
        return Optional.of(new AppendResults(results));
    }
}
