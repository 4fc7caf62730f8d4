package io.factum.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.AllSlice;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.spi.ForwardingStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The relay's read-ahead reads each page of the log from the store once, and never keeps the log's end. */
class PageAheadTest {

    private final EventStore memory = EventStore.inMemory();
    /** Where each read of the store started, in order; the read-ahead thread's reads too. */
    private final List<Position> storeReads = java.util.Collections.synchronizedList(new ArrayList<>());

    private final EventStore counted = new ForwardingStore(memory) {
        @Override
        public AllSlice readAll(Position from, ReadDirection direction, int maxCount, EventFilter filter) {
            storeReads.add(from);
            return super.readAll(from, direction, maxCount, filter);
        }
    };
    private final PageAhead<Integer> pages = new PageAhead<>(counted, "test", List::size);

    @AfterEach
    void close() {
        pages.close();
    }

    private void append(int events) {
        List<EventData> data = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            data.add(EventData.of("Counted", "{\"n\":" + i + "}"));
        }
        memory.append("counter-1", ExpectedVersion.any(), data);
    }

    private long readsFrom(Position from) {
        synchronized (storeReads) {
            return storeReads.stream().filter(from::equals).count();
        }
    }

    @Test
    void the_pages_read_ahead_are_the_ones_the_subscription_reads_next_and_come_from_the_store_once()
            throws InterruptedException {
        append(45);
        AllSlice first = pages.readAll(Position.START, ReadDirection.FORWARD, 10, EventFilter.all());
        PageAhead.Page<Integer> ahead = java.util.Objects.requireNonNull(pages.next());

        AllSlice second = pages.readAll(first.next(), ReadDirection.FORWARD, 10, EventFilter.all());
        PageAhead.Page<Integer> third = java.util.Objects.requireNonNull(pages.next());
        AllSlice thirdRead = pages.readAll(second.next(), ReadDirection.FORWARD, 10, EventFilter.all());

        assertThat(second.events()).isEqualTo(ahead.events()).hasSize(10);
        assertThat(second.events().get(0).streamVersion()).isEqualTo(10);
        assertThat(ahead.prepared()).as("made from the page's events").isEqualTo(10);
        assertThat(thirdRead.events()).isEqualTo(third.events());
        assertThat(thirdRead.events().get(0).streamVersion()).isEqualTo(20);
        assertThat(thirdRead.events())
                .isEqualTo(memory.readAll(second.next(), ReadDirection.FORWARD, 10, EventFilter.all())
                        .events());
        for (Position from : List.of(Position.START, first.next(), second.next())) {
            assertThat(readsFrom(from)).as("reads from " + from).isEqualTo(1);
        }
    }

    @Test
    void a_page_that_reaches_the_end_of_the_log_is_sent_ahead_but_read_again_so_later_appends_are_seen()
            throws InterruptedException {
        append(15);
        AllSlice first = pages.readAll(Position.START, ReadDirection.FORWARD, 10, EventFilter.all());
        assertThat(java.util.Objects.requireNonNull(pages.next()).events()).hasSize(5);
        append(3);

        AllSlice second = pages.readAll(first.next(), ReadDirection.FORWARD, 10, EventFilter.all());

        assertThat(second.events()).hasSize(8);
        assertThat(second.endOfLog()).isTrue();
        assertThat(readsFrom(first.next())).isEqualTo(2);
        assertThat(pages.next()).as("nothing is read past the end of the log").isNull();
        assertThat(storeReads).hasSize(3);
    }

    @Test
    void a_read_from_elsewhere_or_of_another_size_goes_to_the_store_and_the_pages_ahead_follow_it()
            throws InterruptedException {
        append(40);
        AllSlice first = pages.readAll(Position.START, ReadDirection.FORWARD, 10, EventFilter.all());
        pages.next();

        AllSlice again = pages.readAll(Position.START, ReadDirection.FORWARD, 10, EventFilter.all());
        AllSlice bigger = pages.readAll(first.next(), ReadDirection.FORWARD, 20, EventFilter.all());
        PageAhead.Page<Integer> after = java.util.Objects.requireNonNull(pages.next());

        assertThat(again.events()).isEqualTo(first.events());
        assertThat(readsFrom(Position.START)).isEqualTo(2);
        assertThat(bigger.events()).hasSize(20);
        assertThat(after.events()).as("the page after the last one read").hasSize(10);
        assertThat(after.events().get(0).streamVersion()).isEqualTo(30);
        assertThat(after.slice().endOfLog()).isTrue();
    }

    @Test
    void nothing_is_read_ahead_before_the_subscription_read_a_page() throws InterruptedException {
        append(5);

        assertThat(pages.next()).isNull();
        assertThat(storeReads).isEmpty();
    }
}
