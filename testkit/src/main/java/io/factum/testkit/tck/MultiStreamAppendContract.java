package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.AppendResult;
import io.factum.core.AppendResults;
import io.factum.core.DuplicateEventException;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.ExpectedVersion;
import io.factum.core.InvalidEventException;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.StreamAppend;
import io.factum.core.StreamDeletedException;
import io.factum.core.WrongExpectedVersionException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Atomic multi-stream appends: one call appends to several streams, each on its own expected version,
 * all or nothing, and idempotent by event ids like a single-stream append.
 */
public abstract class MultiStreamAppendContract extends TckSupport {

    @Test
    void appends_to_several_streams_at_once() {
        String order = newStream("order");
        String stock = newStream("stock");
        store.append(stock, ExpectedVersion.noStream(), events(2));
        List<EventData> toOrder = events(2);
        List<EventData> toStock = events(1);

        AppendResults results = store.append(List.of(
                StreamAppend.to(order, ExpectedVersion.noStream(), toOrder),
                StreamAppend.to(stock, ExpectedVersion.exactly(1), toStock)));

        assertThat(results.results()).extracting(AppendResult::streamId).containsExactly(order, stock);
        assertThat(results.of(order).streamVersion()).isEqualTo(1);
        assertThat(results.of(stock).streamVersion()).isEqualTo(2);
        assertThat(idsOf(readWhole(order))).isEqualTo(idsOfData(toOrder));
        assertThat(idsOf(readWhole(stock)).subList(2, 3)).isEqualTo(idsOfData(toStock));
        assertThat(results.position()).isEqualTo(store.headPosition());
        assertThat(readWhole(stock).get(2).position())
                .isEqualTo(results.of(stock).position());
    }

    @Test
    void writes_nothing_if_one_stream_is_not_at_its_expected_version() {
        String order = newStream("order");
        String stock = newStream("stock");
        store.append(stock, ExpectedVersion.noStream(), events(1));
        Position head = store.headPosition();

        assertThatThrownBy(() -> store.append(List.of(
                        StreamAppend.to(order, ExpectedVersion.noStream(), events(1)),
                        StreamAppend.to(stock, ExpectedVersion.exactly(5), events(1)))))
                .isInstanceOf(WrongExpectedVersionException.class)
                .hasMessage("stream " + stock + ": expected version 5 but it is at version 0");

        assertThat(store.headPosition()).as("nothing written").isEqualTo(head);
        assertThat(store.streamInfo(order)).isEmpty();
    }

    @Test
    void writes_nothing_if_one_stream_is_tombstoned() {
        String order = newStream("order");
        String gone = newStream("gone");
        store.tombstoneStream(gone, ExpectedVersion.any());

        assertThatThrownBy(() -> store.append(List.of(
                        StreamAppend.to(order, ExpectedVersion.any(), events(1)),
                        StreamAppend.to(gone, ExpectedVersion.any(), events(1)))))
                .isInstanceOf(StreamDeletedException.class);
        assertThat(store.streamInfo(order)).isEmpty();
    }

    @Test
    void a_retry_returns_the_original_results_and_writes_nothing() {
        List<StreamAppend> append = List.of(
                StreamAppend.to(newStream("order"), ExpectedVersion.noStream(), events(2)),
                StreamAppend.to(newStream("stock"), ExpectedVersion.noStream(), events(1)));
        AppendResults first = store.append(append);
        Position head = store.headPosition();

        assertThat(store.append(append)).isEqualTo(first);
        assertThat(store.headPosition()).isEqualTo(head);
    }

    @Test
    void a_partial_overlap_with_stored_events_is_a_duplicate() {
        String order = newStream("order");
        List<EventData> stored = events(1);
        store.append(order, ExpectedVersion.noStream(), stored);
        Position head = store.headPosition();

        assertThatThrownBy(() -> store.append(List.of(
                        StreamAppend.to(order, ExpectedVersion.any(), stored),
                        StreamAppend.to(newStream("stock"), ExpectedVersion.noStream(), events(1)))))
                .isInstanceOf(DuplicateEventException.class);
        assertThat(store.headPosition()).isEqualTo(head);
    }

    @Test
    void refuses_a_stream_named_twice_and_an_empty_list() {
        String order = newStream("order");
        assertThatThrownBy(() -> store.append(List.of(
                        StreamAppend.to(order, ExpectedVersion.any(), events(1)),
                        StreamAppend.to(order, ExpectedVersion.any(), events(1)))))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("stream " + order
                        + " appears more than once in the append (again at index 1); put its events in one part");
        assertThatThrownBy(() -> store.append(List.of()))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("a multi-stream append needs at least one stream, got none");
        assertThat(store.headPosition()).isEqualTo(Position.START);
    }

    @Test
    void concurrent_transfers_between_streams_are_each_all_or_nothing() throws Exception {
        // every transfer moves one unit from one account stream to another, on both expected versions
        int accounts = 4;
        int transfers = 200;
        List<String> ids = new ArrayList<>();
        for (int a = 0; a < accounts; a++) {
            ids.add(newStream("account"));
            store.append(ids.get(a), ExpectedVersion.noStream(), event("Opened", 0));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> done = new ArrayList<>();
            for (int t = 0; t < transfers; t++) {
                String from = ids.get(t % accounts);
                String to = ids.get((t + 1 + t / accounts) % accounts);
                if (from.equals(to)) {
                    continue;
                }
                done.add(pool.submit(() -> {
                    long fromVersion = store.streamInfo(from).orElseThrow().lastVersion();
                    long toVersion = store.streamInfo(to).orElseThrow().lastVersion();
                    try {
                        store.append(List.of(
                                StreamAppend.to(from, ExpectedVersion.exactly(fromVersion), event("Debited", 1)),
                                StreamAppend.to(to, ExpectedVersion.exactly(toVersion), event("Credited", 1))));
                        return true;
                    } catch (WrongExpectedVersionException raced) {
                        return false;
                    }
                }));
            }
            int won = 0;
            for (Future<Boolean> each : done) {
                won += each.get() ? 1 : 0;
            }
            List<RecordedEvent> log = readWholeLog(store, EventFilter.eventTypes("Debited", "Credited"));
            long debits = log.stream().filter(e -> e.type().equals("Debited")).count();
            long credits = log.size() - debits;
            assertThat(debits).as("debits").isEqualTo(won).isEqualTo(credits);
            for (String id : ids) {
                assertThat(versionsOf(readWhole(id)))
                        .as("gapless versions of %s", id)
                        .doesNotHaveDuplicates();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
