package io.factum.core.spi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.core.StoreException;
import io.factum.core.StreamMetadata;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Stream metadata as the JSON object every store keeps:
 * {@code {"maxCount": 10, "maxAge": "PT1H", "truncateBefore": 3, "custom": {"key": "value"}}}, with absent
 * settings left out. One format, so a database can be read by any store and shown over HTTP as is.
 */
public final class StreamMetadataJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private StreamMetadataJson() {}

    /** The metadata as a JSON object ({@code {}} if empty). */
    public static String write(StreamMetadata metadata) {
        ObjectNode node = JSON.createObjectNode();
        metadata.maxCount().ifPresent(n -> node.put("maxCount", n));
        metadata.maxAge().ifPresent(age -> node.put("maxAge", age.toString()));
        metadata.truncateBefore().ifPresent(v -> node.put("truncateBefore", v));
        if (!metadata.custom().isEmpty()) {
            ObjectNode custom = node.putObject("custom");
            new TreeMap<>(metadata.custom()).forEach(custom::put);
        }
        return node.toString();
    }

    /**
     * Reads metadata written by {@link #write}.
     *
     * @throws StoreException if the stored text is not such an object (the database was changed by hand)
     */
    public static StreamMetadata read(String streamId, String json) {
        try {
            JsonNode node = JSON.readTree(json);
            if (!node.isObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            Map<String, String> custom = new TreeMap<>();
            node.path("custom")
                    .properties()
                    .forEach(e -> custom.put(e.getKey(), e.getValue().asText()));
            return new StreamMetadata(
                    node.has("maxCount") ? OptionalLong.of(node.get("maxCount").asLong()) : OptionalLong.empty(),
                    node.has("maxAge")
                            ? Optional.of(Duration.parse(node.get("maxAge").asText()))
                            : Optional.empty(),
                    node.has("truncateBefore")
                            ? OptionalLong.of(node.get("truncateBefore").asLong())
                            : OptionalLong.empty(),
                    custom);
        } catch (Exception e) {
            throw new StoreException("stream " + streamId + ": its stored metadata is unreadable: " + json, e);
        }
    }
}
