package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.AppendResult;
import io.factum.core.DuplicateEventException;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StoreOptions;
import io.factum.core.StreamDeletedException;
import io.factum.core.StreamMetadata;
import io.factum.core.StreamState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a durable store keeps across a restart: events, ids, streams' state and metadata. */
public abstract class RestartContract extends TckSupport {

    @Override
    protected abstract DurableStoreFixture fixture();

    private EventStore reopen(EventStore before, List<String> location) {
        before.close();
        return track(fixture().open(location, StoreOptions.defaults().withClock(clock)));
    }

    @Test
    void events_positions_and_stream_state_survive_a_restart() {
        List<String> location = fixture().newLocation();
        EventStore first =
                track(fixture().open(location, StoreOptions.defaults().withClock(clock)));
        String kept = newStream("order");
        String deleted = newStream("order");
        String tombstoned = newStream("order");
        first.append(kept, ExpectedVersion.noStream(), events(3));
        first.setStreamMetadata(kept, StreamMetadata.empty().withMaxCount(2).with("owner", "sales"));
        first.append(deleted, ExpectedVersion.noStream(), events(1));
        first.deleteStream(deleted, ExpectedVersion.any());
        first.append(tombstoned, ExpectedVersion.noStream(), events(1));
        first.tombstoneStream(tombstoned, ExpectedVersion.any());
        List<RecordedEvent> logBefore = readWholeLog(first, EventFilter.all());

        EventStore second = reopen(first, location);

        assertThat(readWholeLog(second, EventFilter.all())).isEqualTo(logBefore);
        assertThat(versionsOf(
                        second.readStream(kept, ReadDirection.FORWARD, 0, 10).events()))
                .containsExactly(1L, 2L);
        assertThat(second.streamInfo(kept).orElseThrow().metadata().custom()).containsEntry("owner", "sales");
        assertThat(second.streamInfo(deleted).orElseThrow().state()).isEqualTo(StreamState.SOFT_DELETED);
        assertThatThrownBy(() -> second.append(tombstoned, ExpectedVersion.any(), events(1)))
                .isInstanceOf(StreamDeletedException.class);
        AppendResult next = second.append(kept, ExpectedVersion.exactly(2), events(1));
        assertThat(next.streamVersion()).isEqualTo(3);
        assertThat(next.position())
                .isGreaterThan(logBefore.get(logBefore.size() - 1).position());
        assertThat(second.headPosition()).isEqualTo(next.position());
    }

    @Test
    void an_idempotent_retry_still_returns_the_original_result_after_a_restart() {
        List<String> location = fixture().newLocation();
        EventStore first =
                track(fixture().open(location, StoreOptions.defaults().withClock(clock)));
        String stream = newStream("order");
        List<EventData> batch = events(3);
        AppendResult original = first.append(stream, ExpectedVersion.noStream(), batch);
        first.append(stream, ExpectedVersion.any(), events(1));

        EventStore second = reopen(first, location);

        assertThat(second.append(stream, ExpectedVersion.noStream(), batch)).isEqualTo(original);
        assertThatThrownBy(() -> second.append(newStream("order"), ExpectedVersion.noStream(), batch))
                .isInstanceOf(DuplicateEventException.class);
        assertThat(second.readStream(stream, ReadDirection.FORWARD, 0, 100).events())
                .hasSize(4);
    }
}
