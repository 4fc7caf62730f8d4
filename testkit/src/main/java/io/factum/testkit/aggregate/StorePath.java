package io.factum.testkit.aggregate;

import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StreamSlice;
import io.factum.core.serialization.Envelope;
import io.factum.core.serialization.EventMetadata;
import io.factum.core.serialization.EventSerializer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.opentest4j.AssertionFailedError;

/**
 * Running scenarios through a real store: where the given events are written and the decided ones read
 * back. Each scenario gets a stream of its own, so one store can serve many tests.
 *
 * @param store the store
 * @param serializer how events are written and read
 * @param eventType the aggregate's event type
 * @param <E> the events
 */
record StorePath<E>(EventStore store, EventSerializer serializer, Class<E> eventType) {

    /** The aggregate category of every scenario's stream: streams are named {@code scenario-<uuid>}. */
    static final String CATEGORY = "scenario";

    private static final int PAGE = 500;

    /** A new aggregate id, so the scenario's stream is empty. */
    String newId() {
        return UUID.randomUUID().toString();
    }

    /** The envelope of the scenario's events: a fresh transaction, now. */
    EventMetadata metadata() {
        return EventMetadata.startingWith(UUID.randomUUID(), Instant.now());
    }

    /**
     * Serializes the given events and appends them to the (new) stream, one stored event each.
     *
     * @throws AssertionFailedError if an event cannot be serialized
     */
    void appendGiven(Scenario scenario, String stream, List<? extends E> given) {
        if (given.isEmpty()) {
            return;
        }
        EventMetadata metadata = metadata();
        List<EventData> data = new ArrayList<>(given.size());
        try {
            for (E event : given) {
                data.add(serializer.serialize(event, UUID.randomUUID(), metadata));
            }
        } catch (IllegalArgumentException e) {
            throw Verdicts.broken(scenario, "the given events cannot be written to the store", e);
        }
        store.append(stream, ExpectedVersion.noStream(), data);
    }

    /**
     * The stream's events from {@code fromVersion} on, read from the store and deserialized (and upcast),
     * as the aggregate's event type.
     */
    List<E> readFrom(String stream, long fromVersion) {
        List<E> events = new ArrayList<>();
        long next = fromVersion;
        while (true) {
            StreamSlice slice = store.readStream(stream, ReadDirection.FORWARD, next, PAGE);
            for (RecordedEvent recorded : slice.events()) {
                for (Envelope<E> envelope : serializer.deserialize(recorded, eventType)) {
                    events.add(envelope.event());
                }
            }
            if (slice.endOfStream()) {
                return events;
            }
            next = slice.nextVersion();
        }
    }
}
