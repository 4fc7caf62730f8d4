package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventFilter;
import io.factum.core.ExpectedVersion;
import io.factum.core.ReadDirection;
import io.factum.core.StreamInfo;
import io.factum.core.StreamMetadata;
import io.factum.core.StreamSlice;
import io.factum.core.StreamState;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Stream metadata: max count, max age, truncate-before and custom entries. */
public abstract class MetadataContract extends TckSupport {

    private final String stream = newStream("meter");

    @Test
    void max_count_keeps_only_the_newest_events_readable() {
        store.append(stream, ExpectedVersion.noStream(), events(10));
        store.setStreamMetadata(stream, StreamMetadata.empty().withMaxCount(3));

        assertThat(versionsOf(readWhole(stream))).containsExactly(7L, 8L, 9L);
        assertThat(versionsOf(store.readStream(stream, ReadDirection.BACKWARD, StreamSlice.END, 10)
                        .events()))
                .containsExactly(9L, 8L, 7L);
        assertThat(store.readStream(stream, ReadDirection.BACKWARD, StreamSlice.END, 10)
                        .endOfStream())
                .isTrue();

        store.append(stream, ExpectedVersion.exactly(9), events(1));
        assertThat(versionsOf(readWhole(stream))).containsExactly(8L, 9L, 10L);
    }

    @Test
    void max_age_hides_events_older_than_the_clock_allows() {
        store.append(stream, ExpectedVersion.noStream(), events(3));
        clock.advance(Duration.ofHours(2));
        store.append(stream, ExpectedVersion.exactly(2), events(2));
        store.setStreamMetadata(stream, StreamMetadata.empty().withMaxAge(Duration.ofHours(1)));

        assertThat(versionsOf(readWhole(stream))).containsExactly(3L, 4L);
        assertThat(versionsOf(store.readStream(stream, ReadDirection.BACKWARD, StreamSlice.END, 10)
                        .events()))
                .containsExactly(4L, 3L);

        clock.advance(Duration.ofMinutes(61));
        assertThat(readWhole(stream)).isEmpty();
        assertThat(store.streamInfo(stream).orElseThrow().lastVersion())
                .as("hidden, not gone: appends continue")
                .isEqualTo(4);
    }

    @Test
    void truncate_before_hides_earlier_versions() {
        store.append(stream, ExpectedVersion.noStream(), events(10));
        store.setStreamMetadata(stream, StreamMetadata.empty().withTruncateBefore(6));

        assertThat(versionsOf(readWhole(stream))).containsExactly(6L, 7L, 8L, 9L);
        assertThat(versionsOf(
                        store.readStream(stream, ReadDirection.FORWARD, 2, 2).events()))
                .containsExactly(6L, 7L);
        assertThat(versionsOf(
                        store.readStream(stream, ReadDirection.BACKWARD, 7, 10).events()))
                .containsExactly(7L, 6L);
    }

    @Test
    void pages_forward_and_backward_inside_the_visible_window() {
        store.append(stream, ExpectedVersion.noStream(), events(10));
        store.setStreamMetadata(stream, StreamMetadata.empty().withMaxCount(5));

        StreamSlice first = store.readStream(stream, ReadDirection.FORWARD, 0, 2);
        StreamSlice second = store.readStream(stream, ReadDirection.FORWARD, first.nextVersion(), 2);
        StreamSlice third = store.readStream(stream, ReadDirection.FORWARD, second.nextVersion(), 2);

        assertThat(versionsOf(first.events())).containsExactly(5L, 6L);
        assertThat(first.endOfStream()).isFalse();
        assertThat(versionsOf(second.events())).containsExactly(7L, 8L);
        assertThat(versionsOf(third.events())).containsExactly(9L);
        assertThat(third.endOfStream()).isTrue();
        StreamSlice backward = store.readStream(stream, ReadDirection.BACKWARD, 6, 10);
        assertThat(versionsOf(backward.events())).containsExactly(6L, 5L);
        assertThat(backward.endOfStream()).isTrue();
        StreamSlice belowWindow = store.readStream(stream, ReadDirection.BACKWARD, 3, 10);
        assertThat(belowWindow.events()).isEmpty();
        assertThat(belowWindow.endOfStream()).isTrue();
    }

    @Test
    void the_strictest_limit_wins() {
        store.append(stream, ExpectedVersion.noStream(), events(10));
        store.setStreamMetadata(
                stream, StreamMetadata.empty().withTruncateBefore(4).withMaxCount(3));
        assertThat(versionsOf(readWhole(stream))).containsExactly(7L, 8L, 9L);
        store.setStreamMetadata(
                stream, StreamMetadata.empty().withTruncateBefore(8).withMaxCount(3));
        assertThat(versionsOf(readWhole(stream))).containsExactly(8L, 9L);
    }

    @Test
    void limits_do_not_change_versions_or_the_global_log() {
        store.append(stream, ExpectedVersion.noStream(), events(5));
        store.setStreamMetadata(stream, StreamMetadata.empty().withMaxCount(1));

        assertThat(store.append(stream, ExpectedVersion.exactly(4), events(1)).streamVersion())
                .isEqualTo(5);
        assertThat(readWholeLog(store, EventFilter.all())).hasSize(6);
    }

    @Test
    void custom_entries_and_limits_read_back_and_replace_each_other() {
        store.append(stream, ExpectedVersion.noStream(), events(1));
        StreamMetadata metadata = StreamMetadata.empty()
                .withMaxCount(50)
                .withMaxAge(Duration.ofDays(30))
                .withTruncateBefore(0)
                .with("owner", "billing")
                .with("pii", "true");
        store.setStreamMetadata(stream, metadata);

        StreamInfo info = store.streamInfo(stream).orElseThrow();
        assertThat(info).isEqualTo(new StreamInfo(stream, 0, StreamState.ACTIVE, metadata));

        store.setStreamMetadata(stream, StreamMetadata.empty().with("owner", "sales"));
        assertThat(store.streamInfo(stream).orElseThrow().metadata())
                .isEqualTo(StreamMetadata.empty().with("owner", "sales"));
        assertThat(store.streamInfo(stream).orElseThrow().metadata().custom()).isEqualTo(Map.of("owner", "sales"));
    }

    @Test
    void metadata_set_before_the_stream_exists_applies_once_it_does() {
        store.setStreamMetadata(stream, StreamMetadata.empty().withMaxCount(2));
        assertThat(store.streamInfo(stream))
                .contains(new StreamInfo(
                        stream, -1, StreamState.ACTIVE, StreamMetadata.empty().withMaxCount(2)));

        store.append(stream, ExpectedVersion.noStream(), events(5));

        assertThat(versionsOf(readWhole(stream))).containsExactly(3L, 4L);
    }

    @Test
    void a_stream_without_metadata_reports_empty_metadata() {
        store.append(stream, ExpectedVersion.noStream(), events(2));
        assertThat(store.streamInfo(stream))
                .contains(new StreamInfo(stream, 1, StreamState.ACTIVE, StreamMetadata.empty()));
        assertThat(store.streamInfo(newStream("meter"))).isEmpty();
    }
}
