package io.factum.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.StoreException;
import io.factum.core.StreamMetadata;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StreamMetadataJsonTest {

    @Test
    void writes_only_what_is_set_and_reads_it_back() {
        StreamMetadata metadata = StreamMetadata.empty()
                .withMaxCount(10)
                .withMaxAge(Duration.ofHours(1))
                .with("owner", "billing");

        String json = StreamMetadataJson.write(metadata);

        assertThat(json).isEqualTo("{\"maxCount\":10,\"maxAge\":\"PT1H\",\"custom\":{\"owner\":\"billing\"}}");
        assertThat(StreamMetadataJson.read("s-1", json)).isEqualTo(metadata);
        assertThat(StreamMetadataJson.write(StreamMetadata.empty())).isEqualTo("{}");
        assertThat(StreamMetadataJson.read("s-1", "{}")).isEqualTo(StreamMetadata.empty());
    }

    @Test
    void unreadable_stored_metadata_names_the_stream() {
        assertThatThrownBy(() -> StreamMetadataJson.read("s-1", "[1]"))
                .isInstanceOf(StoreException.class)
                .hasMessage("stream s-1: its stored metadata is unreadable: [1]");
    }
}
