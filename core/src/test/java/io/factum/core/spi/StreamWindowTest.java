package io.factum.core.spi;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.ReadDirection;
import io.factum.core.StreamMetadata;
import io.factum.core.StreamSlice;
import io.factum.core.StreamState;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamWindowTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void a_soft_deleted_stream_has_an_empty_window_and_no_version() {
        StreamWindow window = StreamWindow.of(
                "s-1", ReadDirection.FORWARD, 0, 9, StreamState.SOFT_DELETED, StreamMetadata.empty(), NOW);
        assertThat(window.isEmpty()).isTrue();
        StreamSlice slice = window.slice(List.of(), 10);
        assertThat(slice.lastVersion()).isEqualTo(-1);
        assertThat(slice.endOfStream()).isTrue();
    }

    @Test
    void backward_reads_are_bounded_by_the_first_visible_version() {
        StreamWindow window = StreamWindow.of(
                "s-1",
                ReadDirection.BACKWARD,
                StreamSlice.END,
                9,
                StreamState.ACTIVE,
                StreamMetadata.empty().withMaxCount(4),
                NOW);
        assertThat(window.low()).isEqualTo(6);
        assertThat(window.high()).isEqualTo(9);
    }
}
