package io.factum.testkit.projection;

import io.factum.core.EventData;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.serialization.EventMetadata;
import io.factum.core.serialization.EventSerializer;
import io.factum.testkit.TestClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The events a projection scenario was given, as the store would have recorded them: consecutive versions
 * per stream from 0, global positions from 1 in the order given, ids derived from stream and version, and
 * recording times from the fixture's clock, which moves one millisecond per event. Not thread-safe.
 */
final class GivenLog {

    /** One given event: the user's object and its recorded form. */
    record Given(Object event, RecordedEvent recorded) {
        @Override
        public String toString() {
            return recorded.streamId() + "@" + recorded.streamVersion() + "  " + event;
        }
    }

    private final EventSerializer serializer;
    private final TestClock clock;
    private final Map<String, Long> versions = new HashMap<>();
    private final List<Given> events = new ArrayList<>();
    private int redeliveries;

    GivenLog(EventSerializer serializer, TestClock clock) {
        this.serializer = serializer;
        this.clock = clock;
    }

    /** Records the events of one given, in order, and returns them. */
    List<Given> append(String streamId, Object... given) {
        List<Given> appended = new ArrayList<>();
        for (Object event : given) {
            long version = versions.merge(streamId, 0L, (old, zero) -> old + 1);
            UUID id = UUID.nameUUIDFromBytes(
                    ("given\u0000" + streamId + "\u0000" + version).getBytes(StandardCharsets.UTF_8));
            EventData data = serializer.serialize(event, id, EventMetadata.startingWith(id, clock.instant()));
            RecordedEvent recorded = new RecordedEvent(
                    id,
                    streamId,
                    version,
                    Position.of(events.size() + 1L),
                    data.type(),
                    data.schemaVersion(),
                    data.data(),
                    data.metadata(),
                    clock.instant());
            Given one = new Given(event, recorded);
            events.add(one);
            appended.add(one);
            clock.advance(Duration.ofMillis(1));
        }
        return appended;
    }

    List<Given> all() {
        return List.copyOf(events);
    }

    void redelivered() {
        redeliveries++;
    }

    /** The lines that end every failure message: what the scenario was given. */
    String footer() {
        StringBuilder text = new StringBuilder();
        if (events.isEmpty()) {
            text.append("given: no events");
        } else {
            text.append("given:\n").append(Rows.numbered(events, "   ").stripTrailing());
        }
        if (redeliveries > 0) {
            text.append("\nthen every event was delivered again")
                    .append(redeliveries > 1 ? " (" + redeliveries + " times)" : "");
        }
        return text.toString();
    }
}
