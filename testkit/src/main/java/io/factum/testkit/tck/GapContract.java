package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.AllSlice;
import io.factum.core.AppendResult;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The gap problem of stores with concurrent writers: a transaction that took a lower global position
 * and commits late must still be delivered to a catch-up reader that already read past later positions.
 * A reader that naively reads {@code position > checkpoint} fails this suite.
 */
public abstract class GapContract extends TckSupport {

    /**
     * Starts an append in its own transaction, writes its events (so they take their global positions),
     * and returns without committing; the commit happens at {@link HeldAppend#commit()}.
     */
    protected abstract HeldAppend holdAppend(EventStore store, String streamId, List<EventData> events);

    private static Position readTo(EventStore store, Position checkpoint, List<RecordedEvent> into) {
        Position next = checkpoint;
        while (true) {
            AllSlice slice = store.readAll(next, ReadDirection.FORWARD, 100, EventFilter.all());
            into.addAll(slice.events());
            next = slice.next();
            if (slice.endOfLog()) {
                return next;
            }
        }
    }

    @Test
    void a_catch_up_reader_does_not_skip_a_transaction_that_commits_late() {
        List<EventData> before = events(2);
        store.append(newStream("gap"), ExpectedVersion.noStream(), before);
        List<RecordedEvent> seen = new ArrayList<>();
        Position checkpoint = readTo(store, Position.START, seen);

        List<EventData> late = events(2);
        HeldAppend held = holdAppend(store, newStream("gap"), late);
        List<EventData> early = events(1);
        AppendResult committedFirst = store.append(newStream("gap"), ExpectedVersion.noStream(), early);
        checkpoint = readTo(store, checkpoint, seen);
        AppendResult committedLate = held.commit();
        readTo(store, checkpoint, seen);

        List<UUID> expected = new ArrayList<>(idsOfData(before));
        expected.addAll(idsOfData(late));
        expected.addAll(idsOfData(early));
        assertThat(idsOf(seen)).as("every event exactly once").containsExactlyInAnyOrderElementsOf(expected);
        assertStrictlyIncreasing(seen);
        assertThat(committedLate.position().position())
                .as("the late transaction took the lower global position")
                .isLessThan(committedFirst.position().position());
        assertThat(store.headPosition()).isEqualTo(seen.get(seen.size() - 1).position());
    }
}
