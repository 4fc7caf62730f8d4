package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factum.core.AllSlice;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StoreOptions;
import io.factum.core.StreamSlice;
import io.factum.testkit.TestClock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every TCK suite shares: a fresh store per test on a {@link TestClock}, and helpers to make events
 * and read everything back. Stores are closed after each test.
 */
public abstract class TckSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger STREAMS = new AtomicInteger();

    /** The clock of {@link #store}; move it to test time-based rules. */
    protected final TestClock clock = TestClock.standard();

    /** A new, empty store opened for each test with {@link #clock}. */
    protected EventStore store;

    private final List<EventStore> opened = new ArrayList<>();

    /** The store under test. */
    protected abstract StoreFixture fixture();

    @BeforeEach
    void openStore() {
        store = open(StoreOptions.defaults().withClock(clock));
    }

    @AfterEach
    void closeStores() {
        for (EventStore each : opened) {
            each.close();
        }
    }

    /** Opens one more new, empty store, closed after the test. */
    protected EventStore open(StoreOptions options) {
        return track(fixture().create(options));
    }

    /** Registers a store to be closed after the test. */
    protected EventStore track(EventStore opened) {
        this.opened.add(opened);
        return opened;
    }

    /** A stream id no other test uses, in the given category. */
    protected static String newStream(String category) {
        return category + "-" + STREAMS.incrementAndGet();
    }

    /** An event of type {@code type} with data {@code {"n": n}}. */
    protected static EventData event(String type, int n) {
        return EventData.of(UUID.randomUUID(), type, "{\"n\":" + n + "}");
    }

    /** {@code count} events of type {@code Counted} with data {@code {"n": i}}. */
    protected static List<EventData> events(int count) {
        return IntStream.range(0, count).mapToObj(i -> event("Counted", i)).toList();
    }

    /** Every event of a stream a read can see, forward, in pages of 7 to exercise paging. */
    protected List<RecordedEvent> readWhole(String streamId) {
        List<RecordedEvent> all = new ArrayList<>();
        long next = StreamSlice.START;
        for (int guard = 0; guard < 100_000; guard++) {
            StreamSlice slice = store.readStream(streamId, ReadDirection.FORWARD, next, 7);
            all.addAll(slice.events());
            if (slice.endOfStream()) {
                return all;
            }
            next = slice.nextVersion();
        }
        throw new AssertionError("stream " + streamId + " never reported its end");
    }

    /** Every event of the global log visible now, forward, in pages of 13. */
    protected List<RecordedEvent> readWholeLog(EventStore from, EventFilter filter) {
        List<RecordedEvent> all = new ArrayList<>();
        Position next = Position.START;
        for (int guard = 0; guard < 1_000_000; guard++) {
            AllSlice slice = from.readAll(next, ReadDirection.FORWARD, 13, filter);
            all.addAll(slice.events());
            if (slice.endOfLog()) {
                return all;
            }
            next = slice.next();
        }
        throw new AssertionError("the global log never reported its end");
    }

    /** The event ids of some events, in order. */
    protected static List<UUID> idsOf(List<RecordedEvent> events) {
        return events.stream().map(RecordedEvent::eventId).toList();
    }

    /** The event ids of events to append, in order. */
    protected static List<UUID> idsOfData(List<EventData> events) {
        return events.stream().map(EventData::eventId).toList();
    }

    /** The stream versions of some events, in order. */
    protected static List<Long> versionsOf(List<RecordedEvent> events) {
        return events.stream().map(RecordedEvent::streamVersion).toList();
    }

    /** Asserts two JSON texts mean the same (stores may normalise whitespace and key order). */
    protected static void assertSameJson(String actual, String expected) {
        assertThat(parse(actual)).as("JSON %s", actual).isEqualTo(parse(expected));
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new AssertionError("the store returned invalid JSON: " + json, e);
        }
    }

    /** Asserts that positions strictly increase along the list. */
    protected static void assertStrictlyIncreasing(List<RecordedEvent> events) {
        for (int i = 1; i < events.size(); i++) {
            assertThat(events.get(i).position())
                    .as("position of event %d", i)
                    .isGreaterThan(events.get(i - 1).position());
        }
    }
}
